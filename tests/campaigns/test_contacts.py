"""The minimum gap and the weekly cap hold across campaigns, at planning and at send time, and
count from when a message went out (or is planned to), not from when a run planned it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select
from sqlmodel import col

from service.campaigns import runner
from service.db import Database
from service.ledger.models import Customer
from service.runtime import Runtime
from service.threads.models import Direction, Message, MessageStatus
from tests.campaigns.builders import (
    AS_OF,
    NO_QUIET_HOURS,
    add_customer,
    as_uuid,
    by_customer,
    create_campaign,
    plan,
    runner_context,
    start_run,
)
from tests.tenancy.builders import TenantHandle

# 05:00 in New York on AS_OF: before the contact window opens at 08:00.
BEFORE_WINDOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
OPENS = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


async def _customer_id(database: Database, tenant: TenantHandle, external_id: str) -> str:
    async with database.transaction() as session:
        found = await session.scalar(
            select(col(Customer.id)).where(
                col(Customer.tenant_id) == tenant.tenant.id,
                col(Customer.external_id) == external_id,
            )
        )
    assert found is not None
    return str(found)


async def _agent_message(
    database: Database, tenant: TenantHandle, external_id: str, *, created: datetime,
    sent: datetime | None, status: MessageStatus = MessageStatus.sent,
) -> None:  # fmt: skip
    """A message outside any campaign (an agent's email) to the customer."""
    customer_id = as_uuid(await _customer_id(database, tenant, external_id))
    async with database.transaction() as session:
        session.add(
            Message(
                tenant_id=tenant.tenant.id, customer_id=customer_id,
                direction=Direction.outbound, channel="email", to_address="x@customer.example",
                body="About your account", status=status, sent_at=sent, send_after=None,
                created_at=created, updated_at=created,
            )
        )  # fmt: skip


async def _statuses(database: Database, tenant: TenantHandle, external_id: str) -> list[str]:
    customer_id = as_uuid(await _customer_id(database, tenant, external_id))
    async with database.transaction() as session:
        rows = await session.execute(
            select(col(Message.status)).where(
                col(Message.tenant_id) == tenant.tenant.id,
                col(Message.customer_id) == customer_id,
            )
        )
        return sorted(str(status) for status in rows.scalars())


async def test_two_campaigns_planned_before_the_window_opens_reach_a_customer_once(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    rules = {"send_on_weekends": True, "min_gap_hours": 72, "max_contacts_per_7_days": 1}
    first = await create_campaign(client, tenant, rules=rules)
    second = await create_campaign(client, tenant, name="Second", rules=rules)
    await add_customer(client, tenant, "TWICE", days=[10], timezone="America/New_York")
    context = runner_context(runtime)
    first_run, _report, planned = await plan(
        client, runtime, tenant, first["id"], now=BEFORE_WINDOW
    )
    assert planned["TWICE"]["status"] == "planned"
    assert planned["TWICE"]["send_after"].startswith("2026-06-15T12:00")
    # The first campaign's reminder waits for 08:00; the second sees it as a contact to come.
    second_run, _report, held = await plan(
        client, runtime, tenant, second["id"], now=BEFORE_WINDOW + timedelta(minutes=1)
    )
    assert held["TWICE"]["skip_reason"] == "min_gap"
    for run_id in (first_run, second_run):
        await runner.dispatch(context, run_id=as_uuid(run_id), now=OPENS + timedelta(minutes=1))
    assert await _statuses(database, tenant, "TWICE") == ["queued", "skipped"]


async def test_a_dry_run_is_no_contact(
    client: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle
) -> None:
    rules = {**NO_QUIET_HOURS, "min_gap_hours": 72}
    first = await create_campaign(client, tenant, rules=rules)
    second = await create_campaign(client, tenant, name="Second", rules=rules)
    await add_customer(client, tenant, "PREVIEWED", days=[10])
    await plan(client, runtime, tenant, first["id"], dry_run=True)
    _run, _report, customers = await plan(client, runtime, tenant, second["id"])
    assert customers["PREVIEWED"]["status"] == "planned"


async def test_send_time_rechecks_the_gap_against_other_campaigns(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    patient = await create_campaign(client, tenant, rules={**NO_QUIET_HOURS, "min_gap_hours": 72})
    eager = await create_campaign(client, tenant, name="Eager", rules=NO_QUIET_HOURS)
    await add_customer(client, tenant, "RACE", days=[10])
    context = runner_context(runtime)
    # Planned first, before the other campaign had planned anything for the customer ...
    patient_run, _report, first = await plan(client, runtime, tenant, patient["id"], now=OPENS)
    eager_run, _report, second = await plan(client, runtime, tenant, eager["id"], now=OPENS)
    assert (first["RACE"]["status"], second["RACE"]["status"]) == ("planned", "planned")
    # ... the other campaign's reminder went first; at send time the gap holds this one back.
    assert await runner.dispatch(context, run_id=as_uuid(eager_run), now=OPENS) == 1
    assert await runner.dispatch(context, run_id=as_uuid(patient_run), now=OPENS) == 0
    skipped = await by_customer(client, tenant, patient_run)
    assert skipped["RACE"]["skip_reason"] == "min_gap"


async def test_send_time_rechecks_the_weekly_cap(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(
        client, tenant, rules={**NO_QUIET_HOURS, "max_contacts_per_7_days": 1}
    )
    await add_customer(client, tenant, "CAPPED", days=[10])
    run_id, _report, _customers = await plan(client, runtime, tenant, campaign["id"], now=OPENS)
    # An agent wrote to the customer after planning.
    await _agent_message(database, tenant, "CAPPED", created=OPENS, sent=OPENS)
    context = runner_context(runtime)
    assert (
        await runner.dispatch(context, run_id=as_uuid(run_id), now=OPENS + timedelta(hours=1)) == 0
    )
    (message,) = (await by_customer(client, tenant, run_id)).values()
    assert message["skip_reason"] == "max_contacts"


async def test_the_gap_counts_from_when_a_message_went_out(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant, rules={**NO_QUIET_HOURS, "min_gap_hours": 72})
    await add_customer(client, tenant, "LATE", days=[10])
    await add_customer(client, tenant, "LONG_AGO", days=[10])
    # Written ten days ago (a run paused for days, say) and sent an hour ago: a recent contact.
    await _agent_message(
        database,
        tenant,
        "LATE",
        created=OPENS - timedelta(days=10),
        sent=OPENS - timedelta(hours=1),
    )
    # Written and sent four days ago: outside the gap.
    await _agent_message(
        database, tenant, "LONG_AGO", created=OPENS - timedelta(days=4),
        sent=OPENS - timedelta(days=4),
    )  # fmt: skip
    _run, _report, customers = await plan(
        client, runtime, tenant, campaign["id"], dry_run=True, now=OPENS
    )
    assert customers["LATE"]["skip_reason"] == "min_gap"
    assert customers["LONG_AGO"]["status"] == "planned"


async def test_a_reminder_on_every_channel_is_one_contact(
    client: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle
) -> None:
    steps = [{"name": "final", "min_days_past_due": 1, "max_days_past_due": 90,
              "channels": ["email", "sms", "portal"], "template": "final_notice",
              "all_channels": True}]  # fmt: skip
    everywhere = await create_campaign(client, tenant, steps=steps, rules=NO_QUIET_HOURS)
    capped = await create_campaign(
        client, tenant, name="Capped", rules={**NO_QUIET_HOURS, "max_contacts_per_7_days": 2}
    )
    await add_customer(client, tenant, "MULTI", days=[10])
    run_id = await start_run(client, tenant, everywhere["id"], as_of=AS_OF.isoformat())
    context = runner_context(runtime)
    await runner.plan(context, run_id=as_uuid(run_id), now=OPENS)
    assert await runner.dispatch(context, run_id=as_uuid(run_id), now=OPENS) == 3
    # Three messages, one contact: a cap of two still lets the next reminder through.
    _run, _report, customers = await plan(
        client, runtime, tenant, capped["id"], dry_run=True, now=OPENS + timedelta(hours=1)
    )
    assert customers["MULTI"]["status"] == "planned"
