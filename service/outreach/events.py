"""Delivery events from providers: stored once each, then applied to their message.

Every event is kept raw beside its normalized kind. A replay (same provider event id) is
dropped by the table's unique constraint and changes nothing. A status only moves
forward (:func:`channels.base.advances`, and Twilio's own order for its callbacks), so
late or out-of-order events never undo a later one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from channels import twilio
from channels.base import DeliveryEvent, advances
from service.config import Settings
from service.consent.service import record_opt_out
from service.db import dialect_insert, table_of
from service.outreach.fallback import queue_fallback
from service.outreach.models import DeliveryEventRecord
from service.outreach.suppression import mark_unusable
from service.templating.service import TemplateCatalog
from service.threads.models import Direction, Message, MessageStatus
from service.types import utcnow

# The delivery kind a message status stands for, to compare with an incoming event's kind.
_STATUS_KIND: dict[str, str] = {
    MessageStatus.sent: "sent",
    MessageStatus.delivered: "delivered",
    MessageStatus.failed: "failed",
    MessageStatus.bounced: "bounced",
    MessageStatus.undelivered: "undelivered",
}
_KIND_STATUS: dict[str, MessageStatus] = {
    "accepted": MessageStatus.sent,
    "sent": MessageStatus.sent,
    "deferred": MessageStatus.sent,
    "delivered": MessageStatus.delivered,
    "opened": MessageStatus.delivered,
    "clicked": MessageStatus.delivered,
    "read": MessageStatus.delivered,
    "bounced": MessageStatus.bounced,
    "dropped": MessageStatus.failed,
    "failed": MessageStatus.failed,
    "undelivered": MessageStatus.undelivered,
}
_OPT_OUT_KINDS = frozenset({"spam_report", "unsubscribed"})
_OPTED_OUT_CODES = frozenset({"21610"})
_UNTOUCHED = frozenset({MessageStatus.skipped, MessageStatus.planned})


@dataclass(frozen=True, slots=True)
class Applied:
    received: int
    stored: int


async def record_events(
    session: AsyncSession,
    *,
    settings: Settings,
    templates: TemplateCatalog,
    provider: str,
    events: Iterable[DeliveryEvent],
    message_hint: uuid.UUID | None = None,
) -> Applied:
    """Store and apply each event; ``message_hint`` is our id when the URL carried it.
    ``templates`` render the fallback of a message an event says failed."""
    received = stored = 0
    for event in events:
        received += 1
        if await _record_one(
            session,
            settings=settings,
            templates=templates,
            provider=provider,
            event=event,
            hint=message_hint,
        ):
            stored += 1
    return Applied(received=received, stored=stored)


async def _record_one(
    session: AsyncSession,
    *,
    settings: Settings,
    templates: TemplateCatalog,
    provider: str,
    event: DeliveryEvent,
    hint: uuid.UUID | None,
) -> bool:
    message = await _find_message(session, event=event, hint=hint)
    inserted = await session.execute(
        dialect_insert(session, table_of(DeliveryEventRecord))
        .values(
            id=uuid.uuid4(),
            tenant_id=message.tenant_id if message else None,
            message_id=message.id if message else None,
            provider=provider,
            event_id=event.event_id[:200],
            kind=event.kind,
            occurred_at=event.occurred_at,
            error_code=event.error_code[:32] if event.error_code else None,
            reason=event.reason[:1000] if event.reason else None,
            raw=dict(event.raw),
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
        .returning(table_of(DeliveryEventRecord).c.id)
    )
    if inserted.first() is None:
        return False  # a replay: already stored and applied
    if message is not None:
        await _apply(
            session,
            settings=settings,
            templates=templates,
            provider=provider,
            event=event,
            message=message,
        )
    return True


async def _find_message(
    session: AsyncSession, *, event: DeliveryEvent, hint: uuid.UUID | None
) -> Message | None:
    ours = hint or _uuid(event.message_id)
    if ours is not None:
        found = await session.get(Message, ours)
        if found is not None and found.direction == Direction.outbound:
            return found
    if event.provider_id:
        return (
            await session.execute(
                select(Message)
                .where(
                    col(Message.provider_id) == event.provider_id,
                    col(Message.direction) == Direction.outbound,
                )
                .limit(1)
            )
        ).scalar_one_or_none()
    return None


async def _apply(
    session: AsyncSession,
    *,
    settings: Settings,
    templates: TemplateCatalog,
    provider: str,
    event: DeliveryEvent,
    message: Message,
) -> None:
    address = event.address or message.to_address
    if event.kind in _OPT_OUT_KINDS and address:
        await record_opt_out(
            session,
            tenant_id=message.tenant_id,
            channel=message.channel,
            address=address,
            source=f"{provider}:{event.kind}",
        )
        return
    if event.error_code in _OPTED_OUT_CODES and address:
        await record_opt_out(
            session,
            tenant_id=message.tenant_id,
            channel=message.channel,
            address=address,
            source=f"{provider}:{event.error_code}",
        )
    if event.provider_id and message.provider_id not in (None, event.provider_id):
        return  # about an earlier, superseded send of this message: kept, not applied
    new_status = _KIND_STATUS.get(event.kind)
    if new_status is None or message.status in _UNTOUCHED:
        return
    raw_status = _provider_status(provider, event)
    if not _moves(provider, event, message):
        # Our status stays (a "sent" callback on a row already sent), but the provider's own
        # word moves on when it is newer, so later callbacks compare against it.
        if raw_status and _provider_status_moves(provider, message.provider_status, raw_status):
            message.provider_status = raw_status[:32]
            message.updated_at = utcnow()
            await session.flush()
        return
    now = utcnow()
    message.provider_id = message.provider_id or event.provider_id
    message.provider = message.provider or provider
    message.provider_status = raw_status[:32] if raw_status else message.provider_status
    message.sent_at = message.sent_at or event.occurred_at
    message.lease_until = None
    message.updated_at = now
    if new_status == MessageStatus.delivered:
        message.delivered_at = message.delivered_at or event.occurred_at
    if new_status in (MessageStatus.failed, MessageStatus.bounced, MessageStatus.undelivered):
        message.last_error = (event.reason or event.error_code or event.kind)[:1000]
    message.status = new_status
    await session.flush()
    if new_status in (MessageStatus.failed, MessageStatus.bounced, MessageStatus.undelivered):
        if event.permanent and address:
            await mark_unusable(
                session,
                tenant_id=message.tenant_id,
                channel=message.channel,
                address=address,
                code=event.error_code,
                reason=event.reason,
            )
        await queue_fallback(
            session,
            settings=settings,
            templates=templates,
            failed=message,
            why=message.last_error or "",
        )


def _provider_status(provider: str, event: DeliveryEvent) -> str | None:
    """The provider's own status word: Twilio's MessageStatus, SendGrid's normalized kind."""
    if provider == "twilio":
        raw = event.raw.get("MessageStatus") or event.raw.get("SmsStatus")
        return str(raw) if raw else None
    return event.kind


def _provider_status_moves(provider: str, old: str | None, new: str) -> bool:
    if provider == "twilio":
        return twilio.is_forward(old, new)
    return advances(old, new)


def _moves(provider: str, event: DeliveryEvent, message: Message) -> bool:
    """Whether ``event`` moves ``message`` forward."""
    if message.status in (MessageStatus.queued, MessageStatus.sending):
        return True  # proof of acceptance, whatever it says
    if provider == "twilio":
        raw_status = str(event.raw.get("MessageStatus") or event.raw.get("SmsStatus") or "")
        return twilio.is_forward(message.provider_status, raw_status) and advances(
            _STATUS_KIND.get(message.status), event.kind
        )
    return advances(_STATUS_KIND.get(message.status), event.kind)


def _uuid(value: str | None) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
