"""The short answers Cobro sends on its own: opt-out, opt-in and help confirmations.

They are queued through the outbox (status ``queued``). Their author is ``AUTOMATIC_AUTHOR`` and
their template one of ``CONSENT_TEMPLATES``: a consent confirmation is the one message the rules
allow to an address that has just opted out, and ``may_send_automatic`` caps the automatic
messages to one customer (to one address when no customer is known) per hour, so that Cobro
never loops with an auto-responder, whichever of the customer's addresses or numbers it uses.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Literal

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from channels.base import ChannelName
from service.config import Settings
from service.ledger.models import Customer
from service.outreach.service import queue_consent_confirmation
from service.tenancy.models import Tenant
from service.threads.models import Direction, Message, Thread
from service.types import utcnow

ConsentReply = Literal["stop", "start", "help"]

AUTOMATIC_AUTHOR = "cobro:automatic"
CONSENT_TEMPLATES: dict[ConsentReply, str] = {
    "stop": "consent_stop_confirmation",
    "start": "consent_start_confirmation",
    "help": "consent_help",
}
AUTOMATIC_PER_HOUR = 3

_SMS_TEXT: dict[ConsentReply, dict[str, str]] = {
    "stop": {
        "en": "{name}: you will get no more text messages from us. Reply START to resubscribe.",
        "es": "{name}: no recibirá más mensajes de texto. Responda ALTA para volver a recibirlos.",
    },
    "start": {
        "en": "{name}: you will get our text messages again. Reply STOP to opt out.",
        "es": "{name}: volverá a recibir nuestros mensajes. Responda BAJA para no recibirlos.",
    },
    "help": {
        "en": "{name}: payment reminders. Reply STOP to opt out.{contact}",
        "es": "{name}: avisos de pago. Responda BAJA para no recibirlos.{contact}",
    },
}
_EMAIL_TEXT: dict[ConsentReply, dict[str, tuple[str, str]]] = {
    "stop": {
        "en": ("You are unsubscribed", "{name} will send you no more reminders by email."),
        "es": ("Baja confirmada", "{name} no le enviará más avisos por correo electrónico."),
    },
    "start": {
        "en": ("You are subscribed again", "{name} will send you reminders by email again."),
        "es": ("Alta confirmada", "{name} volverá a enviarle avisos por correo electrónico."),
    },
    "help": {
        "en": ("Help", "{name}: payment reminders. Reply STOP to opt out.{contact}"),
        "es": ("Ayuda", "{name}: avisos de pago. Responda BAJA para no recibirlos.{contact}"),
    },
}


def consent_text(
    kind: ConsentReply, *, channel: str, language: str | None, tenant: Tenant
) -> tuple[str | None, str]:
    """(subject, body) of a confirmation; both languages, English first, when ``language`` is
    unknown. Tenant fields are inserted as plain text, never rendered as a template."""
    languages = [language] if language in ("en", "es") else ["en", "es"]
    contact_en = f" Help: {tenant.email_from}" if tenant.email_from else ""
    contact_es = f" Ayuda: {tenant.email_from}" if tenant.email_from else ""
    contacts = {"en": contact_en, "es": contact_es}
    if channel == "email":
        pairs = [_EMAIL_TEXT[kind][code] for code in languages]
        subject = " / ".join(subject for subject, _ in pairs)
        body = "\n\n".join(
            text.format(name=tenant.name, contact=contacts[code])
            for code, (_, text) in zip(languages, pairs, strict=True)
        )
        return subject, body
    body = " / ".join(
        _SMS_TEXT[kind][code].format(name=tenant.name, contact=contacts[code]) for code in languages
    )
    return None, body


async def automatic_messages_last_hour(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    to_address: str,
    customer_id: uuid.UUID | None = None,
) -> int:
    """Automatic messages of the last hour to ``customer_id`` on any channel and address, or,
    for a sender no customer is known for, to ``to_address``."""
    count = await session.execute(
        select(func.count())
        .select_from(Message)
        .where(
            col(Message.tenant_id) == tenant_id,
            col(Message.direction) == Direction.outbound,
            col(Message.author) == AUTOMATIC_AUTHOR,
            counted_automatic(to_address=to_address, customer_id=customer_id),
        )
    )
    return int(count.scalar_one())


def counted_automatic(
    *, to_address: str, customer_id: uuid.UUID | None = None
) -> ColumnElement[bool]:
    """Of the tenant's automatic outbound messages, those the hourly cap of a customer (of
    ``to_address`` when no customer is known) counts: the last hour's."""
    since = utcnow() - timedelta(hours=1)
    recipient = (
        col(Message.customer_id) == customer_id
        if customer_id is not None
        else func.lower(col(Message.to_address)) == to_address.strip().lower()
    )
    return and_(recipient, col(Message.created_at) >= since)


async def may_send_automatic(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    to_address: str,
    customer_id: uuid.UUID | None = None,
) -> bool:
    """Whether one more automatic message stays within the hourly cap of its customer (of
    ``to_address`` when no customer is known)."""
    sent = await automatic_messages_last_hour(
        session, tenant_id=tenant_id, to_address=to_address, customer_id=customer_id
    )
    return sent < AUTOMATIC_PER_HOUR


async def queue_consent_reply(
    session: AsyncSession,
    *,
    settings: Settings,
    kind: ConsentReply,
    tenant: Tenant,
    thread: Thread,
    customer: Customer | None,
    channel: ChannelName,
    to_address: str,
    language: str | None,
) -> Message | None:
    """Queue the confirmation ``kind`` to ``to_address``, or None when the hourly cap of the
    customer (of the address, for an unknown sender) is reached.

    Goes through the outbox (``outreach.service.queue_message``) like every outbound message,
    marked with author ``AUTOMATIC_AUTHOR``.
    """
    allowed = await may_send_automatic(
        session,
        tenant_id=tenant.id,
        to_address=to_address,
        customer_id=customer.id if customer is not None else None,
    )
    if not allowed:
        return None
    subject, body = consent_text(kind, channel=channel, language=language, tenant=tenant)
    # Flagged as a consent reply: the stop confirmation must reach the address just opted out.
    message = await queue_consent_confirmation(
        session,
        settings=settings,
        tenant=tenant,
        customer=customer,
        thread=thread,
        channel=channel,
        to=to_address,
        subject=subject,
        body=body,
        language=language,
        template=CONSENT_TEMPLATES[kind],
    )
    # Set before the message is written (with the next query or the commit): one INSERT.
    message.author = AUTOMATIC_AUTHOR
    return message
