"""Promises to pay: recorded with the reminders they pause, then kept or broken.

A promise pauses its invoices' reminders up to the promised day plus the tenant's grace days
(``Invoice.promised_until``; campaigns skip an invoice while that day has not passed). The
review job settles each active promise: kept once its invoices are paid; broken when the grace
has run out and some are still open with a balance. A broken promise lifts the pause (reminders
resume by themselves) and reopens its thread for collections.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.disputes.models import PromiseStatus, PromiseToPay
from service.ledger.models import Invoice, InvoiceStatus
from service.tenancy.models import Tenant
from service.threads.models import Thread, ThreadStatus
from service.threads.service import record_event
from service.types import utcnow


async def record_promise(
    session: AsyncSession,
    *,
    thread: Thread,
    customer_id: uuid.UUID,
    message_id: uuid.UUID | None,
    promised_on: date,
    amount: Decimal | None,
    currency: str | None,
    invoices: Sequence[Invoice],
    grace_days: int,
    source: str,
) -> PromiseToPay:
    """Record the promise and pause ``invoices`` until ``promised_on`` + ``grace_days``.

    An active promise of the same customer whose invoices this one all covers is replaced.
    """
    now = utcnow()
    numbers = sorted({invoice.number for invoice in invoices})
    earlier = (
        await session.execute(
            select(PromiseToPay).where(
                col(PromiseToPay.tenant_id) == thread.tenant_id,
                col(PromiseToPay.customer_id) == customer_id,
                col(PromiseToPay.status) == PromiseStatus.active,
            )
        )
    ).scalars()
    replaced = []
    for old in earlier:
        if set(old.invoice_numbers) <= set(numbers) or old.thread_id == thread.id:
            old.status = PromiseStatus.replaced
            old.settled_at = now
            replaced.append(str(old.id))
    grace_until = promised_on + timedelta(days=grace_days)
    promise = PromiseToPay(
        tenant_id=thread.tenant_id,
        customer_id=customer_id,
        thread_id=thread.id,
        message_id=message_id,
        promised_on=promised_on,
        grace_until=grace_until,
        amount=amount,
        currency=currency,
        invoice_numbers=numbers,
        source=source,
    )
    session.add(promise)
    for invoice in invoices:
        invoice.promised_until = grace_until
        invoice.updated_at = now
    thread.promise_date, thread.promise_amount = promised_on, amount
    thread.promise_currency = currency if amount is not None else None
    await session.flush()
    await record_event(
        session,
        thread=thread,
        kind="promise_recorded",
        data={
            "promise_id": str(promise.id),
            "date": promised_on.isoformat(),
            "amount": str(amount) if amount is not None else None,
            "currency": currency,
            "invoices": numbers,
            "reminders_paused_until": grace_until.isoformat(),
            "grace_days": grace_days,
            "replaced": replaced,
            "source": source,
        },
    )
    return promise


def _lift_pause(promise: PromiseToPay, invoices: Sequence[Invoice]) -> list[str]:
    """Clear the pause this promise set (a later promise's own pause stays)."""
    lifted = []
    for invoice in invoices:
        if invoice.promised_until == promise.grace_until:
            invoice.promised_until = None
            invoice.updated_at = utcnow()
            lifted.append(invoice.number)
    return lifted


def _still_owed(invoices: Sequence[Invoice]) -> list[Invoice]:
    return [i for i in invoices if i.status == InvoiceStatus.open and i.balance > 0]


@dataclass
class Review:
    kept: int = 0
    broken: int = 0
    looked_at: int = 0
    next_key: tuple[date, uuid.UUID] | None = None
    broken_threads: list[uuid.UUID] = field(default_factory=list)


async def review_promises(
    session: AsyncSession,
    *,
    now: datetime | None = None,
    after: tuple[date, uuid.UUID] | None = None,
    limit: int = 500,
) -> Review:
    """Settle one page of active promises, soonest grace first; ``next_key`` pages on.

    Rows another worker is settling are skipped (SKIP LOCKED), and only ``active`` ones are
    read, so running this twice, or on two workers, settles each promise once.
    """
    moment = now or utcnow()
    query = select(PromiseToPay).where(col(PromiseToPay.status) == PromiseStatus.active)
    if after is not None:
        query = query.where(
            or_(
                col(PromiseToPay.grace_until) > after[0],
                and_(col(PromiseToPay.grace_until) == after[0], col(PromiseToPay.id) > after[1]),
            )
        )
    promises = list(
        (
            await session.execute(
                query.order_by(col(PromiseToPay.grace_until), col(PromiseToPay.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
    )
    review = Review(looked_at=len(promises))
    if len(promises) == limit:
        review.next_key = (promises[-1].grace_until, promises[-1].id)
    zones: dict[uuid.UUID, ZoneInfo] = {}
    for promise in promises:
        if promise.tenant_id not in zones:
            tenant = await session.get(Tenant, promise.tenant_id)
            zones[promise.tenant_id] = ZoneInfo(tenant.timezone if tenant else "UTC")
        today = moment.astimezone(zones[promise.tenant_id]).date()
        invoices = list(
            (
                await session.execute(
                    select(Invoice).where(
                        col(Invoice.tenant_id) == promise.tenant_id,
                        col(Invoice.customer_id) == promise.customer_id,
                        col(Invoice.number).in_(promise.invoice_numbers),
                    )
                )
            ).scalars()
        )
        owed = _still_owed(invoices)
        if not owed:
            await _settle(session, promise, invoices, status=PromiseStatus.kept, owed=[])
            review.kept += 1
        elif today > promise.grace_until:
            await _settle(session, promise, invoices, status=PromiseStatus.broken, owed=owed)
            review.broken += 1
            review.broken_threads.append(promise.thread_id)
    return review


async def _settle(
    session: AsyncSession,
    promise: PromiseToPay,
    invoices: Sequence[Invoice],
    *,
    status: PromiseStatus,
    owed: Sequence[Invoice],
) -> None:
    promise.status = status
    promise.settled_at = utcnow()
    lifted = _lift_pause(promise, invoices)
    thread = await session.get(Thread, promise.thread_id)
    if thread is None or thread.tenant_id != promise.tenant_id:
        return
    data: dict[str, object] = {
        "promise_id": str(promise.id),
        "date": promise.promised_on.isoformat(),
        "grace_until": promise.grace_until.isoformat(),
        "reminders_resumed_for": lifted if status == PromiseStatus.broken else [],
    }
    if status == PromiseStatus.broken:
        data["still_owed"] = {i.number: f"{i.balance} {i.currency}" for i in owed}
    await record_event(session, thread=thread, kind=f"promise_{status}", data=data)
    if status == PromiseStatus.broken and thread.team is None:
        thread.team = "collections"
        await record_event(
            session,
            thread=thread,
            kind="routed",
            data={"team": "collections", "rule_id": None, "why": "promise to pay broken"},
        )
    if status == PromiseStatus.broken and thread.status != ThreadStatus.open:
        previous = thread.status
        thread.status = ThreadStatus.open
        await record_event(
            session,
            thread=thread,
            kind="reopened",
            data={"from_status": str(previous), "why": "promise to pay broken"},
        )


async def latest_promise(session: AsyncSession, *, thread: Thread) -> PromiseToPay | None:
    return (
        await session.execute(
            select(PromiseToPay)
            .where(
                col(PromiseToPay.tenant_id) == thread.tenant_id,
                col(PromiseToPay.thread_id) == thread.id,
            )
            .order_by(col(PromiseToPay.created_at).desc(), col(PromiseToPay.id))
            .limit(1)
        )
    ).scalar_one_or_none()
