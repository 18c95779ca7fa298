"""Claims on outbox rows: taken under a lease with a token, renewed while their batch is in
flight, and the outcomes of a claim written as its sends complete.

A row is ours while it carries our token and its lease runs. The lease is renewed every third
of its length for the rows not yet finished, so a live worker keeps rows that wait long for
their turn; a row whose lease may have run out is never sent by us, and a write of ours applies
only while the row still carries our token.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlmodel import col

from service.db import Database
from service.outreach.recording import Outcome, record_outcomes
from service.threads.models import Direction, Message, MessageStatus
from service.types import utcnow

if TYPE_CHECKING:
    from service.outreach.sending import Sender

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Claim:
    """Rows one send loop holds: their claim token, the lease's length, and (in this
    process's monotonic clock) when the lease runs out unless renewed."""

    token: uuid.UUID
    rows: list[Message]
    lease_seconds: float
    deadline: float

    @property
    def headroom(self) -> float:
        """The lease a row must have left for its provider call to start."""
        return self.lease_seconds / 2


async def claim_batch(database: Database, *, limit: int, lease_seconds: float) -> Claim:
    """Take up to ``limit`` due queued rows for this worker: ``sending``, leased, attempt
    counted, marked with a new claim token.

    One conditional UPDATE, so two workers never claim the same row; on PostgreSQL the
    candidate rows are locked with SKIP LOCKED so concurrent claimers do not queue up.
    """
    token = uuid.uuid4()
    # Taken before the claim is written, so this process never believes in a longer lease
    # than the one stored.
    deadline = time.monotonic() + lease_seconds
    async with database.transaction() as session:
        now = utcnow()
        due = (
            select(col(Message.id))
            .where(
                col(Message.status) == MessageStatus.queued,
                col(Message.direction) == Direction.outbound,
                (col(Message.send_after).is_(None)) | (col(Message.send_after) <= now),
            )
            .order_by(col(Message.created_at))
            .limit(limit)
        )
        if database.dialect == "postgresql":
            due = due.with_for_update(skip_locked=True)
        claimed = await session.execute(
            update(Message)
            .where(col(Message.id).in_(due.scalar_subquery()))
            .where(col(Message.status) == MessageStatus.queued)
            .values(
                status=MessageStatus.sending,
                lease_until=now + timedelta(seconds=lease_seconds),
                claim_token=token,
                attempts=col(Message.attempts) + 1,
                updated_at=now,
            )
            .returning(col(Message.id))
            .execution_options(synchronize_session=False)
        )
        ids = list(claimed.scalars())
        if not ids:
            return Claim(token=token, rows=[], lease_seconds=lease_seconds, deadline=deadline)
        rows = await session.execute(select(Message).where(col(Message.id).in_(ids)))
        return Claim(
            token=token, rows=list(rows.scalars()), lease_seconds=lease_seconds, deadline=deadline
        )


class Lease:
    """The claim's lease: renewed every third of its length for the rows not yet finished,
    and asked, right before each provider call, whether a row is still surely ours."""

    def __init__(self, database: Database, claim: Claim, *, call_headroom: float) -> None:
        self._database = database
        self._claim = claim
        self._call_headroom = call_headroom
        self._pending = {row.id for row in claim.rows}
        self._lost: set[uuid.UUID] = set()

    def holds(self, row_id: uuid.UUID) -> bool:
        """Whether the row is ours with enough lease left for a provider call."""
        left = self._claim.deadline - time.monotonic()
        headroom = min(self._call_headroom, self._claim.headroom)
        return row_id not in self._lost and left >= headroom

    def finished(self, row_id: uuid.UUID) -> None:
        self._pending.discard(row_id)

    async def keep(self) -> None:
        lease_seconds = self._claim.lease_seconds
        while True:
            await asyncio.sleep(lease_seconds / 3)
            ids = list(self._pending)
            if not ids:
                continue
            started = time.monotonic()
            try:
                held = await renew_lease(
                    self._database,
                    token=self._claim.token,
                    ids=ids,
                    lease_seconds=lease_seconds,
                )
            except Exception:  # the database may be back by the next renewal
                log.warning("could not renew the lease of %d outbox rows", len(ids), exc_info=True)
                continue
            self._lost.update(set(ids) - held)
            self._claim.deadline = started + lease_seconds


async def renew_lease(
    database: Database, *, token: uuid.UUID, ids: Iterable[uuid.UUID], lease_seconds: float
) -> set[uuid.UUID]:
    """Extend the lease of the rows of ``ids`` still held under ``token``; returns those."""
    async with database.transaction() as session:
        now = utcnow()
        renewed = await session.execute(
            update(Message)
            .where(
                col(Message.id).in_(list(ids)),
                col(Message.claim_token) == token,
                col(Message.status) == MessageStatus.sending,
            )
            .values(lease_until=now + timedelta(seconds=lease_seconds))
            .returning(col(Message.id))
            .execution_options(synchronize_session=False)
        )
        return set(renewed.scalars())


class Recorder:
    """Writes outcomes as sends complete. One write at a time: outcomes that complete while
    a write is under way go together in the next, so groups grow with the load."""

    def __init__(self, sender: Sender, claim: Claim) -> None:
        self._sender = sender
        self._token = claim.token
        self._waiting: list[tuple[Message, Outcome]] = []
        self._lock = asyncio.Lock()

    async def add(self, row: Message, outcome: Outcome) -> None:
        self._waiting.append((row, outcome))
        async with self._lock:
            group, self._waiting = self._waiting, []
            if group:
                await record_outcomes(self._sender, token=self._token, results=group)
