"""A demo tenant with a realistic, bilingual portfolio spread over every aging bucket."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import exists, select
from sqlmodel import col

from service.db import Database
from service.ledger import service as ledger
from service.ledger.schemas import CustomerPut, InvoicePut, Language
from service.tenancy import service as tenancy
from service.tenancy.clock import tenant_today
from service.tenancy.models import ApiKey, Role, Tenant

DEMO_TENANT = "Brightwater Office Solutions (demo)"
DEMO_KEY_NAME = "demo"

_EN_FIRST = ["Lam", "Moreau", "Harper", "Okafor", "Nguyen", "Patel", "Kowalski", "Brennan", "Reyes"]
_EN_KIND = ["Design Studio", "Bakery Supply", "Dental Group", "Logistics", "Hardware", "Print Shop"]
_ES_FIRST = [
    "Ferretería",
    "Abarrotes",
    "Distribuidora",
    "Papelería",
    "Clínica Dental",
    "Transportes",
]
_ES_LAST = ["Hernández", "Muñoz", "Del Valle", "Ibarra", "Peña", "Álvarez", "Cárdenas", "Núñez"]
_EN_ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
_ES_ZONES = [
    ("America/Mexico_City", "es_MX", "MX", "MXN"),
    ("America/Bogota", "es_CO", "CO", "USD"),
    ("Europe/Madrid", "es_ES", "ES", "EUR"),
    ("America/Los_Angeles", "es_US", "US", "USD"),
]
# Days past due of the generated invoices, one range per aging bucket.
_BUCKET_DAYS = [(-25, 0), (1, 30), (31, 60), (61, 90), (91, 240)]


async def _demo_tenant(database: Database) -> tuple[Tenant, str]:
    async with database.transaction() as session:
        # The demo's own tenant is the one it issued "demo" keys for: a tenant an operator
        # created under the same name is never touched (and never makes the look-up ambiguous).
        existing = (
            await session.execute(
                select(Tenant)
                .where(
                    col(Tenant.name) == DEMO_TENANT,
                    exists().where(
                        col(ApiKey.tenant_id) == col(Tenant.id), col(ApiKey.name) == DEMO_KEY_NAME
                    ),
                )
                .order_by(col(Tenant.created_at))
                .limit(1)
            )
        ).scalar_one_or_none()
        tenant = existing or await tenancy.create_tenant(
            session,
            name=DEMO_TENANT,
            language="en",
            timezone="America/New_York",
            country="US",
            email_from="ar@brightwater-office.example",
            sms_from="+14155550100",
            postal_address="1200 Harbor Blvd, Suite 400, Oakland, CA 94607",
        )
        _key, secret = await tenancy.issue_key(
            session, tenant_id=tenant.id, role=Role.admin, name=DEMO_KEY_NAME
        )
    return tenant, secret


def _customer(rng: random.Random, index: int) -> CustomerPut:
    spanish = index % 2 == 1
    has_email = rng.random() > 0.1
    has_phone = rng.random() > 0.25
    slug = f"c{index:04d}"
    locale: str | None
    if spanish:
        zone, locale, _country, _currency = rng.choice(_ES_ZONES)
        name = f"{rng.choice(_ES_FIRST)} {rng.choice(_ES_LAST)} S.A. de C.V."
        phone = f"+52 55 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
        language: Language | None = "es"
    else:
        zone, locale = rng.choice(_EN_ZONES), "en_US"
        name = f"{rng.choice(_EN_FIRST)} {rng.choice(_EN_KIND)}"
        phone = f"(415) 555-{rng.randint(1000, 1999)}"
        language = "en"
    if index % 17 == 0:
        language, locale = None, None  # language unknown: messages go out in both
    return CustomerPut(
        name=name,
        language=language,
        locale=locale,
        timezone=zone,
        email=f"ap+{slug}@customer.example" if has_email else None,
        phone=phone if has_phone else None,
        tags=["demo", "key-account"] if index % 23 == 0 else ["demo"],
    )


async def load_demo(
    database: Database, *, customers: int = 200, seed: int = 7
) -> dict[str, str | int]:
    """Create or refresh the demo portfolio; a re-run changes nothing but issues a new key."""
    rng = random.Random(seed)
    tenant, secret = await _demo_tenant(database)
    today = tenant_today(tenant)
    invoices = 0
    async with database.transaction() as session:
        for index in range(customers):
            payload = _customer(rng, index)
            external_id = f"DEMO-{index:04d}"
            await ledger.put_customer(
                session, tenant=tenant, external_id=external_id, payload=payload
            )
            currency = "USD"
            if payload.language == "es" and payload.timezone:
                currency = next(c for z, _l, _k, c in _ES_ZONES if z == payload.timezone)
            for number in range(4):
                low, high = _BUCKET_DAYS[(index + number) % len(_BUCKET_DAYS)]
                due_on = today - timedelta(days=rng.randint(low, high))
                amount = Decimal(rng.randint(8_000, 950_000)) / 100
                paid_part = Decimal(rng.choice([0, 0, 0, 25, 50])) / 100
                invoice = InvoicePut(
                    customer_external_id=external_id,
                    currency=currency,
                    amount=amount,
                    balance=(amount * (1 - paid_part)).quantize(Decimal("0.01")),
                    issued_on=due_on - timedelta(days=30),
                    due_on=due_on,
                    po_number=f"PO-{rng.randint(10000, 99999)}" if rng.random() > 0.3 else None,
                )
                await ledger.put_invoice(
                    session, tenant=tenant, number=f"INV-{index:04d}-{number}", payload=invoice
                )
                invoices += 1
    return {
        "tenant_id": str(tenant.id),
        "tenant_name": tenant.name,
        "api_key": secret,
        "customers": customers,
        "invoices": invoices,
        "as_of": date.isoformat(today),
    }
