"""Cobro's configuration: every setting of the public contract, read once from the environment."""

from __future__ import annotations

import os
import secrets
import time
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigurationError(RuntimeError):
    """Raised at start-up when a setting is wrong; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    var_dir: Path = Field(default=Path("var"), alias="COBRO_VAR_DIR")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    public_url: str = Field(default="http://127.0.0.1:8000", alias="COBRO_PUBLIC_URL")
    inbound_domain: str = Field(default="reply.localhost", alias="COBRO_INBOUND_DOMAIN")
    secret_key: SecretStr | None = Field(default=None, alias="COBRO_SECRET_KEY")

    email_provider: Literal["sendgrid", "smtp", "sandbox"] = Field(
        default="sandbox", alias="EMAIL_PROVIDER"
    )
    sms_provider: Literal["twilio", "sandbox"] = Field(default="sandbox", alias="SMS_PROVIDER")
    sendgrid_api_key: SecretStr | None = Field(default=None, alias="SENDGRID_API_KEY")
    sendgrid_api_url: str = Field(default="https://api.sendgrid.com", alias="SENDGRID_API_URL")
    sendgrid_event_public_key: str | None = Field(default=None, alias="SENDGRID_EVENT_PUBLIC_KEY")
    sendgrid_inbound_user: str | None = Field(default=None, alias="SENDGRID_INBOUND_USER")
    sendgrid_inbound_password: SecretStr | None = Field(
        default=None, alias="SENDGRID_INBOUND_PASSWORD"
    )
    twilio_account_sid: str | None = Field(default=None, alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: SecretStr | None = Field(default=None, alias="TWILIO_AUTH_TOKEN")
    twilio_api_url: str = Field(default="https://api.twilio.com", alias="TWILIO_API_URL")
    smtp_url: SecretStr | None = Field(default=None, alias="SMTP_URL")
    mime_token: SecretStr | None = Field(default=None, alias="COBRO_MIME_TOKEN")

    log_level: str = Field(default="INFO", alias="COBRO_LOG_LEVEL")
    import_max_bytes: int = Field(default=200 * 1024 * 1024, alias="COBRO_IMPORT_MAX_BYTES")
    # Tenants' own template files: <dir>/<tenant id>/en/reminder_firm.sms.j2 and so on.
    template_dir: Path | None = Field(default=None, alias="COBRO_TEMPLATE_DIR")

    @field_validator("database_url")
    @classmethod
    def _database_scheme(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if value.startswith("postgres://") or value.startswith("postgresql://"):
            # Integrators paste libpq URLs; Cobro talks to PostgreSQL through asyncpg only.
            value = "postgresql+asyncpg://" + value.split("://", 1)[1]
        if not value.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
            raise ValueError("use postgresql+asyncpg://... or sqlite+aiosqlite:///path")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("use redis://host:port/db, rediss://... or unix:///path")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.var_dir / 'cobro.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    def resolved_secret_key(self) -> str:
        """The configured key, else one generated into var/ on first run and kept there."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return _generated_secret_key(self.var_dir / "secret_key")


def _generated_secret_key(path: Path, *, wait: float = 5.0) -> str:
    """The key kept at `path`, created there with a new key if absent.

    The file is created owner-only (never briefly world-readable) and exclusively: of two
    processes starting together on a fresh var/, one writes the key and the other reads that one,
    so both sign with the same key.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret_key(path, wait=wait)
    key = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w") as file:
        file.write(key)
        file.flush()
        os.fsync(file.fileno())
    return key


def _read_secret_key(path: Path, *, wait: float) -> str:
    # The creator may not have written yet: an empty file is a key about to appear.
    deadline = time.monotonic() + wait
    while True:
        key = path.read_text().strip()
        if key or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    if not key:
        raise ConfigurationError(f"COBRO_SECRET_KEY: the key file {path} is empty; delete it")
    return key


def load_settings() -> Settings:
    """Read and validate the settings, naming the offending variable on error."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "?"
            problems.append(f"{name}: {error['msg']}")
        raise ConfigurationError("invalid configuration: " + "; ".join(problems)) from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
