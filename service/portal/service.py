"""The customer portal's rules: who a link lets in, what that customer sees, and how what they
send becomes an inbound message.

A portal token names one customer (service.security), so every query here is bound to that
customer and its tenant: no id a customer types (a thread, an invoice number) reaches another
customer's data. What the customer sends is stored like any inbound payload and threaded,
classified and routed by the ``process_inbound`` job; disputes and promises carry the labels the
customer declared.

A valid token whose customer no longer exists answers 403 like an expired one: to the person
holding the link, it simply no longer works, and the answer tells nothing more.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.config import Settings
from service.errors import Forbidden, NotFound, Unprocessable
from service.inbound.service import Declared, StoredPayload, receive_portal_message
from service.ledger.models import Customer, Invoice
from service.ledger.service import format_money
from service.portal.schemas import (
    AMOUNT_PATTERN,
    BODY_MAX,
    DISPUTE_REASONS,
    PortalCustomer,
    PortalInvoice,
    PortalMessage,
    PortalSender,
    PortalThread,
    PortalTotal,
    PortalView,
    PromiseWindow,
)
from service.portal.texts import Language, promise_text
from service.rendering.formatting import Formatter, formatter_for
from service.rendering.locales import locale_for
from service.security import read_portal_token
from service.templating.service import customer_today, open_invoices
from service.tenancy.models import Tenant
from service.threads.models import Direction, Message, MessageStatus, Thread

PROMISE_HORIZON_DAYS = 180
THREADS_SHOWN = 50
MESSAGES_SHOWN = 500
# Outbound messages the customer was sent (or that were on their way): a planned or skipped
# message, one still queued, or one that failed before leaving, never reached them.
VISIBLE_OUTBOUND = (
    MessageStatus.sending,
    MessageStatus.sent,
    MessageStatus.delivered,
    MessageStatus.bounced,
    MessageStatus.undelivered,
)
_AMOUNT = re.compile(AMOUNT_PATTERN)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class LinkNotValid(Forbidden):
    """An expired, forged or malformed token, or one whose customer is gone."""


class PortalRefused(Unprocessable):
    """Input the portal refuses; ``code`` names the problem for the pages' translated text."""

    def __init__(self, code: str, detail: str, *, values: Sequence[str] = ()) -> None:
        super().__init__(detail)
        self.code = code
        self.values = tuple(values)


@dataclass(frozen=True)
class Access:
    """What a valid link opens: one customer of one tenant, until ``expires_at``."""

    customer: Customer
    tenant: Tenant
    expires_at: datetime

    def language(self, requested: str | None = None) -> Language:
        """The language asked for, else the customer's, else the tenant's default."""
        for candidate in (requested, self.customer.language, self.tenant.language):
            if candidate in ("en", "es"):
                return "es" if candidate == "es" else "en"
        return "en"

    def formatter(self, language: Language) -> Formatter:
        return formatter_for(
            locale_for(language, locale=self.customer.locale, country=self.tenant.country)
        )

    @property
    def timezone(self) -> str:
        return self.customer.timezone or self.tenant.timezone

    def today(self) -> date:
        return customer_today(self.customer, self.tenant)


async def open_access(session: AsyncSession, *, settings: Settings, token: str) -> Access:
    grant = read_portal_token(settings.resolved_secret_key(), token)
    if grant is None:
        raise LinkNotValid("this portal link has expired or is not valid")
    customer = await session.get(Customer, grant.customer_id)
    tenant = await session.get(Tenant, customer.tenant_id) if customer else None
    if customer is None or tenant is None:
        raise LinkNotValid("this portal link has expired or is not valid")
    return Access(customer=customer, tenant=tenant, expires_at=grant.expires_at)


# --- What the customer sees ------------------------------------------------------------------


async def _open_invoices(session: AsyncSession, access: Access) -> list[Invoice]:
    found = await open_invoices(session, tenant_id=access.tenant.id, customer_id=access.customer.id)
    return sorted(found, key=lambda invoice: (invoice.due_on, invoice.number))


def _invoice(invoice: Invoice, today: date) -> PortalInvoice:
    return PortalInvoice(
        number=invoice.number,
        currency=invoice.currency,
        amount=format_money(invoice.amount, invoice.currency),
        balance=format_money(invoice.balance, invoice.currency),
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        days_past_due=(today - invoice.due_on).days,
        po_number=invoice.po_number,
    )


def _totals(invoices: Sequence[Invoice]) -> list[PortalTotal]:
    sums: dict[str, Decimal] = {}
    for invoice in invoices:
        sums[invoice.currency] = sums.get(invoice.currency, Decimal(0)) + invoice.balance
    return [
        PortalTotal(currency=currency, balance=format_money(total, currency))
        for currency, total in sorted(sums.items())
    ]


async def customer_threads(session: AsyncSession, *, access: Access) -> list[PortalThread]:
    """The customer's threads, newest activity first, each with the messages meant for the
    customer: what was sent to them and what they wrote. Internal notes, messages planned,
    skipped or never sent, and automatic mail (auto-replies, bounces) are left out."""
    tenant_id, customer_id = access.tenant.id, access.customer.id
    activity = func.coalesce(col(Thread.last_message_at), col(Thread.created_at))
    threads = list(
        (
            await session.execute(
                select(Thread)
                .where(col(Thread.tenant_id) == tenant_id, col(Thread.customer_id) == customer_id)
                .order_by(activity.desc(), col(Thread.id))
                .limit(THREADS_SHOWN)
            )
        ).scalars()
    )
    if not threads:
        return []
    messages = (
        await session.execute(
            select(Message)
            .where(
                col(Message.tenant_id) == tenant_id,
                col(Message.customer_id) == customer_id,
                col(Message.thread_id).in_([thread.id for thread in threads]),
                or_(
                    and_(
                        col(Message.direction) == Direction.outbound,
                        col(Message.status).in_(VISIBLE_OUTBOUND),
                    ),
                    and_(
                        col(Message.direction) == Direction.inbound,
                        col(Message.automatic).is_(None),
                    ),
                ),
            )
            .order_by(col(Message.created_at).desc(), col(Message.id))
            .limit(MESSAGES_SHOWN)
        )
    ).scalars()
    by_thread: dict[uuid.UUID, list[PortalMessage]] = {}
    for message in messages:
        if message.thread_id is None:
            continue
        by_thread.setdefault(message.thread_id, []).append(_message(message))
    shown = []
    for thread in threads:
        found = by_thread.get(thread.id)
        if not found:
            continue
        shown.append(
            PortalThread(
                id=thread.id,
                reference=thread.reference,
                subject=thread.subject,
                status=thread.status,
                last_message_at=thread.last_message_at,
                messages=list(reversed(found)),
            )
        )
    return shown


def _message(message: Message) -> PortalMessage:
    inbound = message.direction == Direction.inbound
    # A customer's own email is shown as they wrote it, without our reminder they quoted.
    body = ((message.body_clean or "").strip() or message.body) if inbound else message.body
    return PortalMessage(
        id=message.id,
        direction="inbound" if inbound else "outbound",
        channel=message.channel,
        subject=message.subject,
        body=body,
        created_at=message.sent_at or message.created_at,
    )


async def portal_view(
    session: AsyncSession, *, access: Access, language: Language | None = None
) -> PortalView:
    today = access.today()
    invoices = await _open_invoices(session, access)
    tenant = access.tenant
    return PortalView(
        customer=PortalCustomer(name=access.customer.name),
        sender=PortalSender(
            name=tenant.email_from_name or tenant.name,
            email=tenant.email_from,
            phone=tenant.sms_from,
        ),
        language=language or access.language(),
        expires_at=access.expires_at,
        invoices=[_invoice(invoice, today) for invoice in invoices],
        totals=_totals(invoices),
        threads=await customer_threads(session, access=access),
        dispute_reasons=list(DISPUTE_REASONS),
        promise_window=PromiseWindow(
            earliest=today, latest=today + timedelta(days=PROMISE_HORIZON_DAYS)
        ),
    )


# --- What the customer sends -----------------------------------------------------------------


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
        for invoice in await _open_invoices(session, access)
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
        invoice.currency for invoice in (invoices or await _open_invoices(session, access))
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
