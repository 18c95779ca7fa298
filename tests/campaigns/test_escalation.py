"""An escalation step puts the customer in the collections queue, whoever works it already."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import col

from service.campaigns import runner
from service.db import Database
from service.ledger.models import Customer
from service.runtime import Runtime
from service.threads import service as threads
from service.threads.models import Thread, ThreadEvent, ThreadStatus
from tests.campaigns.builders import (
    add_customer,
    as_uuid,
    by_customer,
    create_campaign,
    plan,
    runner_context,
)
from tests.tenancy.builders import TenantHandle

ESCALATION = [
    {"name": "escalation", "min_days_past_due": 91, "max_days_past_due": 3650,
     "channels": ["email"], "template": "escalation_notice", "opens_thread": True},
]  # fmt: skip


async def _open_thread(
    database: Database, tenant: TenantHandle, external_id: str, *, team: str | None,
    status: ThreadStatus,
) -> uuid.UUID:  # fmt: skip
    async with database.transaction() as session:
        customer = (
            await session.execute(
                select(Customer).where(
                    col(Customer.tenant_id) == tenant.tenant.id,
                    col(Customer.external_id) == external_id,
                )
            )
        ).scalar_one()
        thread = await threads.open_thread(
            session, tenant_id=tenant.tenant.id, customer_id=customer.id, subject="Invoice",
            why="test",
        )  # fmt: skip
        thread.team = team
        thread.status = status
        return thread.id


async def _escalate(
    client: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle, external_id: str
) -> uuid.UUID:
    campaign = await create_campaign(client, tenant, steps=ESCALATION)
    run_id, _report, _planned = await plan(client, runtime, tenant, campaign["id"])
    assert await runner.dispatch(runner_context(runtime), run_id=as_uuid(run_id)) == 1
    message = (await by_customer(client, tenant, run_id))[external_id]
    return as_uuid(message["thread_id"])


async def _events(database: Database, thread_id: uuid.UUID) -> list[tuple[str, dict[str, str]]]:
    async with database.transaction() as session:
        rows = await session.execute(
            select(ThreadEvent)
            .where(col(ThreadEvent.thread_id) == thread_id)
            .order_by(col(ThreadEvent.created_at))
        )
        return [(event.kind, dict(event.data)) for event in rows.scalars()]


async def test_escalation_beside_another_teams_thread_opens_one_in_collections(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    await add_customer(client, tenant, "DISPUTER", days=[120])
    sales = await _open_thread(database, tenant, "DISPUTER", team="sales", status=ThreadStatus.open)
    escalated = await _escalate(client, runtime, tenant, "DISPUTER")
    assert escalated != sales
    async with database.transaction() as session:
        collections = await session.get(Thread, escalated)
        worked = await session.get(Thread, sales)
        assert collections is not None
        assert worked is not None
        assert (collections.team, collections.status) == ("collections", "open")
        # Sales keeps its thread and its work; the thread says collections took the account.
        assert (worked.team, worked.status) == ("sales", "open")
        reference = collections.reference
    rule = "campaign step escalation opens a thread"
    escalated_event = ("escalated", {"team": "collections", "thread": reference, "rule": rule})
    assert escalated_event in await _events(database, sales)
    assert [kind for kind, _data in await _events(database, escalated)] == ["opened", "routed"]


@pytest.mark.parametrize(
    ("team", "status"), [(None, ThreadStatus.pending), ("collections", ThreadStatus.open)]
)
async def test_escalation_uses_the_reminder_thread_or_the_collections_one(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle,
    team: str | None, status: ThreadStatus,
) -> None:  # fmt: skip
    await add_customer(client, tenant, "OVERDUE", days=[120])
    existing = await _open_thread(database, tenant, "OVERDUE", team=team, status=status)
    assert await _escalate(client, runtime, tenant, "OVERDUE") == existing
    async with database.transaction() as session:
        thread = await session.get(Thread, existing)
        assert thread is not None
        assert (thread.team, thread.status) == ("collections", "open")
