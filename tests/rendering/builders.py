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
# Worst realistic data: names near 60 characters with accents, a long public URL with the
# 40-character portal token, a referral naming a law firm in full.
LONGEST_NAME = "Distribuidora Hernández y Asociados del Noroeste S.A. de C.V."  # 61
LONGEST_SENDER = "Comercializadora Internacional de Aceros y Metales del Bajío"  # 59
# 93 characters: a long public URL and the 40-character portal token.
LONGEST_PORTAL_URL = (
    "https://cobranza.distribuidora-ejemplo.com.mx/portal/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_Ab"
)
LONG_REFERRAL = "Despacho Jurídico Martínez, Orozco y Asociados, S.C."
THREE_CURRENCIES = ("USD", "EUR", "MXN")
# Days past due the campaign steps send each template at (upcoming_due: before the due date).
STEP_DAYS = {
    "upcoming_due": -5,
    "reminder_friendly": 20,
    "reminder_firm": 45,
    "final_notice": 75,
    "escalation_notice": 95,
}


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


def worst_case_context(
    name: str, *, language: str, locale: str, currencies: tuple[str, ...] = THREE_CURRENCIES
) -> MessageContext:
    """The longest realistic message: five invoices of seven-digit balances in up to three
    currencies at the template's age, the longest names, URL and referral."""
    invoices = [
        InvoiceLine(
            number=f"FAC-2025-{10400 + n}",
            issued_on=NOW.date() - timedelta(days=STEP_DAYS.get(name, 45) + n + 30),
            due_on=NOW.date() - timedelta(days=STEP_DAYS.get(name, 45) + n),
            days_past_due=STEP_DAYS.get(name, 45) + n,
            balance=Decimal("1234567.89") + n,
            currency=currencies[n % len(currencies)],
            po_number=f"OC-{88000 + n}",
        )
        for n in range(5)
    ]
    return make_context(
        language=language,
        locale=locale,
        customer_name=LONGEST_NAME,
        tenant=make_tenant(LONGEST_SENDER),
        portal_url=LONGEST_PORTAL_URL,
        invoices=invoices,
        referral=LONG_REFERRAL,
        team="gbs",
        reference="DSP-2025-000123",
        promise_amount=Decimal("1234567.89"),
        promise_currency=currencies[-1],
        installments=[
            Installment(
                due_on=date(2025, 4, 1) + timedelta(days=30 * n),
                amount=Decimal("411522.63"),
                currency=currencies[-1],
            )
            for n in range(3)
        ],
        body="Revisamos la factura FAC-2025-10402: su pago del 3 de marzo la cubre. "
        "Cerramos la aclaración; no necesita hacer nada más.",
        agent_name="María Fernanda Gutiérrez",
        opted_out_channel="sms",
    )


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
