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
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.db import enqueue_after_commit
from service.errors import NotFound
from service.inbound.models import InboundPayload
from service.ledger.models import Customer
from service.types import new_id, utcnow

PROCESS_JOB = "process_inbound"
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
    key = _bounded_key(dedupe_key)
    values = {
        "id": new_id(),
        "tenant_id": tenant_id,
        "source": str(source),
        "dedupe_key": key,
        "content_type": content_type[:200],
        "body": body,
        "received_at": utcnow(),
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(InboundPayload)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["source", "dedupe_key"])
        .returning(col(InboundPayload.id))
    )
    inserted = (await session.execute(statement)).scalar_one_or_none()
    if inserted is not None:
        enqueue_after_commit(session, PROCESS_JOB, str(inserted), job_id=process_job_id(inserted))
        return StoredPayload(payload_id=inserted, created=True)
    existing = (
        await session.execute(
            select(col(InboundPayload.id), col(InboundPayload.processed_at)).where(
                col(InboundPayload.source) == str(source), col(InboundPayload.dedupe_key) == key
            )
        )
    ).one()
    if existing.processed_at is None:
        enqueue_after_commit(
            session, PROCESS_JOB, str(existing.id), job_id=process_job_id(existing.id)
        )
    return StoredPayload(payload_id=existing.id, created=False)


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


async def begin_attempt(session: AsyncSession, *, payload_id: uuid.UUID) -> int | None:
    """Count one more processing attempt of a payload still waiting; the count, or None when
    the payload is processed already or unknown. Committed on its own before the attempt, so
    that an attempt which kills its worker counts too."""
    counted = await session.execute(
        update(InboundPayload)
        .where(col(InboundPayload.id) == payload_id, col(InboundPayload.processed_at).is_(None))
        .values(attempts=col(InboundPayload.attempts) + 1)
        .returning(col(InboundPayload.attempts))
    )
    attempts = counted.scalar_one_or_none()
    return int(attempts) if attempts is not None else None


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
