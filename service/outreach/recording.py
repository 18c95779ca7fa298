"""Recording what became of claimed outbox rows, and the provider events that prove a send.

Every write is bound to the claim that sent the row: it applies only while the row still
carries that claim's token, so a worker whose lease ran out (and whose row another worker
has since claimed) can never overwrite the newer attempt.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Update, bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.config import Settings
from service.consent.service import record_opt_out
from service.db import table_of
from service.outreach.fallback import queue_fallback
from service.outreach.models import DeliveryEventRecord
from service.outreach.suppression import mark_unusable
from service.templating.service import TemplateCatalog
from service.threads.models import Message, MessageStatus
from service.types import utcnow

if TYPE_CHECKING:
    from service.outreach.sending import Sender


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """What became of one claimed row. ``accepted_at`` is when the provider accepted it."""

    message_id: uuid.UUID
    status: MessageStatus
    provider: str | None = None
    provider_id: str | None = None
    provider_status: str | None = None
    error: str | None = None
    skip_reason: str | None = None
    send_after: datetime | None = None
    accepted_at: datetime | None = None
    counts_as_attempt: bool = True
    opted_out: bool = False
    unusable_code: str | None = None


@dataclass(frozen=True, slots=True)
class Proof:
    """A provider event carrying a message's id: the provider accepted that message."""

    provider: str
    provider_id: str | None
    occurred_at: datetime


def _record_statement() -> Update:
    """One UPDATE per outcome, applied only to a row still under our claim.

    A webhook may have moved the row on already (its callback can beat our own write):
    then only the provider id is filled in, and the status the webhook set stays.
    """
    messages = table_of(Message)
    sending = col(Message.status) == MessageStatus.sending

    def if_sending(name: str, current: object) -> object:
        return case((sending, bindparam(name)), else_=current)

    return (
        update(messages)
        .where(messages.c.id == bindparam("b_id"), messages.c.claim_token == bindparam("b_token"))
        .values(
            status=if_sending("b_status", col(Message.status)),
            provider=func.coalesce(col(Message.provider), bindparam("b_provider")),
            provider_id=func.coalesce(col(Message.provider_id), bindparam("b_provider_id")),
            provider_status=if_sending("b_provider_status", col(Message.provider_status)),
            last_error=if_sending("b_error", col(Message.last_error)),
            skip_reason=if_sending("b_skip_reason", col(Message.skip_reason)),
            send_after=if_sending("b_send_after", col(Message.send_after)),
            attempts=if_sending("b_attempts", col(Message.attempts)),
            sent_at=func.coalesce(col(Message.sent_at), bindparam("b_sent_at")),
            delivered_at=func.coalesce(col(Message.delivered_at), bindparam("b_delivered_at")),
            lease_until=if_sending("b_lease", col(Message.lease_until)),
            claim_token=None,
            updated_at=bindparam("b_now"),
        )
    )


async def record_outcomes(
    sender: Sender, *, token: uuid.UUID, results: Sequence[tuple[Message, Outcome]]
) -> None:
    """Write ``results`` (rows of the claim ``token`` with their outcomes) in one
    transaction, then their consequences: opt-outs (Twilio 21610), dead addresses (21211 /
    21614 ...) and fallbacks."""
    now = utcnow()
    params = []
    for row, outcome in results:
        accepted = outcome.status in (MessageStatus.sent, MessageStatus.delivered)
        accepted_at = (outcome.accepted_at or now) if accepted else None
        params.append(
            {
                "b_id": row.id,
                "b_token": token,
                "b_status": outcome.status.value,
                "b_provider": outcome.provider,
                "b_provider_id": outcome.provider_id,
                "b_provider_status": outcome.provider_status,
                "b_error": outcome.error,
                "b_skip_reason": outcome.skip_reason,
                "b_send_after": outcome.send_after,
                "b_attempts": row.attempts if outcome.counts_as_attempt else row.attempts - 1,
                "b_sent_at": accepted_at,
                "b_delivered_at": accepted_at
                if outcome.status == MessageStatus.delivered
                else None,
                "b_lease": None,
                "b_now": now,
            }
        )
    if not params:
        return
    async with sender.database.transaction() as session:
        await session.execute(_record_statement(), params)
        for row, outcome in results:
            if outcome.status == MessageStatus.failed:
                await _after_failure(
                    session,
                    settings=sender.settings,
                    templates=sender.templates,
                    row=row,
                    outcome=outcome,
                )


async def _after_failure(
    session: AsyncSession,
    *,
    settings: Settings,
    templates: TemplateCatalog,
    row: Message,
    outcome: Outcome,
) -> None:
    if row.to_address and outcome.opted_out:
        await record_opt_out(
            session,
            tenant_id=row.tenant_id,
            channel=row.channel,
            address=row.to_address,
            source="provider",
            detail=outcome.error,
        )
    if row.to_address and outcome.unusable_code:
        await mark_unusable(
            session,
            tenant_id=row.tenant_id,
            channel=row.channel,
            address=row.to_address,
            code=outcome.unusable_code,
            reason=outcome.error,
        )
    current = await session.get(Message, row.id, populate_existing=True)
    if current is not None and current.status == MessageStatus.failed:
        await queue_fallback(
            session,
            settings=settings,
            templates=templates,
            failed=current,
            why=outcome.error or "",
        )


async def proofs_for(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Proof]:
    """For each of ``ids`` that a provider event names, the proof it was accepted."""
    found: dict[uuid.UUID, Proof] = {}
    for start in range(0, len(ids), 500):
        rows = await session.execute(
            select(DeliveryEventRecord).where(
                col(DeliveryEventRecord.message_id).in_(list(ids[start : start + 500]))
            )
        )
        for record in rows.scalars():
            if record.message_id is not None and record.message_id not in found:
                found[record.message_id] = Proof(
                    provider=record.provider,
                    provider_id=_provider_id(record),
                    occurred_at=record.occurred_at,
                )
    return found


def _provider_id(record: DeliveryEventRecord) -> str | None:
    raw = record.raw or {}
    if record.provider == "twilio":
        sid = raw.get("MessageSid") or raw.get("SmsSid")
        return str(sid) if sid else None
    sg_message_id = raw.get("sg_message_id")
    return str(sg_message_id).split(".", 1)[0] if sg_message_id else None
