"""The outbound channels of one process, chosen from settings at start-up.

The runtime holds one :class:`Outbound`; workers find it in ``ctx["runtime"]``. Tests and
benchmarks build their own with emulator-backed channels instead of patching anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from channels.base import Channel, ChannelName
from channels.portal import PortalChannel
from channels.sandbox import SandboxChannel
from channels.sendgrid import SendGridChannel
from channels.smtp import SmtpChannel
from channels.twilio import TwilioChannel
from service.config import ConfigurationError, Settings
from service.outreach.pacing import PacingPolicy


class OutreachSettings(BaseSettings):
    """Send tuning, read from the environment beside :class:`service.config.Settings`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    pacing: bool = Field(default=True, alias="COBRO_PACING")
    rate_email: float = Field(default=50.0, gt=0, alias="COBRO_RATE_EMAIL")
    rate_sms: float = Field(default=1.0, gt=0, alias="COBRO_RATE_SMS")
    rate_sms_service: float = Field(default=10.0, gt=0, alias="COBRO_RATE_SMS_SERVICE")
    batch_size: int = Field(default=200, ge=1, le=5000, alias="COBRO_SEND_BATCH")
    concurrency: int = Field(default=64, ge=1, le=1000, alias="COBRO_SEND_CONCURRENCY")
    parallel_batches: int = Field(default=1, ge=1, le=16, alias="COBRO_SEND_PARALLEL_BATCHES")
    lease_seconds: float = Field(default=120.0, gt=0, alias="COBRO_SEND_LEASE_SECONDS")
    max_attempts: int = Field(default=6, ge=1, le=50, alias="COBRO_SEND_MAX_ATTEMPTS")


@dataclass(frozen=True, slots=True, kw_only=True)
class SendTuning:
    """How the send job works: rows per claim, sends in flight per batch, batches in flight,
    lease and retry bounds.

    The lease must comfortably exceed a provider call (channels time out after 10-30 s):
    a row whose lease runs out is taken for lost and sent again.
    """

    batch_size: int = 200
    concurrency: int = 64
    parallel_batches: int = 1
    lease_seconds: float = 120.0
    max_attempts: int = 6
    retry_base: float = 5.0
    retry_cap: float = 900.0
    time_budget: float = 240.0


def _sandboxes() -> dict[ChannelName, Channel]:
    return {
        "email": SandboxChannel("email"),
        "sms": SandboxChannel("sms"),
        "portal": PortalChannel(),
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class Outbound:
    """One channel per outbound channel name, the pacing policy and the send tuning."""

    channels: dict[ChannelName, Channel] = field(default_factory=_sandboxes)
    pacing: PacingPolicy = field(default_factory=PacingPolicy)
    tuning: SendTuning = field(default_factory=SendTuning)

    def channel(self, name: ChannelName) -> Channel:
        return self.channels[name]

    async def aclose(self) -> None:
        for channel in self.channels.values():
            await channel.aclose()


def build_outbound(settings: Settings, *, tuning: OutreachSettings | None = None) -> Outbound:
    """The providers named by EMAIL_PROVIDER / SMS_PROVIDER, with their credentials.

    Raises ConfigurationError naming the missing variable when a provider lacks one.
    """
    tuning = tuning or OutreachSettings()
    return Outbound(
        channels={
            "email": _email_channel(settings),
            "sms": _sms_channel(settings),
            "portal": PortalChannel(),
        },
        pacing=PacingPolicy(
            enabled=tuning.pacing,
            email_rate=tuning.rate_email,
            sms_rate=tuning.rate_sms,
            sms_service_rate=tuning.rate_sms_service,
        ),
        tuning=SendTuning(
            batch_size=tuning.batch_size,
            concurrency=tuning.concurrency,
            parallel_batches=tuning.parallel_batches,
            lease_seconds=tuning.lease_seconds,
            max_attempts=tuning.max_attempts,
        ),
    )


def _email_channel(settings: Settings) -> Channel:
    if settings.email_provider == "sendgrid":
        if settings.sendgrid_api_key is None:
            raise ConfigurationError("EMAIL_PROVIDER=sendgrid needs SENDGRID_API_KEY")
        return SendGridChannel(
            settings.sendgrid_api_key.get_secret_value(), api_url=settings.sendgrid_api_url
        )
    if settings.email_provider == "smtp":
        if settings.smtp_url is None:
            raise ConfigurationError("EMAIL_PROVIDER=smtp needs SMTP_URL")
        try:
            return SmtpChannel.from_url(settings.smtp_url.get_secret_value())
        except ValueError as exc:
            raise ConfigurationError(f"SMTP_URL: {exc}") from exc
    return SandboxChannel("email")


def _sms_channel(settings: Settings) -> Channel:
    if settings.sms_provider == "twilio":
        if not settings.twilio_account_sid or settings.twilio_auth_token is None:
            raise ConfigurationError(
                "SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
            )
        return TwilioChannel(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            api_url=settings.twilio_api_url,
        )
    return SandboxChannel("sms")
