"""Thread rules shared by outreach, inbound and disputes: opening threads and logging events."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.errors import NotFound
from service.threads.models import Thread, ThreadEvent, ThreadStatus
from service.types import new_id, utcnow

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


def new_reference() -> str:
    """A short human reference customers and agents quote, e.g. CB-7K2M9Q."""
    return "CB-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))


async def open_thread(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID | None,
    subject: str | None = None,
    channel: str | None = None,
    language: str | None = None,
    invoice_numbers: list[str] | None = None,
    actor: str = "cobro",
    why: str = "",
) -> Thread:
    thread = Thread(
        tenant_id=tenant_id,
        customer_id=customer_id,
        reference=new_reference(),
        subject=subject,
        channel=channel,
        language=language,
        invoice_numbers=invoice_numbers or [],
    )
    session.add(thread)
    # The thread's row first: its events refer to it, and with no relationships the unit of
    # work does not order their INSERTs after its own. The event goes with the next flush.
    await session.flush()
    add_event(session, thread=thread, kind="opened", actor=actor, data={"why": why})
    return thread


def add_event(
    session: AsyncSession,
    *,
    thread: Thread,
    kind: str,
    actor: str = "cobro",
    data: dict[str, Any] | None = None,
) -> ThreadEvent:
    """Log ``kind`` on ``thread``, written with the session's next flush.

    A reply's processing logs eight or more events (received, classified, routed, timers,
    effects, answer, assignment ...); added without a flush each, the next query's autoflush or
    the commit writes them together (one INSERT), in the order they were added, each with the
    time it was decided.
    """
    now = utcnow()
    # Every field given: SQLModel inspects the signature of each default factory it calls.
    event = ThreadEvent(
        id=new_id(),
        tenant_id=thread.tenant_id,
        thread_id=thread.id,
        kind=kind,
        actor=actor,
        data=data or {},
        created_at=now,
    )
    session.add(event)
    thread.updated_at = now
    return event


async def record_event(
    session: AsyncSession,
    *,
    thread: Thread,
    kind: str,
    actor: str = "cobro",
    data: dict[str, Any] | None = None,
) -> ThreadEvent:
    """``add_event``, flushed at once."""
    event = add_event(session, thread=thread, kind=kind, actor=actor, data=data)
    await session.flush()
    return event


async def get_thread(
    session: AsyncSession, *, tenant_id: uuid.UUID, thread_id: uuid.UUID
) -> Thread:
    thread = (
        await session.execute(
            select(Thread).where(col(Thread.tenant_id) == tenant_id, col(Thread.id) == thread_id)
        )
    ).scalar_one_or_none()
    if thread is None:
        raise NotFound("thread not found")
    return thread


async def latest_open_thread(
    session: AsyncSession, *, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> Thread | None:
    return (
        await session.execute(
            select(Thread)
            .where(
                col(Thread.tenant_id) == tenant_id,
                col(Thread.customer_id) == customer_id,
                col(Thread.status).in_([ThreadStatus.open, ThreadStatus.pending]),
            )
            .order_by(
                col(Thread.last_message_at).desc().nulls_last(), col(Thread.created_at).desc()
            )
            .limit(1)
        )
    ).scalar_one_or_none()
