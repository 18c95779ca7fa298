"""Cobro's configuration: every setting of the public contract, read once from the environment."""

from __future__ import annotations

import os
import secrets
import time
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
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
    sendgrid_api_key: SecretStr | None = Field(
        default=None, alias="SENDGRID_API_KEY", validate_default=True
    )
    sendgrid_api_url: str = Field(default="https://api.sendgrid.com", alias="SENDGRID_API_URL")
    sendgrid_event_public_key: str | None = Field(default=None, alias="SENDGRID_EVENT_PUBLIC_KEY")
    sendgrid_inbound_user: str | None = Field(default=None, alias="SENDGRID_INBOUND_USER")
    sendgrid_inbound_password: SecretStr | None = Field(
        default=None, alias="SENDGRID_INBOUND_PASSWORD"
    )
    twilio_account_sid: str | None = Field(
        default=None, alias="TWILIO_ACCOUNT_SID", validate_default=True
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None, alias="TWILIO_AUTH_TOKEN", validate_default=True
    )
    twilio_api_url: str = Field(default="https://api.twilio.com", alias="TWILIO_API_URL")
    smtp_url: SecretStr | None = Field(default=None, alias="SMTP_URL", validate_default=True)
    mime_token: SecretStr | None = Field(default=None, alias="COBRO_MIME_TOKEN")

    log_level: str = Field(default="INFO", alias="COBRO_LOG_LEVEL")
    import_max_bytes: int = Field(default=200 * 1024 * 1024, alias="COBRO_IMPORT_MAX_BYTES")
    # Tenants' own template files: <dir>/<tenant id>/en/reminder_firm.sms.j2 and so on.
    template_dir: Path | None = Field(default=None, alias="COBRO_TEMPLATE_DIR")

    # Sending: per-sender pacing (messages per second), batch shape, lease and retry bound.
    pacing: bool = Field(default=True, alias="COBRO_PACING")
    rate_email: float = Field(default=50.0, gt=0, alias="COBRO_RATE_EMAIL")
    rate_sms: float = Field(default=1.0, gt=0, alias="COBRO_RATE_SMS")
    rate_sms_service: float = Field(default=10.0, gt=0, alias="COBRO_RATE_SMS_SERVICE")
    send_batch: int = Field(default=200, ge=1, le=5000, alias="COBRO_SEND_BATCH")
    send_concurrency: int = Field(default=64, ge=1, le=1000, alias="COBRO_SEND_CONCURRENCY")
    send_parallel_batches: int = Field(default=1, ge=1, le=16, alias="COBRO_SEND_PARALLEL_BATCHES")
    send_lease_seconds: float = Field(default=120.0, ge=1, alias="COBRO_SEND_LEASE_SECONDS")
    send_max_attempts: int = Field(default=6, ge=1, le=50, alias="COBRO_SEND_MAX_ATTEMPTS")

    @field_validator("sendgrid_api_key", "smtp_url", "twilio_account_sid", "twilio_auth_token")
    @classmethod
    def _provider_credentials(
        cls, value: SecretStr | str | None, info: ValidationInfo
    ) -> SecretStr | str | None:
        """A blank credential is no credential; the chosen provider's must be given."""
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if raw is not None and not raw.strip():
            value = None
        setting, provider = _NEEDED_BY[str(info.field_name)]
        if value is None and info.data.get(setting) == provider:
            raise ValueError(f"required when {setting.upper()}={provider}")
        if value is not None and info.field_name == "smtp_url":
            _check_smtp_url(str(raw))
        return value

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

    def twilio_webhook_token(self) -> str | None:
        """The token Twilio's webhooks are verified with, or None when it is unset or blank:
        an empty secret is no secret, and with none every Twilio webhook is refused."""
        token = self.twilio_auth_token.get_secret_value() if self.twilio_auth_token else ""
        return token if token.strip() else None

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


# Which provider choice makes a credential required: field -> (choosing field, value).
_NEEDED_BY: dict[str, tuple[str, str]] = {
    "sendgrid_api_key": ("email_provider", "sendgrid"),
    "smtp_url": ("email_provider", "smtp"),
    "twilio_account_sid": ("sms_provider", "twilio"),
    "twilio_auth_token": ("sms_provider", "twilio"),
}


def _check_smtp_url(url: str) -> None:
    # The channel's own parser, so start-up refuses exactly the URLs the channel would.
    from channels.smtp import SmtpChannel

    SmtpChannel.from_url(url)


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
