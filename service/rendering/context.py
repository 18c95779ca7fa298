"""What a message is about: frozen value objects handed to the renderer.

Every text here that comes from a customer or an agent (names, reply bodies, PO numbers) is
data: templates print it, escaped in HTML, and never evaluate it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

__all__ = [
    "Installment",
    "InvoiceLine",
    "MessageContext",
    "Money",
    "SenderIdentity",
    "aging_bucket",
    "totals_by_currency",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class InvoiceLine:
    """One open invoice as a message shows it.

    `days_past_due` is negative while the invoice is not yet due (days left before due date).
    """

    number: str
    issued_on: date
    due_on: date
    days_past_due: int
    balance: Decimal
    currency: str
    po_number: str | None = None

    @property
    def overdue(self) -> bool:
        """Whether the due date has passed."""
        return self.days_past_due > 0

    @property
    def bucket(self) -> str:
        """The aging bucket: current, 1-30, 31-60, 61-90 or 90+."""
        return aging_bucket(self.days_past_due)


@dataclass(frozen=True, slots=True, kw_only=True)
class Installment:
    """One instalment of an agreed payment plan."""

    due_on: date
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SenderIdentity:
    """Who sends: the tenant's name and contact details, shown in every footer.

    Emails need `postal_address` (the renderer refuses an email without it); SMS and portal
    messages do not show it.
    """

    name: str
    email: str
    phone: str | None
    postal_address: str | None
    website: str | None = None


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency."""

    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageContext:
    """Everything a template may show for one customer.

    `language` is the customer's ("en", "es" or None when unknown); `default_language` and
    `country` are the tenant's. With `language` None and `bilingual` set, email and portal
    carry both languages. `timezone` is the customer's IANA zone: datetimes show in it.
    `referral` is what the tenant's policy names at 90+ days: "legal", "agency" or a text of
    its own. `team` is a team key (sales, gbs, collections, legal) or a name. `extra` holds
    a tenant's own name/text pairs for its overridden templates (`{{ extra.key }}`).
    """

    customer_name: str
    tenant: SenderIdentity
    portal_url: str
    now: datetime
    timezone: str = "UTC"
    language: str | None = None
    locale: str | None = None
    default_language: str = "en"
    country: str | None = None
    bilingual: bool = False
    invoices: Sequence[InvoiceLine] = ()
    opt_out_url: str | None = None
    referral: str | None = None
    reference: str | None = None
    team: str | None = None
    response_time_hours: int | None = None
    promise_date: date | None = None
    promise_amount: Decimal | None = None
    promise_currency: str | None = None
    installments: Sequence[Installment] = ()
    body: str | None = None
    agent_name: str | None = None
    opted_out_channel: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())

    def totals(self) -> tuple[Money, ...]:
        """Open balance per currency, currencies in order of first appearance."""
        return totals_by_currency(self.invoices)


def totals_by_currency(invoices: Sequence[InvoiceLine]) -> tuple[Money, ...]:
    """Sum balances per currency; never adds amounts of different currencies."""
    sums: dict[str, Decimal] = {}
    for invoice in invoices:
        sums[invoice.currency] = sums.get(invoice.currency, Decimal(0)) + invoice.balance
    return tuple(Money(amount=amount, currency=currency) for currency, amount in sums.items())


def aging_bucket(days_past_due: int) -> str:
    """The aging bucket of an invoice `days_past_due` days late (Cobro's API buckets)."""
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "1-30"
    if days_past_due <= 60:
        return "31-60"
    if days_past_due <= 90:
        return "61-90"
    return "90+"
