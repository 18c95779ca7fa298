"""From plan to outbox: send-time checks, rendering, threads, and never reminding twice."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlmodel import col

from service.campaigns import runner
from service.db import Database
from service.ledger.models import InvoiceStatus
from service.runtime import Runtime
from service.threads.models import Message, Thread
from tests.campaigns.builders import (
    AS_OF,
    add_customer,
    as_uuid,
    create_campaign,
    messages,
    opt_out,
    runner_context,
    set_invoice,
    start_run,
)
from tests.tenancy.builders import TenantHandle


async def test_dispatch_renders_queues_and_threads_the_reminder(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    await add_customer(client, tenant, "SEND", days=[10], language="es", name="Transportes Núñez")
    run_id = await start_run(client, tenant, campaign["id"], as_of=AS_OF.isoformat())
    context = runner_context(runtime)
    await runner.plan(context, run_id=as_uuid(run_id))
    assert await runner.dispatch(context, run_id=as_uuid(run_id)) == 1
    (message,) = await messages(client, tenant, run_id)
    assert message["status"] == "queued"
    assert message["language"] == "es"
    assert "Transportes Núñez" in message["body"]
    headers = message["headers"]
    assert headers["Message-ID"].endswith("@reply.cobro.test>")
    assert headers["Reply-To"].startswith("reply+")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Auto-Submitted"] == "auto-generated"
    async with database.transaction() as session:
        thread = await session.get(Thread, as_uuid(message["thread_id"]))
        assert thread is not None
        assert thread.status == "pending"
        assert thread.team is None


async def test_send_time_checks_skip_what_changed_since_planning(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    await add_customer(client, tenant, "PAID", days=[10])
    await add_customer(client, tenant, "DISP", days=[10])
    await add_customer(client, tenant, "GONE", days=[10], email="gone@customer.example", phone=None)
    await add_customer(client, tenant, "PART", days=[10, 12])
    run_id = await start_run(client, tenant, campaign["id"], as_of=AS_OF.isoformat())
    context = runner_context(runtime)
    await runner.plan(context, run_id=as_uuid(run_id))
    await set_invoice(database, tenant, "PAID-0", status=InvoiceStatus.paid, balance=0)
    await set_invoice(database, tenant, "DISP-0", disputed=True)
    await opt_out(database, tenant, "email", "gone@customer.example")
    await set_invoice(database, tenant, "PART-0", status=InvoiceStatus.paid, balance=0)
    assert await runner.dispatch(context, run_id=as_uuid(run_id)) == 1
    by_customer = {m["customer"]: m for m in await messages(client, tenant, run_id)}
    assert by_customer["PAID"]["skip_reason"] == "paid"
    assert by_customer["DISP"]["skip_reason"] == "in_dispute"
    assert by_customer["GONE"]["skip_reason"] == "opted_out"
    assert by_customer["PART"]["status"] == "queued"
    assert by_customer["PART"]["invoices"] == ["PART-1"]
    report = (await client.get(f"/v1/runs/{run_id}", headers=tenant.headers)).json()
    assert report["counts"]["skipped"] == 3
    assert report["skipped_reasons"] == {"in_dispute": 1, "opted_out": 1, "paid": 1}


async def test_a_step_never_reminds_an_invoice_twice(
    client: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    await add_customer(client, tenant, "ONCE", days=[10])
    context = runner_context(runtime)
    first = await start_run(client, tenant, campaign["id"], as_of=AS_OF.isoformat())
    await runner.plan(context, run_id=as_uuid(first))
    await runner.dispatch(context, run_id=as_uuid(first))
    next_day = await start_run(
        client, tenant, campaign["id"], as_of=(AS_OF + timedelta(days=1)).isoformat()
    )
    assert next_day != first
    await runner.plan(context, run_id=as_uuid(next_day))
    report = (await client.get(f"/v1/runs/{next_day}", headers=tenant.headers)).json()
    assert report["counts"]["planned"] == 0
    assert report["skipped_invoices"] == {"already_reminded": 1}
    # Once the invoice reaches the next step, that step reminds it.
    later = await start_run(
        client, tenant, campaign["id"], as_of=(AS_OF + timedelta(days=25)).isoformat()
    )
    await runner.plan(context, run_id=as_uuid(later))
    (message,) = await messages(client, tenant, later)
    assert message["step"] == "firm"


async def test_quiet_hours_hold_messages_until_their_window(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    # A window that never opens today: 00:01 to 00:00 quiet, i.e. only the minute after midnight.
    campaign = await create_campaign(
        client, tenant,
        rules={"quiet_hours_start": "00:01", "quiet_hours_end": "00:00", "send_on_weekends": True,
               "min_gap_hours": 0},
    )  # fmt: skip
    await add_customer(client, tenant, "LATER", days=[10], timezone="Asia/Tokyo")
    run_id = await start_run(client, tenant, campaign["id"], as_of=AS_OF.isoformat())
    context = runner_context(runtime)
    await runner.plan(context, run_id=as_uuid(run_id))
    assert await runner.dispatch(context, run_id=as_uuid(run_id)) == 0
    (message,) = await messages(client, tenant, run_id)
    assert message["status"] == "planned"
    async with database.transaction() as session:
        row = (
            await session.execute(select(Message).where(col(Message.id) == as_uuid(message["id"])))
        ).scalar_one()
        assert row.send_after is not None
        due = row.send_after
    assert (
        await runner.dispatch(context, run_id=as_uuid(run_id), now=due + timedelta(seconds=1)) == 1
    )


async def test_pause_and_cancel(
    client: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    await add_customer(client, tenant, "STOPME", days=[10])
    run_id = await start_run(client, tenant, campaign["id"], as_of=AS_OF.isoformat())
    context = runner_context(runtime)
    await runner.plan(context, run_id=as_uuid(run_id))
    paused = await client.post(f"/v1/runs/{run_id}/pause", headers=tenant.headers)
    assert paused.json()["status"] == "paused"
    assert await runner.dispatch(context, run_id=as_uuid(run_id)) == 0
    cancelled = await client.post(f"/v1/runs/{run_id}/cancel", headers=tenant.headers)
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["skipped_reasons"] == {"cancelled": 1}
    again = await client.post(f"/v1/runs/{run_id}/resume", headers=tenant.headers)
    assert again.status_code == 409


async def test_an_opt_out_stored_in_lower_case_stops_a_mixed_case_address_at_send_time(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    await add_customer(
        client, tenant, "MIXED", days=[10], email="Ana.Lopez@Customer.Example", phone=None
    )
    run_id = await start_run(client, tenant, campaign["id"], as_of=AS_OF.isoformat())
    context = runner_context(runtime)
    await runner.plan(context, run_id=as_uuid(run_id))
    # Consent records keep addresses in their one normalized form.
    await opt_out(database, tenant, "email", "ana.lopez@customer.example")
    assert await runner.dispatch(context, run_id=as_uuid(run_id)) == 0
    by_customer = {m["customer"]: m for m in await messages(client, tenant, run_id)}
    assert by_customer["MIXED"]["skip_reason"] == "opted_out"
