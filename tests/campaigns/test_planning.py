"""Planning a run: consolidation, channel choice, every exclusion, dry runs, idempotent runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import col

from service.campaigns import runner
from service.campaigns.models import Campaign, ReminderLog
from service.db import Database
from service.ledger.models import CustomerStatus
from service.runtime import Runtime
from service.threads.models import Message
from tests.campaigns.builders import (
    AS_OF,
    add_customer,
    as_uuid,
    create_campaign,
    messages,
    opt_out,
    plan,
    runner_context,
    set_customer,
    set_invoice,
    start_run,
)
from tests.tenancy.builders import TenantHandle


async def test_dry_run_says_what_would_go_out_and_why_not(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    await add_customer(client, tenant, "EN", days=[10], language="en")
    await add_customer(client, tenant, "ES", days=[40], language="es", name="Abarrotes Peña")
    await add_customer(client, tenant, "BOTH", days=[5, 45], language="en")
    await add_customer(client, tenant, "HOLD", days=[20])
    await set_customer(database, tenant, "HOLD", status=CustomerStatus.legal_hold)
    await add_customer(client, tenant, "NOWHERE", days=[20], email=None, phone=None)
    await add_customer(client, tenant, "CURRENT", days=[-3])

    run_id, report, by_customer = await plan(client, runtime, tenant, campaign["id"], dry_run=True)
    assert report["status"] == "planned"
    assert report["dry_run"] is True
    assert report["counts"]["planned"] == 3
    assert report["counts"]["queued"] == 0
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
    await add_customer(client, tenant, "OPTED", days=[10], email="opted@customer.example",
                    phone="+14155550188")  # fmt: skip
    await opt_out(database, tenant, "email", "opted@customer.example")
    await add_customer(client, tenant, "ALLOUT", days=[10], email="allout@customer.example",
                    phone="+14155550199")  # fmt: skip
    await opt_out(database, tenant, "email", "allout@customer.example")
    await opt_out(database, tenant, "sms", "+14155550199")
    _run, _report, by_customer = await plan(client, runtime, tenant, campaign["id"], dry_run=True)
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
    await add_customer(client, tenant, "MIX", days=[10, 12, 14, 16])
    await set_invoice(database, tenant, "MIX-0", disputed=True)
    await set_invoice(database, tenant, "MIX-1", promised_until=AS_OF + timedelta(days=2))
    await set_invoice(database, tenant, "MIX-2", balance=10)
    await add_customer(client, tenant, "VIP", days=[10], tags=["vip"])
    _run, report, by_customer = await plan(client, runtime, tenant, campaign["id"], dry_run=True)
    # The small invoice rides along: the customer owes 110 in USD, above the minimum.
    assert by_customer["MIX"]["invoices"] == ["MIX-3", "MIX-2"]
    assert report["skipped_invoices"] == {"in_dispute": 1, "promise_to_pay": 1}
    assert report["skipped_reasons"] == {"excluded_tag": 1}
    assert report["counts"]["skipped"] == 1
    assert by_customer["VIP"]["skip_reason"] == "excluded_tag"


@pytest.mark.parametrize(
    ("promised_until", "status"),
    [
        (AS_OF, "skipped"),
        (AS_OF + timedelta(days=3), "skipped"),
        (AS_OF - timedelta(days=1), "planned"),
    ],
)
async def test_a_promise_rests_the_invoice_up_to_promised_until(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle,
    promised_until: date, status: str,
) -> None:  # fmt: skip
    # promised_until is the promised date plus the tenant's grace days, as recorded with the
    # promise: the invoice rests through that day and is reminded the day after.
    campaign = await create_campaign(client, tenant)
    await add_customer(client, tenant, "PROMISE", days=[20])
    await set_invoice(database, tenant, "PROMISE-0", promised_until=promised_until)
    _run, report, by_customer = await plan(client, runtime, tenant, campaign["id"], dry_run=True)
    assert by_customer["PROMISE"]["status"] == status
    if status == "skipped":
        assert by_customer["PROMISE"]["skip_reason"] == "promise_to_pay"
        assert report["skipped_invoices"] == {"promise_to_pay": 1}


async def test_real_runs_are_idempotent_per_day_and_per_key(
    client: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    await add_customer(client, tenant, "IDEM", days=[10])
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
    await add_customer(client, tenant, "GAP", days=[10])
    run_id = await start_run(client, tenant, first_campaign["id"], as_of=AS_OF.isoformat())
    context = runner_context(runtime)
    await runner.plan(context, run_id=as_uuid(run_id))
    await runner.dispatch(context, run_id=as_uuid(run_id))
    # A contact just happened; the other campaign must hold back for this customer.
    _run, _report, by_customer = await plan(
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
    await add_customer(client, tenant, "ALL", days=[70], email="all@customer.example",
                       phone="+14155550111")  # fmt: skip
    await opt_out(database, tenant, "sms", "+14155550111")
    for index in range(3):
        await add_customer(
            client, tenant, f"EVERY{index}", days=[65, 80],
            email=f"every{index}@customer.example", phone=f"+1415555020{index}",
        )  # fmt: skip
    await add_customer(client, tenant, "NOMAIL", days=[70], email=None, phone="+14155550209")
    run_id = await start_run(client, tenant, campaign["id"], as_of=AS_OF.isoformat(), dry_run=True)
    await runner.plan(runner_context(runtime), run_id=as_uuid(run_id))
    sent: dict[str, list[str]] = {}
    for message in await messages(client, tenant, run_id):
        assert message["status"] == "planned"
        sent.setdefault(message["customer"], []).append(message["channel"])
    assert {customer: sorted(channels) for customer, channels in sent.items()} == {
        "ALL": ["email", "portal"],
        "EVERY0": ["email", "portal", "sms"],
        "EVERY1": ["email", "portal", "sms"],
        "EVERY2": ["email", "portal", "sms"],
        "NOMAIL": ["portal", "sms"],
    }
    report = (await client.get(f"/v1/runs/{run_id}", headers=tenant.headers)).json()
    assert report["counts"]["planned"] == 13


async def test_send_times_follow_each_customers_time_zone(
    client: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(
        client, tenant, rules={"send_on_weekends": True, "min_gap_hours": 0}
    )
    zones = {
        "NEWYORK": "America/New_York", "LOSANGELES": "America/Los_Angeles",
        "MADRID": "Europe/Madrid", "TOKYO": "Asia/Tokyo", "MEXICO": "America/Mexico_City",
    }  # fmt: skip
    for name, zone in zones.items():
        await add_customer(client, tenant, name, days=[10], timezone=zone)
    await add_customer(client, tenant, "TENANTS", days=[10])  # no zone: the tenant's (New York)
    now = datetime(2026, 6, 15, 13, 30, tzinfo=UTC)
    _run, _report, planned = await plan(
        client, runtime, tenant, campaign["id"], dry_run=True, now=now
    )
    send_after = {name: datetime.fromisoformat(m["send_after"]) for name, m in planned.items()}
    assert send_after == {
        "NEWYORK": now,  # 09:30 EDT
        "TENANTS": now,
        "MADRID": now,  # 15:30 CEST
        "LOSANGELES": datetime(2026, 6, 15, 15, 0, tzinfo=UTC),  # 06:30 PDT -> 08:00 PDT
        "MEXICO": datetime(2026, 6, 15, 14, 0, tzinfo=UTC),  # 07:30 CST -> 08:00 CST
        "TOKYO": datetime(2026, 6, 15, 23, 0, tzinfo=UTC),  # 22:30 JST -> 08:00 JST tomorrow
    }


async def test_steps_listed_out_of_order_consolidate_at_the_most_advanced(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    firm, friendly = [
        {"name": name, "min_days_past_due": low, "max_days_past_due": high,
         "channels": ["email"], "template": template}
        for name, low, high, template in [
            ("firm", 31, 60, "reminder_firm"), ("friendly", 1, 30, "reminder_friendly"),
        ]
    ]  # fmt: skip
    campaign = await create_campaign(client, tenant, steps=[firm, friendly])
    assert [step["name"] for step in campaign["steps"]] == ["friendly", "firm"]
    await add_customer(client, tenant, "BOTH", days=[10, 40])
    _run, _report, planned = await plan(client, runtime, tenant, campaign["id"], dry_run=True)
    assert planned["BOTH"]["step"] == "firm"
    assert planned["BOTH"]["template"] == "reminder_firm"
    # A campaign stored in any order plans the same.
    async with database.transaction() as session:
        stored = await session.get(Campaign, as_uuid(campaign["id"]))
        assert stored is not None
        stored.steps = list(reversed(stored.steps))
    _run, _report, again = await plan(client, runtime, tenant, campaign["id"], dry_run=True)
    assert again["BOTH"]["step"] == "firm"


async def test_run_messages_come_in_pages_rendered_with_each_customers_invoices(
    client: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    for index in range(5):
        await add_customer(client, tenant, f"PAGE{index}", days=[10 + index])
    run_id, _report, _planned = await plan(client, runtime, tenant, campaign["id"], dry_run=True)
    seen: list[dict[str, Any]] = []
    cursor = ""
    for _page in range(5):
        page = (
            await client.get(f"/v1/runs/{run_id}/messages?limit=2{cursor}", headers=tenant.headers)
        ).json()
        assert len(page["items"]) <= 2
        seen.extend(page["items"])
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert sorted(m["customer"] for m in seen) == [f"PAGE{index}" for index in range(5)]
    for message in seen:
        assert f"{message['customer']}-0" in message["body"]
        assert all(
            f"PAGE{other}-0" not in message["body"]
            for other in range(5)
            if f"PAGE{other}" != message["customer"]
        )
    too_many = await client.get(f"/v1/runs/{run_id}/messages?limit=201", headers=tenant.headers)
    assert too_many.status_code == 422
    bad = await client.get(f"/v1/runs/{run_id}/messages?cursor=nope", headers=tenant.headers)
    assert bad.status_code == 400


async def test_a_runs_rows_have_distinct_ids_time_ordered_on_postgresql(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    for index in range(5):
        await add_customer(client, tenant, f"C{index}", days=[10 + index, 40 + index])
    before = datetime.now(UTC)

    run_id, report, _ = await plan(client, runtime, tenant, campaign["id"])

    assert report["counts"]["planned"] == 5
    async with database.transaction() as session:
        message_ids = list(
            (
                await session.execute(
                    select(col(Message.id)).where(col(Message.run_id) == as_uuid(run_id))
                )
            ).scalars()
        )
        log_ids = list(
            (
                await session.execute(
                    select(col(ReminderLog.id)).where(
                        col(ReminderLog.campaign_id) == as_uuid(campaign["id"])
                    )
                )
            ).scalars()
        )
        dialect = session.get_bind().dialect.name
    ids = message_ids + log_ids
    assert len(message_ids) == 5
    assert len(log_ids) == 10  # one per invoice reminded
    assert len(set(ids)) == len(ids)
    if dialect == "postgresql":
        # RFC 9562 version 7: milliseconds since the epoch in the first 48 bits.
        assert {ident.version for ident in ids} == {7}
        stamps = [datetime.fromtimestamp((ident.int >> 80) / 1000, UTC) for ident in ids]
        assert all(before - timedelta(seconds=1) <= stamp <= datetime.now(UTC) for stamp in stamps)
