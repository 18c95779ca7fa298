"""Builders for campaign tests: a runner context on the test runtime, and portfolio helpers."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update
from sqlmodel import col

from service.campaigns import runner
from service.consent.models import ConsentRecord
from service.db import Database
from service.ledger.models import Customer, Invoice
from service.runtime import Runtime
from tests.ledger.builders import put_customer, put_invoice
from tests.tenancy.builders import TenantHandle

# A Monday.
AS_OF = date(2026, 6, 15)
# Rules for tests that are not about the contact window or the gap: every hour allowed.
NO_QUIET_HOURS: dict[str, Any] = {
    "quiet_hours_start": "00:00", "quiet_hours_end": "00:00", "send_on_weekends": True,
    "min_gap_hours": 0,
}  # fmt: skip


def runner_context(runtime: Runtime) -> runner.Context:
    return runner.Context(
        database=runtime.database, settings=runtime.settings, templates=runtime.templates
    )


async def create_campaign(
    client: httpx.AsyncClient, tenant: TenantHandle, **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Test reminders",
        "steps": [
            {"name": "friendly", "min_days_past_due": 1, "max_days_past_due": 30,
             "channels": ["email", "sms"], "template": "reminder_friendly"},
            {"name": "firm", "min_days_past_due": 31, "max_days_past_due": 60,
             "channels": ["email", "sms"], "template": "reminder_firm"},
        ],
        "rules": NO_QUIET_HOURS,
    }  # fmt: skip
    body.update(overrides)
    response = await client.post("/v1/campaigns", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def start_run(
    client: httpx.AsyncClient, tenant: TenantHandle, campaign_id: str, **body: Any
) -> str:
    response = await client.post(
        f"/v1/campaigns/{campaign_id}/runs", json=body, headers=tenant.headers
    )
    assert response.status_code == 202, response.text
    run_id: str = response.json()["run_id"]
    return run_id


async def messages(
    client: httpx.AsyncClient, tenant: TenantHandle, run_id: str
) -> list[dict[str, Any]]:
    """Every message of the run, page after page."""
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        response = await client.get(
            f"/v1/runs/{run_id}/messages?limit=200{cursor}", headers=tenant.headers
        )
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        if page["next_cursor"] is None:
            return items
        cursor = f"&cursor={page['next_cursor']}"


async def add_customer(
    client: httpx.AsyncClient, tenant: TenantHandle, external_id: str, *, days: list[int],
    balance: str = "100.00", currency: str = "USD", as_of: date = AS_OF, **fields: Any,
) -> None:  # fmt: skip
    """A customer with one invoice per entry of `days` (days past due on `as_of`), numbered
    EXTERNAL-0, EXTERNAL-1 ..."""
    fields.setdefault("email", f"{external_id.lower()}@customer.example")
    fields.setdefault("phone", "+14155550123")
    await put_customer(client, tenant, external_id, **fields)
    for index, overdue in enumerate(days):
        await put_invoice(
            client, tenant, f"{external_id}-{index}", customer=external_id,
            due_on=as_of - timedelta(days=overdue), balance=balance, currency=currency,
        )  # fmt: skip


async def plan(
    client: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle, campaign_id: str,
    *, now: datetime | None = None, **body: Any,
) -> tuple[str, dict[str, Any], dict[str, dict[str, Any]]]:  # fmt: skip
    """Start and plan a run (as of AS_OF unless told); its report and its messages by customer."""
    body.setdefault("as_of", AS_OF.isoformat())
    run_id = await start_run(client, tenant, campaign_id, **body)
    await runner.plan(runner_context(runtime), run_id=as_uuid(run_id), now=now)
    return run_id, await report(client, tenant, run_id), await by_customer(client, tenant, run_id)


async def report(client: httpx.AsyncClient, tenant: TenantHandle, run_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/runs/{run_id}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def by_customer(
    client: httpx.AsyncClient, tenant: TenantHandle, run_id: str
) -> dict[str, dict[str, Any]]:
    return {m["customer"]: m for m in await messages(client, tenant, run_id)}


async def opt_out(database: Database, tenant: TenantHandle, channel: str, address: str) -> None:
    async with database.transaction() as session:
        session.add(
            ConsentRecord(
                tenant_id=tenant.tenant.id, channel=channel, address=address, source="test"
            )
        )


async def set_invoice(database: Database, tenant: TenantHandle, number: str, **values: Any) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(Invoice)
            .where(col(Invoice.tenant_id) == tenant.tenant.id, col(Invoice.number) == number)
            .values(**values)
        )


async def set_customer(
    database: Database, tenant: TenantHandle, external_id: str, **values: Any
) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(Customer)
            .where(
                col(Customer.tenant_id) == tenant.tenant.id,
                col(Customer.external_id) == external_id,
            )
            .values(**values)
        )


def as_uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)
