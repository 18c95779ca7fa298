"""The outbox: writing outbound messages, their email headers, fallbacks and one-click
unsubscribe. Rows are written in the caller's transaction; the send job is requested only
after it commits, and it sends whatever is due, in batches.
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
from service.db import enqueue_after_commit
from service.errors import NotFound
from service.ledger.models import Customer
from service.outreach.suppression import normalize_address, record_opt_out
from service.security import reply_address
from service.tenancy.models import Tenant
from service.threads.models import Direction, Message, MessageStatus, Thread
from service.threads.service import record_event
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
    token = unsubscribe_token(secret=secret, tenant_id=tenant_id, address=to)
    return {
        "Message-ID": email.utils.make_msgid(domain=settings.inbound_domain),
        "Reply-To": reply_address(secret, thread_id, settings.inbound_domain),
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "OOF, AutoReply",
        "List-Unsubscribe": f"<{settings.public_url}/unsubscribe/{token}>",
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
    address = normalize_address(channel, to) if to else None
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


async def queue_fallback(
    session: AsyncSession, *, settings: Settings, failed: Message, why: str
) -> Message | None:
    """The next channel's message for a failed, bounced or undelivered one, if its step has one.

    The new row joins the same thread and run and carries the remaining fallbacks. It reuses
    the failed message's plain-text body as it is (and the thread's subject for email): the
    text was rendered for the first channel, and the template name is kept so a planner may
    render it again. Channels the customer has no address for are passed over. At most one
    fallback is written per message (its dedupe key), however many reports say it failed.
    """
    if failed.customer_id is None or not failed.fallback_channels:
        return None
    dedupe_key = f"fallback:{failed.id}"
    exists = await session.execute(
        select(col(Message.id)).where(
            col(Message.tenant_id) == failed.tenant_id, col(Message.dedupe_key) == dedupe_key
        )
    )
    if exists.first() is not None:
        return None
    customer = await session.get(Customer, failed.customer_id)
    tenant = await session.get(Tenant, failed.tenant_id)
    thread = await session.get(Thread, failed.thread_id) if failed.thread_id else None
    if customer is None or tenant is None or thread is None:
        return None
    target = _next_reachable(customer, [_channel(c) for c in failed.fallback_channels])
    if target is None:
        return None
    channel, address, remaining = target.channel, target.address, target.remaining
    headers: dict[str, str] = {}
    if channel == "email" and address:
        headers = email_headers(
            settings=settings, tenant_id=tenant.id, thread_id=thread.id, to=address
        )
    now = utcnow()
    message = Message(
        tenant_id=failed.tenant_id,
        thread_id=failed.thread_id,
        customer_id=failed.customer_id,
        run_id=failed.run_id,
        direction=Direction.outbound,
        channel=channel,
        language=failed.language,
        template=failed.template,
        to_address=address,
        from_address=sender_for(tenant, channel),
        subject=failed.subject or thread.subject or f"{tenant.name}: {thread.reference}",
        body=failed.body,
        body_html=None,
        headers=headers,
        invoice_numbers=list(failed.invoice_numbers),
        status=MessageStatus.queued,
        dedupe_key=dedupe_key,
        fallback_channels=list(remaining),
        created_at=now,
        updated_at=now,
    )
    if headers:
        message.email_message_id = headers.get("Message-ID")
    session.add(message)
    await session.flush()
    await record_event(
        session,
        thread=thread,
        kind="fallback",
        data={
            "from_message": str(failed.id),
            "from_channel": failed.channel,
            "to_message": str(message.id),
            "to_channel": channel,
            "why": why[:300],
        },
    )
    request_send(session, run_id=failed.run_id, message_id=message.id)
    return message


@dataclass(frozen=True, slots=True)
class _Target:
    channel: ChannelName
    address: str | None
    remaining: tuple[ChannelName, ...]


def _channel(value: str) -> ChannelName:
    for channel in CHANNELS:
        if channel == value:
            return channel
    raise ValueError(f"unknown channel {value!r}")


def _next_reachable(customer: Customer, channels: list[ChannelName]) -> _Target | None:
    for index, channel in enumerate(channels):
        address = {"email": customer.email, "sms": customer.phone, "portal": None}[channel]
        if channel == "portal" or address:
            return _Target(channel, address, tuple(channels[index + 1 :]))
    return None


def unsubscribe_token(*, secret: str, tenant_id: uuid.UUID, address: str) -> str:
    """A signed, non-expiring token naming one tenant's email address (RFC 8058 links must
    keep working for as long as the mail sits in a mailbox)."""
    serializer = URLSafeSerializer(secret, salt=_UNSUBSCRIBE_SALT)
    return str(serializer.dumps([tenant_id.hex, address]))


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
