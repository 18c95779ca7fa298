"""Planning a run: consolidation, channel choice, every exclusion, dry runs, idempotent runs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from service.campaigns import runner
from service.db import Database
from service.ledger.models import CustomerStatus
from service.runtime import Runtime
from tests.campaigns.builders import (
    as_uuid,
    create_campaign,
    messages,
    opt_out,
    runner_context,
    set_customer,
    set_invoice,
    start_run,
)
from tests.ledger.builders import put_customer, put_invoice
from tests.tenancy.builders import TenantHandle

AS_OF = date(2026, 6, 15)


async def _customer(
    client: httpx.AsyncClient, tenant: TenantHandle, external_id: str, *, days: list[int],
    balance: str = "100.00", **fields: Any,
) -> None:  # fmt: skip
    fields.setdefault("email", f"{external_id.lower()}@customer.example")
    fields.setdefault("phone", "+14155550123")
    await put_customer(client, tenant, external_id, **fields)
    for index, overdue in enumerate(days):
        await put_invoice(
            client, tenant, f"{external_id}-{index}", customer=external_id,
            due_on=AS_OF - timedelta(days=overdue), balance=balance,
        )  # fmt: skip


async def _plan(
    client: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle, campaign_id: str, **body: Any
) -> tuple[str, dict[str, Any], dict[str, dict[str, Any]]]:
    run_id = await start_run(client, tenant, campaign_id, as_of=AS_OF.isoformat(), **body)
    await runner.plan(runner_context(runtime), run_id=as_uuid(run_id))
    report = (await client.get(f"/v1/runs/{run_id}", headers=tenant.headers)).json()
    by_customer = {m["customer"]: m for m in await messages(client, tenant, run_id)}
    return run_id, report, by_customer


async def test_dry_run_says_what_would_go_out_and_why_not(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    await _customer(client, tenant, "EN", days=[10], language="en")
    await _customer(client, tenant, "ES", days=[40], language="es", name="Abarrotes Peña")
    await _customer(client, tenant, "BOTH", days=[5, 45], language="en")
    await _customer(client, tenant, "HOLD", days=[20])
    await set_customer(database, tenant, "HOLD", status=CustomerStatus.legal_hold)
    await _customer(client, tenant, "NOWHERE", days=[20], email=None, phone=None)
    await _customer(client, tenant, "CURRENT", days=[-3])

    run_id, report, by_customer = await _plan(client, runtime, tenant, campaign["id"], dry_run=True)
    assert report["status"] == "planned"
    assert report["dry_run"] is True
    assert report["counts"]["planned"] == 3
    assert report["counts"]["skipped"] == 2
    assert report["skipped_reasons"] == {"legal_hold": 1, "no_reachable_channel": 1}
    assert "CURRENT" not in by_customer

    english, spanish = by_customer["EN"], by_customer["ES"]
    assert (english["step"], english["channel"], english["language"]) == ("friendly", "email", "en")
    assert english["fallback_channels"] == ["sms"]
    assert (spanish["step"], spanish["language"]) == ("firm", "es")
    assert "Abarrotes Peña" in spanish["body"]
    assert spanish["subject"]
    # Consolidation: one reminder at the customer's most advanced step, with every invoice.
    both = by_customer["BOTH"]
    assert both["step"] == "firm"
    assert sorted(both["invoices"]) == ["BOTH-0", "BOTH-1"]
    assert by_customer["HOLD"]["skip_reason"] == "legal_hold"
    assert by_customer["NOWHERE"]["status"] == "skipped"

    # A dry run sends nothing and may be repeated; each gives its own plan.
    again = await start_run(client, tenant, campaign["id"], as_of=AS_OF.isoformat(), dry_run=True)
    assert again != run_id


async def test_channel_choice_follows_consent(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    await _customer(client, tenant, "OPTED", days=[10], email="opted@customer.example",
                    phone="+14155550188")  # fmt: skip
    await opt_out(database, tenant, "email", "opted@customer.example")
    await _customer(client, tenant, "ALLOUT", days=[10], email="allout@customer.example",
                    phone="+14155550199")  # fmt: skip
    await opt_out(database, tenant, "email", "allout@customer.example")
    await opt_out(database, tenant, "sms", "+14155550199")
    _run, _report, by_customer = await _plan(client, runtime, tenant, campaign["id"], dry_run=True)
    assert by_customer["OPTED"]["channel"] == "sms"
    assert by_customer["OPTED"]["to"] == "+14155550188"
    assert by_customer["ALLOUT"]["skip_reason"] == "no_reachable_channel"


async def test_invoice_exclusions_pause_only_that_invoice(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(
        client, tenant,
        rules={"quiet_hours_start": "00:00", "quiet_hours_end": "00:00", "send_on_weekends": True,
               "min_gap_hours": 0, "min_balance": "50", "exclude_tags": ["vip"]},
    )  # fmt: skip
    await _customer(client, tenant, "MIX", days=[10, 12, 14, 16])
    await set_invoice(database, tenant, "MIX-0", disputed=True)
    await set_invoice(database, tenant, "MIX-1", promised_until=AS_OF + timedelta(days=2))
    await set_invoice(database, tenant, "MIX-2", balance=10)
    await _customer(client, tenant, "VIP", days=[10], tags=["vip"])
    _run, report, by_customer = await _plan(client, runtime, tenant, campaign["id"], dry_run=True)
    assert by_customer["MIX"]["invoices"] == ["MIX-3"]
    assert report["skipped_reasons"] == {
        "below_min_balance": 1, "excluded_tag": 1, "in_dispute": 1, "promise_to_pay": 1,
    }  # fmt: skip
    assert by_customer["VIP"]["skip_reason"] == "excluded_tag"


async def test_a_promise_expired_plus_grace_is_reminded_again(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    await _customer(client, tenant, "BROKE", days=[20])
    await set_invoice(database, tenant, "BROKE-0", promised_until=AS_OF - timedelta(days=1))
    _run, _report, by_customer = await _plan(client, runtime, tenant, campaign["id"], dry_run=True)
    assert by_customer["BROKE"]["status"] == "planned"


async def test_real_runs_are_idempotent_per_day_and_per_key(
    client: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    await _customer(client, tenant, "IDEM", days=[10])
    first = await start_run(client, tenant, campaign["id"], as_of=AS_OF.isoformat())
    second = await start_run(client, tenant, campaign["id"], as_of=AS_OF.isoformat())
    assert first == second
    keyed = await client.post(
        f"/v1/campaigns/{campaign['id']}/runs",
        json={"as_of": (AS_OF + timedelta(days=1)).isoformat(), "dry_run": True},
        headers={**tenant.headers, "Idempotency-Key": "k-1"},
    )
    again = await client.post(
        f"/v1/campaigns/{campaign['id']}/runs",
        json={"as_of": (AS_OF + timedelta(days=1)).isoformat(), "dry_run": True},
        headers={**tenant.headers, "Idempotency-Key": "k-1"},
    )
    assert keyed.json()["run_id"] == again.json()["run_id"]
    context = runner_context(runtime)
    assert (await runner.plan(context, run_id=as_uuid(first))).startswith("planned 1")
    # The job may be delivered twice; the second planning finds nothing to do.
    assert await runner.plan(context, run_id=as_uuid(first)) == "nothing to plan"
    report = (await client.get(f"/v1/runs/{first}", headers=tenant.headers)).json()
    assert report["counts"]["planned"] == 1


@pytest.mark.parametrize(
    ("gap_hours", "cap", "reason"), [(48, 10, "min_gap"), (0, 1, "max_contacts")]
)
async def test_contact_gap_and_weekly_cap(
    client: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle,
    gap_hours: int, cap: int, reason: str,
) -> None:  # fmt: skip
    rules = {"quiet_hours_start": "00:00", "quiet_hours_end": "00:00", "send_on_weekends": True,
             "min_gap_hours": gap_hours, "max_contacts_per_7_days": cap}  # fmt: skip
    first_campaign = await create_campaign(client, tenant, rules=rules)
    second_campaign = await create_campaign(client, tenant, name="Another", rules=rules)
    await _customer(client, tenant, "GAP", days=[10])
    run_id = await start_run(client, tenant, first_campaign["id"], as_of=AS_OF.isoformat())
    context = runner_context(runtime)
    await runner.plan(context, run_id=as_uuid(run_id))
    await runner.dispatch(context, run_id=as_uuid(run_id))
    # A contact just happened; the other campaign must hold back for this customer.
    _run, _report, by_customer = await _plan(
        client, runtime, tenant, second_campaign["id"], dry_run=True
    )
    assert by_customer["GAP"]["skip_reason"] == reason


async def test_a_step_may_send_on_every_reachable_channel(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    steps = [{"name": "final", "min_days_past_due": 61, "max_days_past_due": 90,
              "channels": ["email", "sms", "portal"], "template": "final_notice",
              "all_channels": True}]  # fmt: skip
    campaign = await create_campaign(client, tenant, steps=steps)
    await _customer(client, tenant, "ALL", days=[70], email="all@customer.example",
                    phone="+14155550111")  # fmt: skip
    await opt_out(database, tenant, "sms", "+14155550111")
    run_id = await start_run(client, tenant, campaign["id"], as_of=AS_OF.isoformat(), dry_run=True)
    await runner.plan(runner_context(runtime), run_id=as_uuid(run_id))
    channels = sorted(m["channel"] for m in await messages(client, tenant, run_id))
    assert channels == ["email", "portal"]
