"""Outbound channels: one module per provider behind the :class:`Channel` interface.

Channels are built at start-up from plain configuration values (see :func:`build_email_channel`
and :func:`build_sms_channel`) and handed to the code that sends; nothing here reads settings.
"""

from __future__ import annotations

from typing import Literal

from channels.base import (
    Channel,
    ChannelError,
    ChannelMisconfigured,
    DeliveryEvent,
    DeliveryKind,
    InvalidRecipient,
    OutboundMessage,
    PermanentError,
    RecipientOptedOut,
    SendResult,
    TransientError,
    advances,
    retry_delay,
)
from channels.sandbox import SandboxChannel

__all__ = [
    "Channel",
    "ChannelError",
    "ChannelMisconfigured",
    "DeliveryEvent",
    "DeliveryKind",
    "InvalidRecipient",
    "OutboundMessage",
    "PermanentError",
    "RecipientOptedOut",
    "SandboxChannel",
    "SendResult",
    "TransientError",
    "advances",
    "build_email_channel",
    "build_sms_channel",
    "retry_delay",
]


def build_email_channel(
    *,
    backend: Literal["sendgrid", "smtp", "sandbox"],
    sendgrid_api_key: str | None = None,
    sendgrid_api_url: str = "https://api.sendgrid.com",
    smtp_url: str | None = None,
    smtp_require_starttls: bool = False,
    timeout: float = 10.0,
) -> Channel:
    """The email channel for ``backend``; raises ValueError when its settings are missing."""
    # Provider modules load only when chosen: a deployment pays for the SDK it uses.
    if backend == "sendgrid":
        if not sendgrid_api_key:
            raise ValueError("the sendgrid email backend needs an API key")
        from channels.sendgrid import SendGridChannel

        return SendGridChannel(sendgrid_api_key, api_url=sendgrid_api_url, timeout=timeout)
    if backend == "smtp":
        if not smtp_url:
            raise ValueError("the smtp email backend needs an smtp:// or smtps:// URL")
        from channels.smtp import SmtpChannel

        return SmtpChannel.from_url(
            smtp_url, timeout=timeout, require_starttls=smtp_require_starttls
        )
    if backend == "sandbox":
        return SandboxChannel("email")
    raise ValueError(f"unknown email backend {backend!r}")


def build_sms_channel(
    *,
    backend: Literal["twilio", "sandbox"],
    twilio_account_sid: str | None = None,
    twilio_auth_token: str | None = None,
    twilio_api_url: str = "https://api.twilio.com",
    timeout: float = 10.0,
) -> Channel:
    """The SMS channel for ``backend``; raises ValueError when its settings are missing."""
    if backend == "twilio":
        if not twilio_account_sid or not twilio_auth_token:
            raise ValueError("the twilio sms backend needs an account sid and auth token")
        from channels.twilio import TwilioChannel

        return TwilioChannel(
            twilio_account_sid, twilio_auth_token, api_url=twilio_api_url, timeout=timeout
        )
    if backend == "sandbox":
        return SandboxChannel("sms")
    raise ValueError(f"unknown sms backend {backend!r}")
