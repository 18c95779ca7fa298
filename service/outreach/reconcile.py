"""Settling outbox rows whose worker died: left in ``sending`` past their lease.

A provider event carrying the row's id proves the provider accepted it: the row is marked
sent. Otherwise it is queued again (it may have been accepted unseen; sending twice is the
lesser harm than never), or failed, with its fallback, once its attempts are spent. Every
change is conditional on the row still being in ``sending`` with its lease run out, so a
live worker renewing its lease at the same moment keeps its row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.outreach.fallback import queue_fallback
from service.outreach.recording import proofs_for
from service.outreach.sending import Sender
from service.threads.models import Message, MessageStatus
from service.types import UTCDateTime, utcnow


@dataclass(frozen=True, slots=True)
class Reconciled:
    proven: int
    requeued: int
    failed: int


async def reconcile(sender: Sender, *, limit: int = 1000) -> Reconciled:
    """Settle up to ``limit`` rows stuck in ``sending`` past their lease."""
    now = utcnow()
    proven = requeued = failed = 0
    async with sender.database.transaction() as session:
        stuck = (
            await session.execute(
                select(col(Message.id), col(Message.attempts))
                .where(
                    col(Message.status) == MessageStatus.sending,
                    col(Message.lease_until) < now,
                )
                .limit(limit)
            )
        ).all()
        if not stuck:
            return Reconciled(0, 0, 0)
        proofs = await proofs_for(session, [message_id for message_id, _ in stuck])
        spent: list[uuid.UUID] = []
        for message_id, attempts in stuck:
            proof = proofs.get(message_id)
            if proof is not None:
                values: dict[str, Any] = {
                    "status": MessageStatus.sent,
                    "provider": _kept(Message.provider, proof.provider, String()),
                    "provider_id": _kept(Message.provider_id, proof.provider_id, String()),
                    "sent_at": _kept(Message.sent_at, proof.occurred_at, UTCDateTime()),
                }
                proven += await _settle(session, message_id, now, values)
            elif attempts >= sender.outbound.tuning.max_attempts:
                values = {
                    "status": MessageStatus.failed,
                    "last_error": f"no provider confirmation after {attempts} attempts",
                }
                if await _settle(session, message_id, now, values):
                    failed += 1
                    spent.append(message_id)
            else:
                values = {
                    "status": MessageStatus.queued,
                    "send_after": None,
                    "last_error": "lease expired before the provider's answer was recorded",
                }
                requeued += await _settle(session, message_id, now, values)
        for message_id in spent:
            row = await session.get(Message, message_id, populate_existing=True)
            if row is not None:
                await queue_fallback(
                    session,
                    settings=sender.settings,
                    templates=sender.templates,
                    failed=row,
                    why=row.last_error or "",
                )
    return Reconciled(proven, requeued, failed)


async def _settle(
    session: AsyncSession, message_id: uuid.UUID, now: datetime, values: dict[str, Any]
) -> int:
    """Apply ``values`` if the row is still stuck; 1 when it was, 0 when its worker renewed
    the lease or recorded the outcome meanwhile."""
    settled = await session.execute(
        update(Message)
        .where(
            col(Message.id) == message_id,
            col(Message.status) == MessageStatus.sending,
            col(Message.lease_until) < now,
        )
        .values(**values, lease_until=None, claim_token=None, updated_at=now)
        .returning(col(Message.id))
        .execution_options(synchronize_session=False)
    )
    return 1 if settled.first() is not None else 0


def _kept(column: Any, value: object, type_: Any) -> Any:
    """The column's value when it has one, else ``value``."""
    return func.coalesce(col(column), bindparam(None, value, type_=type_))
