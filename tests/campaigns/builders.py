"""Builders for campaign tests: a runner context on the test runtime, and portfolio helpers."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import update
from sqlmodel import col

from service.campaigns import runner
from service.consent.models import ConsentRecord
from service.db import Database
from service.ledger.models import Customer, Invoice
from service.runtime import Runtime
from tests.tenancy.builders import TenantHandle


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
        # Quiet hours off by default in tests that are not about them: every hour allowed.
        "rules": {"quiet_hours_start": "00:00", "quiet_hours_end": "00:00",
                  "send_on_weekends": True, "min_gap_hours": 0},
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
    response = await client.get(f"/v1/runs/{run_id}/messages?limit=500", headers=tenant.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


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
