"""structlog configured once per process; secrets never reach the log (settings are not logged).

Every log line is one JSON object on stderr: Cobro's own structlog events and the records of the
libraries that log through the standard `logging` module (uvicorn, arq, Alembic, SQLAlchemy) go
through the same renderer, so a log shipper parses one format. stdout stays for command output
(`cobro tenant create` prints its JSON there).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import structlog

# Alembic announces its plugins and its dialect at INFO on every start, before the output of
# every command; nobody acts on it. Its warnings and errors still show, and
# COBRO_LOG_LEVEL=DEBUG shows everything.
_QUIETER = {
    "alembic.runtime.plugins": logging.WARNING,
    "alembic.runtime.migration": logging.WARNING,
}


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


# Portal and unsubscribe links carry their credential in the path, and access logs print paths.
_TOKEN_IN_PATH = re.compile(r"(/(?:portal/(?:v1/)?|unsubscribe/))[^/?#\s\"']+")


def redact_tokens(text: str) -> str:
    """``text`` with the token of every portal or unsubscribe path replaced by ``[redacted]``."""
    return _TOKEN_IN_PATH.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    """Takes link tokens out of a record's message and arguments before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_tokens(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def _redact_link_tokens() -> None:
    # On uvicorn's loggers (their records, the access log above all, name request paths) and on
    # the root handlers, for whatever else propagates there.
    redaction = RedactTokens()
    targets: list[logging.Filterer] = [logging.getLogger(name) for name in _PATH_LOGGERS]
    targets += logging.getLogger().handlers
    for target in targets:
        if not any(isinstance(existing, RedactTokens) for existing in target.filters):
            target.addFilter(redaction)


_PATH_LOGGERS = ("uvicorn.access", "uvicorn.error")


def configure_logging(level: str = "INFO") -> None:
    numeric = logging.getLevelName(level.upper())
    formatter = structlog.stdlib.ProcessorFormatter(
        # Records of the standard library get the fields structlog's own events carry.
        foreign_pre_chain=[*_shared_processors(), structlog.stdlib.PositionalArgumentsFormatter()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(numeric)
    for name, quieter in _QUIETER.items():
        logging.getLogger(name).setLevel(
            numeric if numeric <= logging.DEBUG else max(quieter, numeric)
        )
    structlog.configure(
        processors=[
            *_shared_processors(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        cache_logger_on_first_use=True,
    )
    _redact_link_tokens()
