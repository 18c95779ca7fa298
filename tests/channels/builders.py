"""Small builders for outbound messages in channel tests."""

from __future__ import annotations

from collections.abc import Mapping

from channels.base import OutboundMessage

SENDGRID_KEY = "SG.test-key"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-auth-token"


def make_email(
    *,
    id: str = "msg-1",
    to: str = "ana@example.com",
    subject: str | None = "Your invoice INV-7 is past due",
    html: str | None = "<p>Hola Ana</p>",
    headers: Mapping[str, str] | None = None,
    custom_args: Mapping[str, str] | None = None,
) -> OutboundMessage:
    return OutboundMessage(
        id=id,
        channel="email",
        to=to,
        sender="billing@acme.test",
        sender_name="Acme Billing",
        subject=subject,
        text="Hola Ana, your invoice INV-7 for $120.00 is past due.",
        html=html,
        headers=dict(headers or {}),
        custom_args=dict(custom_args or {}),
    )


def make_sms(
    *,
    id: str = "sms-1",
    to: str = "+15005550009",
    sender: str = "+15005550006",
    text: str = "Acme: invoice INV-7 is past due. Reply STOP to opt out.",
    status_callback: str | None = None,
) -> OutboundMessage:
    return OutboundMessage(
        id=id,
        channel="sms",
        to=to,
        sender=sender,
        text=text,
        status_callback=status_callback,
    )
