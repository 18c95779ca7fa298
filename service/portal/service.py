"""The customer portal's rules: who a link lets in, and what that customer sees.

A portal token names one customer (service.security), so every query here is bound to that
customer and its tenant: no id a customer types (a thread, an invoice number) reaches another
customer's data. What the customer sends is taken by service.portal.submissions.

A valid token whose customer no longer exists answers 403 like an expired one: to the person
holding the link, it simply no longer works, and the answer tells nothing more.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.config import Settings
from service.errors import Forbidden, Unprocessable
from service.ledger.models import Customer, Invoice
from service.ledger.service import format_money
from service.portal.schemas import (
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
from service.portal.texts import Language
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


async def open_invoices_of(session: AsyncSession, *, access: Access) -> list[Invoice]:
    """The customer's open invoices, the soonest due first."""
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
    invoices = await open_invoices_of(session, access=access)
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
