"""Builders for rendering tests: small, explicit data, no shared state."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from service.rendering import Installment, InvoiceLine, MessageContext, SenderIdentity

NOW = datetime(2025, 3, 8, 3, 0, tzinfo=UTC)
LONG_NAME = "Distribuidora Ferretera del Noroeste SAS"  # 40 characters
LONG_TENANT = "Suministros Industriales Acme"  # 29 characters
PORTAL_URL = "https://cobro.example.com/p/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg"  # 70


def make_tenant(name: str = "Acme Supplies") -> SenderIdentity:
    return SenderIdentity(
        name=name,
        email="ar@acme.example",
        phone="+1 512 555 0100",
        postal_address="100 Congress Ave, Suite 200\nAustin, TX 78701",
        website="https://acme.example",
    )


def make_invoices(
    count: int, *, days_past_due: int = 45, currencies: tuple[str, ...] = ("USD",)
) -> list[InvoiceLine]:
    invoices = []
    for n in range(count):
        due = NOW.date() - timedelta(days=days_past_due + n)
        invoices.append(
            InvoiceLine(
                number=f"INV-{1000 + n}",
                issued_on=due - timedelta(days=30),
                due_on=due,
                days_past_due=days_past_due + n,
                balance=Decimal("123456.78") + n,
                currency=currencies[n % len(currencies)],
                po_number=f"PO-{77000 + n}" if n % 2 == 0 else None,
            )
        )
    return invoices


def make_context(**changes: Any) -> MessageContext:
    values: dict[str, Any] = {
        "customer_name": "Ferretería López",
        "tenant": make_tenant(),
        "portal_url": "https://cobro.example.com/p/abc123",
        "opt_out_url": "https://cobro.example.com/u/abc123",
        "now": NOW,
        "timezone": "America/Mexico_City",
        "language": "es",
        "invoices": make_invoices(3),
        "referral": "legal",
        "reference": "D-2025-0042",
        "team": "collections",
        "response_time_hours": 48,
        "promise_date": date(2025, 3, 20),
        "promise_amount": Decimal("5000.00"),
        "promise_currency": "USD",
        "installments": [
            Installment(due_on=date(2025, 4, 1), amount=Decimal("1000.00"), currency="USD"),
            Installment(due_on=date(2025, 5, 1), amount=Decimal("1000.00"), currency="USD"),
        ],
        "body": "Thanks for your message.\n\nWe applied your payment on March 3.",
        "agent_name": "Ana Ruiz",
        "opted_out_channel": "sms",
    }
    values.update(changes)
    return MessageContext(**values)
