"""Storing what customers send, durably and once, before anything else is done with it.

A webhook stores its raw body and answers; the ``process_inbound`` job parses, threads and
records it after the commit. A replay (the same provider message id, or the same bytes when the
provider gives none) finds the stored payload and changes nothing.
"""

from __future__ import annotations

import enum
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.db import dialect_insert, enqueue_after_commit, table_of
from service.errors import NotFound
from service.inbound.models import InboundPayload
from service.ledger.models import Customer
from service.types import new_id, utcnow

PROCESS_JOB = "process_inbound"
PROCESS_BATCH_JOB = "process_inbound_batch"
_MAX_KEY = 400


class InboundSource(enum.StrEnum):
    twilio_sms = "twilio_sms"
    sendgrid_inbound = "sendgrid_inbound"
    mime = "mime"
    portal = "portal"


@dataclass(frozen=True, kw_only=True)
class Declared:
    """Labels a customer states through the portal (a dispute filed, a promise made) instead of
    leaving them to the classifier: the pipeline applies them as if classified with certainty."""

    intent: str
    reason: str | None = None
    invoice_numbers: tuple[str, ...] = ()
    promise_date: date | None = None
    promise_amount: Decimal | None = None

    def as_document(self) -> dict[str, object]:
        return {
            "intent": self.intent,
            "reason": self.reason,
            "invoice_numbers": list(self.invoice_numbers),
            "promise_date": self.promise_date.isoformat() if self.promise_date else None,
            "promise_amount": str(self.promise_amount) if self.promise_amount is not None else None,
        }

    @classmethod
    def from_document(cls, document: dict[str, object]) -> Declared:
        raw_date = document.get("promise_date")
        raw_amount = document.get("promise_amount")
        numbers = document.get("invoice_numbers") or []
        return cls(
            intent=str(document["intent"]),
            reason=str(document["reason"]) if document.get("reason") else None,
            invoice_numbers=tuple(str(n) for n in numbers) if isinstance(numbers, list) else (),
            promise_date=date.fromisoformat(str(raw_date)) if raw_date else None,
            promise_amount=Decimal(str(raw_amount)) if raw_amount is not None else None,
        )


@dataclass(frozen=True)
class StoredPayload:
    payload_id: uuid.UUID
    created: bool


def process_job_id(payload_id: uuid.UUID) -> str:
    return f"inbound:{payload_id}"


def _bounded_key(key: str) -> str:
    # Message-IDs may be up to 998 characters; a digest keeps the unique index small.
    if len(key) <= _MAX_KEY:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True, kw_only=True)
class Received:
    """A payload as a webhook received it, before it is stored."""

    source: InboundSource
    dedupe_key: str
    content_type: str
    body: bytes
    tenant_id: uuid.UUID | None = None
    received_at: datetime = field(default_factory=utcnow)


async def store_payload(
    session: AsyncSession,
    *,
    source: InboundSource,
    dedupe_key: str,
    content_type: str,
    body: bytes,
    tenant_id: uuid.UUID | None = None,
) -> StoredPayload:
    """Keep ``body`` once per (source, dedupe_key) and ask for its processing after the commit.

    A replay inserts nothing; it asks for processing again only while the first copy is still
    unprocessed (the job id makes that a no-op when its job is still queued).
    """
    received = Received(
        source=source,
        dedupe_key=dedupe_key,
        content_type=content_type,
        body=body,
        tenant_id=tenant_id,
    )
    (stored,) = await store_payloads(session, received=[received])
    return stored


async def store_payloads(
    session: AsyncSession, *, received: Sequence[Received]
) -> list[StoredPayload]:
    """``store_payload`` for several payloads at once, in one INSERT (webhooks answered in the
    same few milliseconds share a transaction: see ``service.inbound.intake``). The results are
    in the order of ``received``; two copies of one message among them are stored once."""
    rows = [
        {
            "id": new_id(),
            "tenant_id": item.tenant_id,
            "source": str(item.source),
            "dedupe_key": _bounded_key(item.dedupe_key),
            "content_type": item.content_type[:200],
            "body": item.body,
            "received_at": item.received_at,
            "attempts": 0,
        }
        for item in received
    ]
    table = table_of(InboundPayload)
    # One statement whatever the number of rows: the driver's executemany, which SQLAlchemy
    # sends as one INSERT of many VALUES (a statement built with the rows in it would be
    # compiled again for every batch).
    statement = (
        dialect_insert(session, table)
        .on_conflict_do_nothing(index_elements=["source", "dedupe_key"])
        .returning(table.c.id, table.c.source, table.c.dedupe_key)
    )
    found_rows = await session.execute(statement, rows)
    inserted = {(source, key): ident for ident, source, key in found_rows}
    wanted = {(row["source"], row["dedupe_key"]) for row in rows}
    existing: dict[tuple[str, str], tuple[uuid.UUID, bool]] = {}
    if len(inserted) < len(wanted):
        missing = sorted(wanted - inserted.keys())
        found = await session.execute(
            select(table.c.id, table.c.source, table.c.dedupe_key, table.c.processed_at).where(
                tuple_(table.c.source, table.c.dedupe_key).in_(missing)
            )
        )
        existing = {(src, key): (ident, done is not None) for ident, src, key, done in found}
    results: list[StoredPayload] = []
    asked: set[uuid.UUID] = set()
    new: list[uuid.UUID] = []
    for row in rows:
        place = (str(row["source"]), str(row["dedupe_key"]))
        first = inserted.get(place)
        if first is not None and first == row["id"]:
            results.append(StoredPayload(payload_id=first, created=True))
            new.append(first)
            continue
        if first is not None:  # a second copy in this very batch
            results.append(StoredPayload(payload_id=first, created=False))
        else:
            ident, processed = existing[place]
            results.append(StoredPayload(payload_id=ident, created=False))
            if processed:
                continue
            first = ident
        if first not in asked and first not in new:
            asked.add(first)
            enqueue_after_commit(session, PROCESS_JOB, str(first), job_id=process_job_id(first))
    if len(new) == 1:
        enqueue_after_commit(session, PROCESS_JOB, str(new[0]), job_id=process_job_id(new[0]))
    elif new:
        # One job for the payloads stored together: it reads their tenants' settings once.
        ids = [str(ident) for ident in new]
        enqueue_after_commit(session, PROCESS_BATCH_JOB, ids, job_id=f"inbound:batch:{ids[0]}")
    return results


async def receive_portal_message(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    body: str,
    thread_id: uuid.UUID | None = None,
    dedupe_key: str | None = None,
    declared: Declared | None = None,
) -> StoredPayload:
    """Store a customer's portal reply like any inbound message; it is threaded by the job.

    ``thread_id`` is honoured only when it is a thread of this customer. ``dedupe_key`` (say the
    request's Idempotency-Key) makes a resubmitted form one message; without it every call is new.
    ``declared`` carries the labels of a dispute or promise the customer filed in the portal.
    """
    customer = (
        await session.execute(
            select(col(Customer.id)).where(
                col(Customer.tenant_id) == tenant_id, col(Customer.id) == customer_id
            )
        )
    ).scalar_one_or_none()
    if customer is None:
        raise NotFound("customer not found")
    document = {
        "tenant_id": str(tenant_id),
        "customer_id": str(customer_id),
        "thread_id": str(thread_id) if thread_id else None,
        "body": body,
        "declared": declared.as_document() if declared else None,
    }
    key = f"{tenant_id}:{customer_id}:{dedupe_key}" if dedupe_key else f"portal:{new_id()}"
    return await store_payload(
        session,
        source=InboundSource.portal,
        dedupe_key=key,
        content_type="application/json",
        body=json.dumps(document, ensure_ascii=False).encode(),
        tenant_id=tenant_id,
    )


async def unprocessed_payloads(
    session: AsyncSession, *, older_than: timedelta, limit: int = 500
) -> list[uuid.UUID]:
    """Payloads still waiting for processing after ``older_than``: their job was lost or failed."""
    cutoff = utcnow() - older_than
    result = await session.execute(
        select(col(InboundPayload.id))
        .where(col(InboundPayload.processed_at).is_(None), col(InboundPayload.received_at) < cutoff)
        .order_by(col(InboundPayload.received_at))
        .limit(limit)
    )
    return list(result.scalars())


@dataclass(frozen=True)
class Attempt:
    number: int  # this attempt's count, the first being 1
    size: int  # bytes of the stored body


async def begin_attempts(
    session: AsyncSession, *, payload_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Attempt]:
    """Count one more processing attempt of each payload still waiting; each one's attempt,
    keyed by payload (one processed already, or unknown, is not among them). Committed on its
    own before the attempt, so that an attempt which kills its worker counts too."""
    counted = await session.execute(
        update(InboundPayload)
        .where(col(InboundPayload.id).in_(payload_ids), col(InboundPayload.processed_at).is_(None))
        .values(attempts=col(InboundPayload.attempts) + 1)
        .returning(
            col(InboundPayload.id),
            col(InboundPayload.attempts),
            func.length(col(InboundPayload.body)),
        )
        # Nothing of the payloads is loaded in this session: no objects to bring up to date.
        .execution_options(synchronize_session=False)
    )
    return {
        ident: Attempt(number=int(number), size=int(size or 0)) for ident, number, size in counted
    }


async def record_failure(
    session: AsyncSession, *, payload_id: uuid.UUID, error: str, give_up: bool
) -> None:
    """Keep why an attempt failed on the payload; with ``give_up`` the payload is ended there
    (processed, with no message) and stays listed for an operator among the unrouted."""
    values: dict[str, object] = {"error": error[:1000]}
    if give_up:
        values["processed_at"] = utcnow()
    await session.execute(
        update(InboundPayload)
        .where(col(InboundPayload.id) == payload_id, col(InboundPayload.processed_at).is_(None))
        .values(**values)
    )
