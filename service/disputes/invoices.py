"""Which invoices a reply is about.

The invoice numbers of that customer the text mentions (in full, or by a distinctive run of
four or more trailing digits: "la 10432" for INV-10432); else those of the reminder it answers;
else those of the thread.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.ledger.models import Invoice, InvoiceStatus
from service.threads.models import Direction, Message, Thread

_TRAILING_DIGITS = re.compile(r"(\d{4,})$")
_REPLY_SUBJECT = re.compile(r"^\s*(?:re|fw|fwd|rv|aw|tr|res|wg)\s*:", re.IGNORECASE)


def _pattern(token: str) -> re.Pattern[str]:
    # Not inside a longer word or number, not an amount ("$10432", "10432.50").
    return re.compile(
        r"(?<![\w$€£¥#.,/-])" + re.escape(token.casefold()) + r"(?![\w]|[.,/-]\d)", re.UNICODE
    )


def mentioned(text: str, numbers: Sequence[str]) -> list[str]:
    """The invoice numbers among ``numbers`` that ``text`` names, in the order it names them."""
    if not text or not numbers:
        return []
    folded = text.casefold()
    found: dict[str, int] = {}
    for number in numbers:
        hit = re.search(r"(?<![\w-])" + re.escape(number.casefold()) + r"(?![\w]|[.,]\d)", folded)
        if hit:
            found[number] = hit.start()
    tails: dict[str, list[str]] = {}
    for number in numbers:
        digits = _TRAILING_DIGITS.search(number)
        if digits and digits.group(1) != number:
            tails.setdefault(digits.group(1).lstrip("0") or "0", []).append(number)
    for tail, owners in tails.items():
        if len(owners) != 1 or owners[0] in found:
            continue  # a run of digits two invoices share names neither
        hit = _pattern(tail).search(folded)
        if hit:
            found[owners[0]] = hit.start()
    return sorted(found, key=lambda number: found[number])


@dataclass(frozen=True)
class Concerned:
    invoices: list[Invoice]
    source: str  # text, declared, reminder, thread, none

    @property
    def numbers(self) -> list[str]:
        return [invoice.number for invoice in self.invoices]

    @property
    def open_invoices(self) -> list[Invoice]:
        return [i for i in self.invoices if i.status == InvoiceStatus.open and i.balance > 0]

    def balances(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for invoice in self.open_invoices:
            totals[invoice.currency] = totals.get(invoice.currency, Decimal(0)) + invoice.balance
        return totals


def _own_subject(message: Message) -> str:
    subject = message.subject or ""
    return "" if _REPLY_SUBJECT.match(subject) else subject


async def customer_invoices(
    session: AsyncSession, *, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> list[Invoice]:
    result = await session.execute(
        select(Invoice).where(
            col(Invoice.tenant_id) == tenant_id, col(Invoice.customer_id) == customer_id
        )
    )
    return list(result.scalars())


async def _reminder_numbers(
    session: AsyncSession, *, thread: Thread, message: Message
) -> list[str]:
    """The invoices of the reminder ``message`` answers: the one its In-Reply-To names, else the
    thread's latest outbound message that carried invoices."""
    outbound = list(
        (
            await session.execute(
                select(Message)
                .where(
                    col(Message.tenant_id) == thread.tenant_id,
                    col(Message.thread_id) == thread.id,
                    col(Message.direction) == Direction.outbound,
                )
                .order_by(col(Message.created_at).desc())
                .limit(50)
            )
        ).scalars()
    )
    replied_to = (message.headers or {}).get("In-Reply-To", "").strip().strip("<>")
    if replied_to:
        for candidate in outbound:
            if (candidate.email_message_id or "").strip("<>") == replied_to:
                if candidate.invoice_numbers:
                    return list(candidate.invoice_numbers)
    for candidate in outbound:
        if candidate.invoice_numbers:
            return list(candidate.invoice_numbers)
    return []


async def concerned_invoices(
    session: AsyncSession,
    *,
    thread: Thread,
    message: Message,
    declared_numbers: Sequence[str] = (),
) -> Concerned:
    """The invoices of the thread's customer that ``message`` concerns (module docstring);
    numbers a customer declared in the portal come first."""
    if thread.customer_id is None:
        return Concerned([], "none")
    owned = await customer_invoices(
        session, tenant_id=thread.tenant_id, customer_id=thread.customer_id
    )
    by_number = {invoice.number: invoice for invoice in owned}

    def pick(numbers: Sequence[str]) -> list[Invoice]:
        return [by_number[number] for number in dict.fromkeys(numbers) if number in by_number]

    candidates: list[tuple[str, list[Invoice]]] = [
        ("declared", pick(declared_numbers)),
        ("text", pick(mentioned(message.body_clean or "", list(by_number)))),
        # A reply's subject is ours ("Re: Invoice INV-7 is due"); only the customer's own counts.
        ("subject", pick(mentioned(_own_subject(message), list(by_number)))),
    ]
    for source, invoices in candidates:
        if invoices:
            return Concerned(invoices, source)
    reminder = pick(await _reminder_numbers(session, thread=thread, message=message))
    if reminder:
        return Concerned(reminder, "reminder")
    own = pick(thread.invoice_numbers)
    return Concerned(own, "thread" if own else "none")
