"""The outbound channels of one process, chosen from settings at start-up.

The runtime holds one :class:`Outbound`; workers find it in ``ctx["runtime"]``. Tests and
benchmarks build their own with emulator-backed channels instead of patching anything.
Every variable read here is declared and validated in :class:`service.config.Settings`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import SecretStr

from channels import build_email_channel, build_sms_channel
from channels.base import Channel, ChannelName
from channels.portal import PortalChannel
from channels.sandbox import SandboxChannel
from service.config import ConfigurationError, Settings
from service.outreach.pacing import PacingPolicy


@dataclass(frozen=True, slots=True, kw_only=True)
class SendTuning:
    """How the send job works: rows per claim, sends in flight per batch, batches in flight,
    lease and retry bounds.

    A claimed row's lease is renewed while its batch is in flight, so a live worker keeps
    its rows however long they wait; a row is taken for lost, and sent again, only once
    its worker stopped renewing. ``call_headroom`` is the lease a row must have left for
    its provider call to start (at most half the lease). ``unconfirmed_delay`` is the
    least wait before resending a message whose provider may have accepted it (a timeout
    or a dropped connection after the request left): time for the provider's event to
    arrive and prove it, so it is not sent twice.
    """

    batch_size: int = 200
    concurrency: int = 64
    parallel_batches: int = 1
    lease_seconds: float = 120.0
    max_attempts: int = 6
    retry_base: float = 5.0
    retry_cap: float = 900.0
    time_budget: float = 240.0
    call_headroom: float = 30.0
    unconfirmed_delay: float = 120.0


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


def build_outbound(settings: Settings) -> Outbound:
    """The providers named by EMAIL_PROVIDER / SMS_PROVIDER, with their credentials, and the
    pacing and tuning of COBRO_PACING, COBRO_RATE_* and COBRO_SEND_*.

    Settings validate the credentials when they are read; this raises ConfigurationError
    only for settings built without that validation (``model_copy``).
    """
    try:
        email = build_email_channel(
            backend=settings.email_provider,
            sendgrid_api_key=_secret(settings.sendgrid_api_key),
            sendgrid_api_url=settings.sendgrid_api_url,
            smtp_url=_secret(settings.smtp_url),
        )
        sms = build_sms_channel(
            backend=settings.sms_provider,
            twilio_account_sid=settings.twilio_account_sid,
            twilio_auth_token=_secret(settings.twilio_auth_token),
            twilio_api_url=settings.twilio_api_url,
        )
    except ValueError as exc:
        raise ConfigurationError(f"EMAIL_PROVIDER / SMS_PROVIDER: {exc}") from exc
    return Outbound(
        channels={"email": email, "sms": sms, "portal": PortalChannel()},
        pacing=PacingPolicy(
            enabled=settings.pacing,
            email_rate=settings.rate_email,
            sms_rate=settings.rate_sms,
            sms_service_rate=settings.rate_sms_service,
        ),
        tuning=SendTuning(
            batch_size=settings.send_batch,
            concurrency=settings.send_concurrency,
            parallel_batches=settings.send_parallel_batches,
            lease_seconds=settings.send_lease_seconds,
            max_attempts=settings.send_max_attempts,
        ),
    )


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None
