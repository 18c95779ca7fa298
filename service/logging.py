"""structlog configured once per process; secrets never reach the log (settings are not logged)."""

from __future__ import annotations

import logging
import re

import structlog

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
    logging.basicConfig(level=level.upper(), format="%(message)s")
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=True,
    )
    _redact_link_tokens()
