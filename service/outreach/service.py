"""The outbox: writing outbound messages, their email headers and one-click unsubscribe
(fallbacks are in :mod:`service.outreach.fallback`). Rows are written in the caller's
transaction; the send job is requested only after it commits, and it sends whatever is due,
in batches.
"""

from __future__ import annotations

import email.utils
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from channels.base import ChannelName
from service.config import Settings
from service.consent.service import normalize_address, record_opt_out
from service.db import enqueue_after_commit
from service.errors import NotFound
from service.ledger.models import Customer
from service.security import reply_address
from service.tenancy.models import Tenant
from service.threads.models import Direction, Message, MessageStatus, Thread
from service.types import utcnow

SEND_JOB = "send_outbox"
CHANNELS: tuple[ChannelName, ...] = ("email", "sms", "portal")
_REQUESTED_KEY = "cobro_outbox_jobs"
_UNSUBSCRIBE_SALT = "cobro.unsubscribe.v1"


def sender_for(tenant: Tenant, channel: str) -> str | None:
    """The tenant's sender on ``channel``: its email address, or its Messaging Service / number."""
    if channel == "email":
        return tenant.email_from
    if channel == "sms":
        return tenant.messaging_service_sid or tenant.sms_from
    return None


def email_headers(
    *, settings: Settings, tenant_id: uuid.UUID, thread_id: uuid.UUID, to: str
) -> dict[str, str]:
    """The headers of an outbound reminder email.

    Our own Message-ID (threading), a Reply-To naming the thread, the RFC 3834 / Exchange
    markers that keep auto-responders quiet, and RFC 8058 one-click unsubscribe.
    """
    secret = settings.resolved_secret_key()
    return {
        "Message-ID": email.utils.make_msgid(domain=settings.inbound_domain),
        "Reply-To": reply_address(secret, thread_id, settings.inbound_domain),
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "OOF, AutoReply",
        "List-Unsubscribe": f"<{unsubscribe_url(settings, tenant_id=tenant_id, address=to)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


async def queue_message(
    session: AsyncSession,
    *,
    settings: Settings,
    tenant: Tenant,
    customer: Customer | None,
    thread: Thread,
    channel: ChannelName,
    to: str | None,
    subject: str | None,
    body: str,
    html: str | None,
    language: str | None,
    template: str | None,
    invoice_numbers: Sequence[str] = (),
    fallback_channels: Sequence[ChannelName] = (),
    run_id: uuid.UUID | None = None,
    send_after: datetime | None = None,
) -> Message:
    """Write one outbound message (status ``queued``) and ask for a send job after commit.

    ``to`` is an email address or E.164 number (None for the portal). ``fallback_channels``
    are tried in order when this message fails, bounces or is undelivered. Email gets its
    headers here, so they are stored exactly as sent.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    message_id = uuid.uuid4()
    address = normalize_address(channel=channel, address=to) if to else None
    headers: dict[str, str] = {}
    if channel == "email" and address:
        headers = email_headers(
            settings=settings, tenant_id=tenant.id, thread_id=thread.id, to=address
        )
    now = utcnow()
    message = Message(
        id=message_id,
        tenant_id=tenant.id,
        thread_id=thread.id,
        customer_id=customer.id if customer else None,
        run_id=run_id,
        direction=Direction.outbound,
        channel=channel,
        language=language,
        template=template,
        to_address=address,
        from_address=sender_for(tenant, channel),
        subject=subject,
        body=body,
        body_html=html,
        headers=headers,
        invoice_numbers=list(invoice_numbers),
        status=MessageStatus.queued,
        email_message_id=headers.get("Message-ID"),
        fallback_channels=list(fallback_channels),
        send_after=send_after,
        created_at=now,
        updated_at=now,
    )
    # No flush: the id is made here, and the rows of a whole run go to the database in one
    # batched INSERT at commit (or earlier, when the session autoflushes for a query).
    session.add(message)
    thread.last_message_at = now
    thread.updated_at = now
    request_send(session, run_id=run_id, message_id=message_id)
    return message


async def queue_consent_confirmation(
    session: AsyncSession,
    *,
    settings: Settings,
    tenant: Tenant,
    customer: Customer | None,
    thread: Thread,
    channel: ChannelName,
    to: str,
    subject: str | None,
    body: str,
    language: str | None,
    template: str,
) -> Message:
    """Queue the confirmation of a consent request (or the answer to HELP).

    It is the one message that may reach an address which has just opted out: it confirms
    that very opt-out (Regulation F and carriers expect it). The row is flagged so the send
    check lets it through; nothing else sets the flag, so no reminder or agent reply ever
    reaches an opted-out address.
    """
    message = await queue_message(
        session,
        settings=settings,
        tenant=tenant,
        customer=customer,
        thread=thread,
        channel=channel,
        to=to,
        subject=subject,
        body=body,
        html=None,
        language=language,
        template=template,
    )
    message.consent_reply = True
    return message


def request_send(
    session: AsyncSession, *, run_id: uuid.UUID | None, message_id: uuid.UUID | None = None
) -> None:
    """Ask, once per transaction and batch, for a send job after the commit.

    A run's messages share one job id, so a 10,000-message run costs one job, not 10,000;
    while that job runs it keeps claiming due rows, new ones included.
    """
    job_id = f"outbox:{run_id or message_id or 'next'}"
    requested: set[str] = session.info.setdefault(_REQUESTED_KEY, set())
    if job_id in requested:
        return
    requested.add(job_id)
    enqueue_after_commit(session, SEND_JOB, job_id=job_id)


async def get_message(
    session: AsyncSession, *, tenant_id: uuid.UUID, message_id: uuid.UUID
) -> Message:
    message = (
        await session.execute(
            select(Message).where(
                col(Message.tenant_id) == tenant_id, col(Message.id) == message_id
            )
        )
    ).scalar_one_or_none()
    if message is None:
        raise NotFound("message not found")
    return message


def unsubscribe_token(*, secret: str, tenant_id: uuid.UUID, address: str) -> str:
    """A signed, non-expiring token naming one tenant's email address (RFC 8058 links must
    keep working for as long as the mail sits in a mailbox)."""
    serializer = URLSafeSerializer(secret, salt=_UNSUBSCRIBE_SALT)
    return str(serializer.dumps([tenant_id.hex, address]))


def unsubscribe_url(settings: Settings, *, tenant_id: uuid.UUID, address: str) -> str:
    """The one-click unsubscribe page of one tenant's email address (the List-Unsubscribe
    header and the footer of every email point at it)."""
    token = unsubscribe_token(
        secret=settings.resolved_secret_key(), tenant_id=tenant_id, address=address
    )
    return f"{settings.public_url}/unsubscribe/{token}"


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    tenant_id: uuid.UUID
    address: str


def read_unsubscribe_token(*, secret: str, token: str) -> Unsubscribe | None:
    """What a token names, or None when it is forged or malformed."""
    serializer = URLSafeSerializer(secret, salt=_UNSUBSCRIBE_SALT)
    try:
        payload = serializer.loads(token)
        tenant_hex, address = payload
        return Unsubscribe(tenant_id=uuid.UUID(hex=str(tenant_hex)), address=str(address))
    except (BadSignature, ValueError, TypeError):
        return None


async def unsubscribe(
    session: AsyncSession, *, settings: Settings, token: str, source: str
) -> Unsubscribe:
    """Record the email opt-out a one-click link names. Raises NotFound for a bad token."""
    found = read_unsubscribe_token(secret=settings.resolved_secret_key(), token=token)
    if found is None or await session.get(Tenant, found.tenant_id) is None:
        raise NotFound("this unsubscribe link is not valid")
    await record_opt_out(
        session, tenant_id=found.tenant_id, channel="email", address=found.address, source=source
    )
    return found
