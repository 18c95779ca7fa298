FROM python:3.11-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
# .dockerignore keeps .env, var/ (secret key, database), .venv and .git out of the image.
COPY . /app
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 cobro \
    && mkdir -p /app/var && chown cobro /app/var
USER cobro
ENV COBRO_VAR_DIR=/app/var
EXPOSE 8000
CMD ["cobro", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-worker"]
