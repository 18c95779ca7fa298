"""What a labeled reply does to the customer's account, each effect logged on the thread.

dispute: the disputed invoices (only those) leave the campaigns until the dispute is resolved.
promise_to_pay: the promise is recorded and pauses its invoices until the date plus grace.
legal: the customer goes on legal hold, which stops all outreach.
wrong_contact: the address the reply came from is marked unusable for its channel (a corrected
address on the customer is not affected).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.disputes.invoices import Concerned
from service.disputes.policy import Policy
from service.disputes.promises_ledger import record_promise
from service.ledger.models import Customer, CustomerStatus, Invoice
from service.outreach.suppression import mark_unusable
from service.templating.service import open_invoices
from service.threads.models import Message, Thread, ThreadEvent, ThreadStatus
from service.threads.service import add_event
from service.types import utcnow

_HOLD_FROM = (CustomerStatus.active, CustomerStatus.payment_plan)


@dataclass(frozen=True)
class PromiseTerms:
    date: date | None
    amount: Decimal | None
    currency: str | None


def _single_currency(invoices: list[Invoice]) -> str | None:
    currencies = {invoice.currency for invoice in invoices}
    return currencies.pop() if len(currencies) == 1 else None


async def mark_disputed(
    session: AsyncSession, *, thread: Thread, concerned: Concerned, reason: str | None
) -> None:
    if not concerned.invoices:
        add_event(
            session,
            thread=thread,
            kind="dispute_without_invoice",
            data={"why": "no invoice of the customer named or reminded; nothing paused"},
        )
        return
    now = utcnow()
    for invoice in concerned.invoices:
        if not invoice.disputed:
            invoice.disputed = True
            invoice.updated_at = now
    add_event(
        session,
        thread=thread,
        kind="invoices_disputed",
        data={"invoices": concerned.numbers, "reason": reason, "found_by": concerned.source},
    )


async def keep_promise(
    session: AsyncSession,
    *,
    policy: Policy,
    thread: Thread,
    customer: Customer,
    message: Message,
    concerned: Concerned,
    terms: PromiseTerms,
    source: str,
) -> None:
    if terms.date is None:
        thread.promise_date = None
        thread.promise_amount = terms.amount
        thread.promise_currency = terms.currency if terms.amount is not None else None
        add_event(
            session,
            thread=thread,
            kind="promise_without_date",
            data={"amount": str(terms.amount) if terms.amount is not None else None,
                  "why": "no date could be pinned down; reminders continue"},
        )  # fmt: skip
        return
    invoices = concerned.open_invoices
    if not invoices and concerned.source == "none":
        # A promise about nothing in particular is about everything the customer owes.
        invoices = await open_invoices(
            session, tenant_id=customer.tenant_id, customer_id=customer.id
        )
    currency = terms.currency or _single_currency(invoices)
    await record_promise(
        session,
        thread=thread,
        customer_id=customer.id,
        message_id=message.id,
        promised_on=terms.date,
        amount=terms.amount,
        currency=currency,
        invoices=invoices,
        grace_days=policy.promise_grace_days,
        source=source,
    )


async def hold_for_legal(session: AsyncSession, *, thread: Thread, customer: Customer) -> None:
    if customer.status not in _HOLD_FROM:
        add_event(
            session, thread=thread, kind="legal_hold",
            data={"status": str(customer.status), "changed": False},
        )  # fmt: skip
        return
    previous = customer.status
    customer.status = CustomerStatus.legal_hold
    customer.updated_at = utcnow()
    add_event(
        session,
        thread=thread,
        kind="legal_hold",
        data={"from": str(previous), "to": str(CustomerStatus.legal_hold), "changed": True,
              "why": "legal matter: all outreach to the customer stops"},
    )  # fmt: skip


async def flag_contact(session: AsyncSession, *, thread: Thread, message: Message) -> None:
    address = message.from_address
    if message.channel not in ("email", "sms") or not address:
        add_event(
            session, thread=thread, kind="contact_flagged",
            data={"channel": message.channel, "address": None, "why": "no address to flag"},
        )  # fmt: skip
        return
    await mark_unusable(
        session,
        tenant_id=thread.tenant_id,
        channel=message.channel,
        address=address,
        code="wrong_contact",
        reason=f"the recipient says it is the wrong contact (thread {thread.reference})",
    )
    add_event(
        session,
        thread=thread,
        kind="contact_flagged",
        data={"channel": message.channel, "address": address,
              "why": "reported as the wrong contact; no more messages to this address"},
    )  # fmt: skip


async def release_disputes(session: AsyncSession, *, thread: Thread, actor: str) -> list[str]:
    """On a resolved or closed dispute: its invoices return to the campaigns, except those that
    another open thread of the customer still disputes."""
    if thread.customer_id is None:
        return []
    mine = await _disputed_by(session, thread_ids=[thread.id], tenant_id=thread.tenant_id)
    if not mine:
        return []
    others = list(
        (
            await session.execute(
                select(col(Thread.id)).where(
                    col(Thread.tenant_id) == thread.tenant_id,
                    col(Thread.customer_id) == thread.customer_id,
                    col(Thread.id) != thread.id,
                    col(Thread.intent) == "dispute",
                    col(Thread.status).in_([ThreadStatus.open, ThreadStatus.pending]),
                )
            )
        ).scalars()
    )
    still = await _disputed_by(session, thread_ids=others, tenant_id=thread.tenant_id)
    numbers = sorted(mine - still)
    invoices = (
        await session.execute(
            select(Invoice).where(
                col(Invoice.tenant_id) == thread.tenant_id,
                col(Invoice.customer_id) == thread.customer_id,
                col(Invoice.number).in_(numbers),
                col(Invoice.disputed).is_(True),
            )
        )
    ).scalars()
    lifted = []
    now: datetime = utcnow()
    for invoice in invoices:
        invoice.disputed = False
        invoice.updated_at = now
        lifted.append(invoice.number)
    if lifted:
        add_event(
            session, thread=thread, kind="disputes_lifted", actor=actor,
            data={"invoices": sorted(lifted), "kept_by_other_threads": sorted(mine & still)},
        )  # fmt: skip
    return lifted


async def _disputed_by(
    session: AsyncSession, *, thread_ids: list[uuid.UUID], tenant_id: uuid.UUID
) -> set[str]:
    if not thread_ids:
        return set()
    rows = await session.execute(
        select(col(ThreadEvent.data)).where(
            col(ThreadEvent.tenant_id) == tenant_id,
            col(ThreadEvent.thread_id).in_(thread_ids),
            col(ThreadEvent.kind) == "invoices_disputed",
        )
    )
    return {str(number) for data in rows.scalars() for number in (data or {}).get("invoices", [])}
