FROM python:3.11-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
COPY . /app
RUN pip install --no-cache-dir -e .
ENV COBRO_VAR_DIR=/app/var
EXPOSE 8000
CMD ["cobro", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-worker"]
