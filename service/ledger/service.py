"""The portfolio rules: customers and invoices kept per tenant, and the aging report."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.consent.models import ConsentRecord
from service.consent.service import normalize_address
from service.errors import NotFound, Unprocessable
from service.ledger import normalize
from service.ledger.models import Customer, CustomerStatus, Invoice, InvoiceStatus
from service.ledger.schemas import AgingBucket, AgingReport, Bucket, CustomerPut, InvoicePut
from service.tenancy.models import Tenant
from service.types import utcnow

BUCKETS: tuple[Bucket, ...] = ("current", "1-30", "31-60", "61-90", "90+")


def format_money(value: Decimal, currency: str) -> str:
    """A decimal string with exactly the currency's minor units: "1234.50", "1200" (JPY)."""
    places = normalize.minor_units(currency)
    return f"{value.quantize(Decimal(1).scaleb(-places)):f}"


def _invalid(exc: normalize.InvalidField) -> Unprocessable:
    return Unprocessable(str(exc))


@dataclass(frozen=True)
class CustomerFields:
    """A customer's normalized fields, as both the API and the importer produce them."""

    name: str
    language: str | None
    locale: str | None
    timezone: str | None
    email: str | None
    phone: str | None
    tags: list[str]


def normalize_customer(payload: CustomerPut, *, country: str) -> CustomerFields:
    try:
        return CustomerFields(
            name=payload.name.strip(),
            language=normalize.language(payload.language) if payload.language else None,
            locale=normalize.locale(payload.locale) if payload.locale else None,
            timezone=normalize.timezone(payload.timezone) if payload.timezone else None,
            email=normalize.email(payload.email) if payload.email else None,
            phone=normalize.phone(payload.phone, country) if payload.phone else None,
            tags=sorted({tag.strip() for tag in payload.tags if tag.strip()}),
        )
    except normalize.InvalidField as exc:
        raise _invalid(exc) from exc


async def find_customer(
    session: AsyncSession, *, tenant_id: uuid.UUID, external_id: str
) -> Customer | None:
    result = await session.execute(
        select(Customer).where(
            col(Customer.tenant_id) == tenant_id, col(Customer.external_id) == external_id
        )
    )
    return result.scalar_one_or_none()


async def get_customer(
    session: AsyncSession, *, tenant_id: uuid.UUID, external_id: str
) -> Customer:
    customer = await find_customer(session, tenant_id=tenant_id, external_id=external_id)
    if customer is None:
        raise NotFound(f"customer {external_id!r} not found")
    return customer


async def put_customer(
    session: AsyncSession, *, tenant: Tenant, external_id: str, payload: CustomerPut
) -> tuple[Customer, bool]:
    """Create or replace a customer; returns it and whether it was created."""
    fields = normalize_customer(payload, country=tenant.country)
    customer = await find_customer(session, tenant_id=tenant.id, external_id=external_id)
    created = customer is None
    if customer is None:
        customer = Customer(tenant_id=tenant.id, external_id=external_id, name=fields.name)
        session.add(customer)
    values: dict[str, Any] = {
        "name": fields.name,
        "language": fields.language,
        "locale": fields.locale,
        "timezone": fields.timezone,
        "email": fields.email,
        "phone": fields.phone,
        "tags": fields.tags,
    }
    if payload.status is not None:
        values["status"] = payload.status
    changed = False
    for name, value in values.items():
        if getattr(customer, name) != value:
            setattr(customer, name, value)
            changed = True
    if changed and not created:
        customer.updated_at = utcnow()
    await session.flush()
    return customer, created


async def opted_out_channels(
    session: AsyncSession, *, tenant_id: uuid.UUID, customer: Customer
) -> list[str]:
    addresses = [
        and_(
            col(ConsentRecord.channel) == channel,
            col(ConsentRecord.address) == normalize_address(channel=channel, address=address),
        )
        for channel, address in (("email", customer.email), ("sms", customer.phone))
        if address
    ]
    addresses.append(
        and_(col(ConsentRecord.channel) == "portal", col(ConsentRecord.address) == str(customer.id))
    )
    result = await session.execute(
        select(col(ConsentRecord.channel)).where(
            col(ConsentRecord.tenant_id) == tenant_id,
            col(ConsentRecord.opted_out).is_(True),
            or_(*addresses),
        )
    )
    return sorted(set(result.scalars()))


async def find_invoice(
    session: AsyncSession, *, tenant_id: uuid.UUID, number: str
) -> Invoice | None:
    result = await session.execute(
        select(Invoice).where(col(Invoice.tenant_id) == tenant_id, col(Invoice.number) == number)
    )
    return result.scalar_one_or_none()


async def get_invoice(
    session: AsyncSession, *, tenant_id: uuid.UUID, number: str
) -> tuple[Invoice, Customer]:
    row = (
        await session.execute(
            select(Invoice, Customer)
            .join(Customer, col(Customer.id) == col(Invoice.customer_id))
            .where(col(Invoice.tenant_id) == tenant_id, col(Invoice.number) == number)
        )
    ).first()
    if row is None:
        raise NotFound(f"invoice {number!r} not found")
    return row[0], row[1]


async def put_invoice(
    session: AsyncSession, *, tenant: Tenant, number: str, payload: InvoicePut
) -> tuple[Invoice, Customer, bool]:
    customer = await find_customer(
        session, tenant_id=tenant.id, external_id=payload.customer_external_id
    )
    if customer is None:
        raise Unprocessable(
            f"customer_external_id: customer {payload.customer_external_id!r} does not exist; "
            "PUT /v1/customers/{external_id} first"
        )
    try:
        currency = normalize.currency(payload.currency)
        amount = normalize.money(payload.amount, field="amount", currency_code=currency)
        balance = normalize.money(payload.balance, field="balance", currency_code=currency)
    except normalize.InvalidField as exc:
        raise _invalid(exc) from exc
    if payload.due_on < payload.issued_on:
        raise Unprocessable("due_on: an invoice cannot fall due before it is issued")
    invoice = await find_invoice(session, tenant_id=tenant.id, number=number)
    created = invoice is None
    if invoice is None:
        invoice = Invoice(
            tenant_id=tenant.id,
            customer_id=customer.id,
            number=number,
            currency=currency,
            amount=amount,
            balance=balance,
            issued_on=payload.issued_on,
            due_on=payload.due_on,
        )
        session.add(invoice)
    values: dict[str, Any] = {
        "customer_id": customer.id,
        "currency": currency,
        "amount": amount,
        "balance": balance,
        "issued_on": payload.issued_on,
        "due_on": payload.due_on,
        "po_number": payload.po_number,
        "status": payload.status,
    }
    changed = False
    for name, value in values.items():
        if getattr(invoice, name) != value:
            setattr(invoice, name, value)
            changed = True
    if changed and not created:
        invoice.updated_at = utcnow()
    await session.flush()
    return invoice, customer, created


def _bucket_expression(as_of: date) -> Any:
    """Days past due on `as_of` as a bucket, by comparing due dates with cut-off dates: the same
    SQL on PostgreSQL and SQLite, and it lets the (tenant, status, due_on) index serve."""
    return case(
        (col(Invoice.due_on) >= as_of, "current"),
        (col(Invoice.due_on) >= as_of - timedelta(days=30), "1-30"),
        (col(Invoice.due_on) >= as_of - timedelta(days=60), "31-60"),
        (col(Invoice.due_on) >= as_of - timedelta(days=90), "61-90"),
        else_="90+",
    )


async def aging(session: AsyncSession, *, tenant_id: uuid.UUID, as_of: date) -> AgingReport:
    bucket = _bucket_expression(as_of).label("bucket")
    open_invoices = (
        col(Invoice.tenant_id) == tenant_id,
        col(Invoice.status) == InvoiceStatus.open,
        col(Invoice.balance) > 0,
    )
    counts = await session.execute(
        select(bucket, func.count(), func.count(func.distinct(Invoice.customer_id)))
        .where(*open_invoices)
        .group_by(bucket)
    )
    sums = await session.execute(
        select(bucket, col(Invoice.currency), func.sum(col(Invoice.balance)))
        .where(*open_invoices)
        .group_by(bucket, col(Invoice.currency))
    )
    per_bucket: dict[str, tuple[int, int]] = {row[0]: (row[1], row[2]) for row in counts}
    balances: dict[str, dict[str, str]] = defaultdict(dict)
    for name, currency, total in sums:
        balances[name][currency] = format_money(Decimal(total), currency)
    return AgingReport(
        as_of=as_of,
        buckets=[
            AgingBucket(
                bucket=name,
                invoices=per_bucket.get(name, (0, 0))[0],
                customers=per_bucket.get(name, (0, 0))[1],
                balance=dict(sorted(balances[name].items())),
            )
            for name in BUCKETS
        ],
    )


def is_reachable_status(status: CustomerStatus) -> bool:
    return status in (CustomerStatus.active, CustomerStatus.payment_plan)
