"""What a customer sends through the portal: messages, disputes and promises to pay.

Each is checked against the customer's own threads and open invoices, then stored like any
inbound payload (``receive_portal_message``) and threaded, classified and routed by the
``process_inbound`` job; disputes and promises carry the labels the customer declared.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.errors import NotFound
from service.inbound.service import Declared, StoredPayload, receive_portal_message
from service.ledger.models import Invoice
from service.portal.schemas import AMOUNT_PATTERN, BODY_MAX, DISPUTE_REASONS
from service.portal.service import (
    PROMISE_HORIZON_DAYS,
    Access,
    PortalRefused,
    open_invoices_of,
)
from service.portal.texts import promise_text
from service.threads.models import Thread

_AMOUNT = re.compile(AMOUNT_PATTERN)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _body(text: str | None, *, required: bool) -> str:
    body = (text or "").strip()
    if required and not body:
        raise PortalRefused("body_empty", "body: write a message")
    if len(body) > BODY_MAX:
        raise PortalRefused("body_too_long", f"body: at most {BODY_MAX} characters")
    return body


async def _customer_thread(session: AsyncSession, access: Access, thread_id: uuid.UUID) -> None:
    found = (
        await session.execute(
            select(col(Thread.id)).where(
                col(Thread.id) == thread_id,
                col(Thread.tenant_id) == access.tenant.id,
                col(Thread.customer_id) == access.customer.id,
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("thread not found")


async def open_invoices_named(
    session: AsyncSession, *, access: Access, numbers: Sequence[str]
) -> list[Invoice]:
    """The customer's open invoices with these numbers; 422 naming any number that is not one
    (another customer's invoice, a paid one or a typo all read the same)."""
    wanted = list(dict.fromkeys(number.strip() for number in numbers if number.strip()))
    if not wanted:
        return []
    found = {
        invoice.number: invoice
        for invoice in await open_invoices_of(session, access=access)
        if invoice.number in wanted
    }
    unknown = [number for number in wanted if number not in found]
    if unknown:
        raise PortalRefused(
            "unknown_invoices",
            "invoice_numbers: not open invoices of this customer: " + ", ".join(unknown),
            values=unknown,
        )
    return [found[number] for number in wanted]


def parse_amount(text: str | None) -> Decimal | None:
    """A positive decimal string ("1250.50") as a Decimal; None when empty."""
    raw = (text or "").strip()
    if not raw:
        return None
    if not _AMOUNT.match(raw):
        raise PortalRefused("amount", "amount: a positive decimal string such as 1250.50")
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:  # the pattern admits none, kept for safety of the cast
        raise PortalRefused("amount", "amount: a positive decimal string") from exc
    if amount <= 0:
        raise PortalRefused("amount", "amount: must be greater than zero")
    return amount


def parse_date(text: str | None) -> date:
    """A calendar date as a form posts it (YYYY-MM-DD)."""
    raw = (text or "").strip()
    try:
        if not _ISO_DATE.match(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise PortalRefused("date_invalid", "date: use YYYY-MM-DD") from exc


def check_promise_date(access: Access, on: date) -> date:
    today = access.today()
    if on < today:
        raise PortalRefused("date_past", f"date: must not be before today ({today.isoformat()})")
    if on > today + timedelta(days=PROMISE_HORIZON_DAYS):
        raise PortalRefused(
            "date_too_far", f"date: must be within {PROMISE_HORIZON_DAYS} days of today"
        )
    return on


def _key(kind: str, dedupe_key: str | None) -> str | None:
    return f"{kind}:{dedupe_key}" if dedupe_key else None


async def submit_message(
    session: AsyncSession,
    *,
    access: Access,
    body: str,
    thread_id: uuid.UUID | None,
    dedupe_key: str | None = None,
) -> StoredPayload:
    text = _body(body, required=True)
    if thread_id is not None:
        await _customer_thread(session, access, thread_id)
    return await receive_portal_message(
        session,
        tenant_id=access.tenant.id,
        customer_id=access.customer.id,
        body=text,
        thread_id=thread_id,
        dedupe_key=_key("message", dedupe_key),
    )


async def submit_dispute(
    session: AsyncSession,
    *,
    access: Access,
    invoice_numbers: Sequence[str],
    reason: str,
    body: str,
    dedupe_key: str | None = None,
) -> StoredPayload:
    if reason not in DISPUTE_REASONS:
        raise PortalRefused("reason", "reason: use one of " + ", ".join(DISPUTE_REASONS))
    invoices = await open_invoices_named(session, access=access, numbers=invoice_numbers)
    if not invoices:
        raise PortalRefused("no_invoices", "invoice_numbers: name at least one open invoice")
    text = _body(body, required=True)
    declared = Declared(
        intent="dispute",
        reason=reason,
        invoice_numbers=tuple(invoice.number for invoice in invoices),
    )
    return await receive_portal_message(
        session,
        tenant_id=access.tenant.id,
        customer_id=access.customer.id,
        body=text,
        dedupe_key=_key("dispute", dedupe_key),
        declared=declared,
    )


async def submit_promise(
    session: AsyncSession,
    *,
    access: Access,
    on: date,
    amount: Decimal | None,
    invoice_numbers: Sequence[str] = (),
    note: str | None = None,
    dedupe_key: str | None = None,
) -> StoredPayload:
    """A promise to pay by ``on``; with no invoices named it stands for the account as a whole."""
    check_promise_date(access, on)
    if amount is not None and amount <= 0:
        raise PortalRefused("amount", "amount: must be greater than zero")
    invoices = await open_invoices_named(session, access=access, numbers=invoice_numbers)
    comment = _body(note, required=False)
    language = access.language()
    currencies = {
        invoice.currency for invoice in (invoices or await open_invoices_of(session, access=access))
    }
    sentence = promise_text(
        language,
        fmt=access.formatter(language),
        on=on,
        amount=amount,
        currency=currencies.pop() if len(currencies) == 1 else None,
        invoice_numbers=[invoice.number for invoice in invoices],
    )
    declared = Declared(
        intent="promise_to_pay",
        invoice_numbers=tuple(invoice.number for invoice in invoices),
        promise_date=on,
        promise_amount=amount,
    )
    return await receive_portal_message(
        session,
        tenant_id=access.tenant.id,
        customer_id=access.customer.id,
        body=f"{sentence}\n\n{comment}" if comment else sentence,
        dedupe_key=_key("promise", dedupe_key),
        declared=declared,
    )
