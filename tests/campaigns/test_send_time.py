"""What changes between planning and sending: holds, promises, payments, the contact window after
a pause, and reminders that did not go out being remembered as not sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from service.campaigns import runner
from service.db import Database
from service.ledger.models import CustomerStatus, InvoiceStatus
from service.runtime import Runtime
from service.tenancy.models import Tenant
from tests.campaigns.builders import (
    AS_OF,
    NO_QUIET_HOURS,
    add_customer,
    as_uuid,
    by_customer,
    create_campaign,
    plan,
    report,
    runner_context,
    set_customer,
    set_invoice,
    start_run,
)
from tests.tenancy.builders import TenantHandle

# 12:00 in New York on AS_OF (a Monday), inside the default contact window.
NOON_NEW_YORK = datetime(2026, 6, 15, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "status", [CustomerStatus.legal_hold, CustomerStatus.bankrupt, CustomerStatus.payment_plan]
)
async def test_a_customer_put_on_hold_since_planning_is_skipped(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle,
    status: CustomerStatus,
) -> None:  # fmt: skip
    campaign = await create_campaign(client, tenant)
    await add_customer(client, tenant, "HELD", days=[10])
    run_id, _report, planned = await plan(client, runtime, tenant, campaign["id"])
    assert planned["HELD"]["status"] == "planned"
    await set_customer(database, tenant, "HELD", status=status)
    assert await runner.dispatch(runner_context(runtime), run_id=as_uuid(run_id)) == 0
    assert (await by_customer(client, tenant, run_id))["HELD"]["skip_reason"] == status.value


async def test_an_invoice_promised_since_planning_is_skipped_until_the_day_after(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    await add_customer(client, tenant, "PROMISER", days=[10], timezone="America/New_York")
    await add_customer(client, tenant, "KEPT_WAITING", days=[10], timezone="America/New_York")
    run_id, _report, _planned = await plan(
        client, runtime, tenant, campaign["id"], now=NOON_NEW_YORK
    )
    today = NOON_NEW_YORK.date()
    # Promised for today (promise date plus grace ends today): rests today.
    await set_invoice(database, tenant, "PROMISER-0", promised_until=today)
    # A promise whose date plus grace ended yesterday: reminded again today.
    await set_invoice(database, tenant, "KEPT_WAITING-0", promised_until=today - timedelta(days=1))
    context = runner_context(runtime)
    assert await runner.dispatch(context, run_id=as_uuid(run_id), now=NOON_NEW_YORK) == 1
    sent = await by_customer(client, tenant, run_id)
    assert sent["PROMISER"]["skip_reason"] == "promise_to_pay"
    assert sent["KEPT_WAITING"]["status"] == "queued"


async def test_a_paid_invoice_is_paid_whatever_its_old_promise_or_dispute(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    await add_customer(client, tenant, "PAID_LATE", days=[10])
    await add_customer(client, tenant, "PAID_ON_PROMISE", days=[10])
    await add_customer(client, tenant, "PAID_AND_DISPUTED", days=[10, 12])
    await add_customer(client, tenant, "WRITTEN_OFF", days=[10])
    run_id, _report, _planned = await plan(client, runtime, tenant, campaign["id"])
    old = {"promised_until": AS_OF - timedelta(days=30)}
    await set_invoice(database, tenant, "PAID_LATE-0", status=InvoiceStatus.paid, balance=0, **old)
    await set_invoice(database, tenant, "PAID_ON_PROMISE-0", status=InvoiceStatus.paid,
                      balance=0, promised_until=AS_OF + timedelta(days=30))  # fmt: skip
    await set_invoice(database, tenant, "PAID_AND_DISPUTED-0", status=InvoiceStatus.paid, balance=0)
    await set_invoice(database, tenant, "PAID_AND_DISPUTED-1", disputed=True)
    await set_invoice(database, tenant, "WRITTEN_OFF-0", status=InvoiceStatus.written_off)
    assert await runner.dispatch(runner_context(runtime), run_id=as_uuid(run_id)) == 0
    reasons = {
        name: m["skip_reason"] for name, m in (await by_customer(client, tenant, run_id)).items()
    }
    assert reasons == {
        "PAID_LATE": "paid",
        "PAID_ON_PROMISE": "paid",
        # What still asks something of someone comes first.
        "PAID_AND_DISPUTED": "in_dispute",
        "WRITTEN_OFF": "written_off",
    }


async def test_a_run_resumed_at_night_waits_for_the_next_window(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(
        client, tenant, rules={"send_on_weekends": False, "min_gap_hours": 0}
    )
    await add_customer(client, tenant, "NIGHT", days=[10], timezone="America/New_York")
    context = runner_context(runtime)
    run_id = await start_run(client, tenant, campaign["id"], as_of=AS_OF.isoformat())
    await runner.plan(context, run_id=as_uuid(run_id), now=NOON_NEW_YORK)
    paused = await client.post(f"/v1/runs/{run_id}/pause", headers=tenant.headers)
    assert paused.json()["status"] == "paused"
    resumed = await client.post(f"/v1/runs/{run_id}/resume", headers=tenant.headers)
    assert resumed.json()["status"] == "sending"
    # Resumed and dispatched at 23:30 EDT: the message is due, but the window is closed.
    late = datetime(2026, 6, 16, 3, 30, tzinfo=UTC)
    assert await runner.dispatch(context, run_id=as_uuid(run_id), now=late) == 0
    (waiting,) = (await by_customer(client, tenant, run_id)).values()
    assert waiting["status"] == "planned"
    assert waiting["send_after"].startswith("2026-06-16T12:00")  # 08:00 EDT
    assert (await report(client, tenant, run_id))["status"] == "sending"
    at_eight = datetime(2026, 6, 16, 12, 0, 30, tzinfo=UTC)
    assert await runner.dispatch(context, run_id=as_uuid(run_id), now=at_eight) == 1


async def test_resume_sends_what_the_pause_held(
    client: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    await add_customer(client, tenant, "HELD_BACK", days=[10])
    context = runner_context(runtime)
    run_id = await start_run(client, tenant, campaign["id"], as_of=AS_OF.isoformat())
    # Paused before it was planned: resuming plans it, then it sends.
    assert (
        await client.post(f"/v1/runs/{run_id}/pause", headers=tenant.headers)
    ).status_code == 200
    assert await runner.plan(context, run_id=as_uuid(run_id)) == "nothing to plan"
    assert (await client.post(f"/v1/runs/{run_id}/resume", headers=tenant.headers)).json()[
        "status"
    ] == "planning"
    await runner.plan(context, run_id=as_uuid(run_id))
    assert await runner.dispatch(context, run_id=as_uuid(run_id)) == 1
    assert (await report(client, tenant, run_id))["counts"]["queued"] == 1


async def test_a_paused_campaign_refuses_a_real_run_but_previews(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant, status="paused")
    refused = await client.post(
        f"/v1/campaigns/{campaign['id']}/runs", json={"as_of": AS_OF.isoformat()},
        headers=tenant.headers,
    )  # fmt: skip
    assert refused.status_code == 409
    assert "paused" in refused.json()["detail"]
    preview = await client.post(
        f"/v1/campaigns/{campaign['id']}/runs", json={"dry_run": True}, headers=tenant.headers
    )
    assert preview.status_code == 202


async def test_a_reminder_not_sent_leaves_its_invoices_to_later_runs(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    await add_customer(client, tenant, "LATER", days=[10])
    await add_customer(client, tenant, "CANCELLED", days=[10])
    context = runner_context(runtime)
    run_id, _report, _planned = await plan(client, runtime, tenant, campaign["id"])
    await set_invoice(database, tenant, "LATER-0", disputed=True)
    await runner.dispatch(context, run_id=as_uuid(run_id))
    # The dispute is settled: the next run reminds the invoice, which was never reminded.
    await set_invoice(database, tenant, "LATER-0", disputed=False)
    next_day = AS_OF + timedelta(days=1)
    _run, _report, again = await plan(
        client, runtime, tenant, campaign["id"], as_of=next_day.isoformat()
    )
    assert again["LATER"]["status"] == "planned"
    assert "CANCELLED" not in again  # reminded the day before
    # Cancelling a run leaves its invoices unreminded as well.
    other = await create_campaign(client, tenant, name="Other", rules=NO_QUIET_HOURS)
    cancelled, _report, _planned = await plan(client, runtime, tenant, other["id"])
    assert (await client.post(f"/v1/runs/{cancelled}/cancel", headers=tenant.headers)).json()[
        "skipped_reasons"
    ] == {"cancelled": 2}
    _run, _report, after = await plan(
        client, runtime, tenant, other["id"], as_of=next_day.isoformat()
    )
    assert after["CANCELLED"]["status"] == "planned"


async def test_a_tenant_without_a_postal_address_gets_a_reason_not_a_stuck_run(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    async with database.transaction() as session:
        stored = await session.get(Tenant, tenant.tenant.id)
        assert stored is not None
        stored.postal_address = None
    campaign = await create_campaign(client, tenant)
    await add_customer(client, tenant, "NOADDRESS", days=[10], phone=None)
    run_id, _report, preview = await plan(client, runtime, tenant, campaign["id"])
    assert "postal address" in (preview["NOADDRESS"]["render_error"] or "")
    assert await runner.dispatch(runner_context(runtime), run_id=as_uuid(run_id)) == 0
    final = await report(client, tenant, run_id)
    assert final["skipped_reasons"] == {"sender_incomplete": 1}
    assert final["status"] == "completed"
