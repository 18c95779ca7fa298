"""Who is left out of a plan and why: every customer considered appears with its reason, the
counts agree with the reasons, and the minimum balance is the customer's, per currency."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from service.campaigns import runner
from service.db import Database
from service.ledger.models import CustomerStatus
from service.runtime import Runtime
from tests.campaigns.builders import (
    AS_OF,
    NO_QUIET_HOURS,
    add_customer,
    as_uuid,
    create_campaign,
    plan,
    report,
    runner_context,
    set_customer,
    set_invoice,
    start_run,
)
from tests.ledger.builders import put_invoice
from tests.tenancy.builders import TenantHandle


async def test_a_dry_run_says_why_for_customers_left_out_by_their_invoices(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant, rules={**NO_QUIET_HOURS, "min_balance": "50"})
    await add_customer(client, tenant, "DISPUTED", days=[10, 20])
    await set_invoice(database, tenant, "DISPUTED-0", disputed=True)
    await set_invoice(database, tenant, "DISPUTED-1", disputed=True)
    await add_customer(client, tenant, "PROMISED", days=[10])
    await set_invoice(database, tenant, "PROMISED-0", promised_until=AS_OF + timedelta(days=5))
    await add_customer(client, tenant, "SMALL", days=[10, 12], balance="20.00")
    # A dispute and a promise on one customer: the dispute says more.
    await add_customer(client, tenant, "BOTH", days=[10, 11])
    await set_invoice(database, tenant, "BOTH-0", promised_until=AS_OF + timedelta(days=5))
    await set_invoice(database, tenant, "BOTH-1", disputed=True)
    await add_customer(client, tenant, "FINE", days=[10])

    _run, plan_report, customers = await plan(client, runtime, tenant, campaign["id"], dry_run=True)
    why = {name: (m["status"], m["skip_reason"]) for name, m in customers.items()}
    assert why == {
        "DISPUTED": ("skipped", "in_dispute"),
        "PROMISED": ("skipped", "promise_to_pay"),
        "SMALL": ("skipped", "below_min_balance"),
        "BOTH": ("skipped", "in_dispute"),
        "FINE": ("planned", None),
    }
    # A skipped customer's row names the invoices that were left out.
    assert sorted(customers["DISPUTED"]["invoices"]) == ["DISPUTED-0", "DISPUTED-1"]
    assert customers["SMALL"]["step"] == "friendly"
    assert plan_report["counts"]["skipped"] == 4
    assert sum(plan_report["skipped_reasons"].values()) == plan_report["counts"]["skipped"]
    assert plan_report["skipped_reasons"] == {
        "below_min_balance": 1, "in_dispute": 2, "promise_to_pay": 1,
    }  # fmt: skip
    assert plan_report["skipped_invoices"] == {
        "below_min_balance": 2, "in_dispute": 3, "promise_to_pay": 2,
    }  # fmt: skip


async def test_a_customer_whose_only_invoice_is_disputed_counts_as_skipped(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    await add_customer(client, tenant, "ONLY", days=[10])
    await set_invoice(database, tenant, "ONLY-0", disputed=True)
    run_id = await start_run(client, tenant, campaign["id"], as_of=AS_OF.isoformat())
    await runner.plan(runner_context(runtime), run_id=as_uuid(run_id))
    real = await report(client, tenant, run_id)
    assert real["counts"]["skipped"] == 1
    assert real["skipped_reasons"] == {"in_dispute": 1}
    assert real["skipped_invoices"] == {"in_dispute": 1}


async def test_customers_on_hold_bankrupt_or_in_a_payment_plan_are_left_out(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    for name, status in [
        ("HOLD", CustomerStatus.legal_hold),
        ("BANKRUPT", CustomerStatus.bankrupt),
        ("PLAN", CustomerStatus.payment_plan),
        ("CLOSED", CustomerStatus.closed),
    ]:
        await add_customer(client, tenant, name, days=[10])
        await set_customer(database, tenant, name, status=status)
    # The customer's own state says more than its invoices' reasons.
    await set_invoice(database, tenant, "BANKRUPT-0", disputed=True)
    await add_customer(client, tenant, "ACTIVE", days=[10])
    _run, plan_report, customers = await plan(client, runtime, tenant, campaign["id"], dry_run=True)
    assert {name: m["skip_reason"] for name, m in customers.items()} == {
        "HOLD": "legal_hold",
        "BANKRUPT": "bankrupt",
        "PLAN": "payment_plan",
        "CLOSED": "closed",
        "ACTIVE": None,
    }
    assert plan_report["counts"]["planned"] == 1


@pytest.mark.parametrize("dry_run", [True, False])
async def test_a_real_run_leaves_customers_reminded_already_to_the_counts(
    client: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle, dry_run: bool
) -> None:
    campaign = await create_campaign(client, tenant)
    await add_customer(client, tenant, "DONE", days=[10])
    first = await start_run(client, tenant, campaign["id"], as_of=AS_OF.isoformat())
    await runner.plan(runner_context(runtime), run_id=as_uuid(first))
    await add_customer(client, tenant, "NEW", days=[10])
    _run, next_day, customers = await plan(
        client, runtime, tenant, campaign["id"], dry_run=dry_run,
        as_of=(AS_OF + timedelta(days=1)).isoformat(),
    )  # fmt: skip
    assert next_day["skipped_invoices"] == {"already_reminded": 1}
    assert customers["NEW"]["status"] == "planned"
    if dry_run:
        # A preview answers for every customer, this one too.
        assert customers["DONE"]["skip_reason"] == "already_reminded"
        assert next_day["skipped_reasons"] == {"already_reminded": 1}
    else:
        # Between two steps that is most customers every day: only the counts carry them.
        assert "DONE" not in customers
        assert next_day["skipped_reasons"] == {}
    assert next_day["counts"]["skipped"] == sum(next_day["skipped_reasons"].values())


async def test_the_minimum_balance_is_the_customers_per_currency(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant, rules={**NO_QUIET_HOURS, "min_balance": "100"})
    # Three small invoices that together reach the minimum: all listed.
    await add_customer(client, tenant, "SEVERAL", days=[10, 11, 12], balance="40.00")
    # Two small invoices below it together: the customer is not reminded.
    await add_customer(client, tenant, "TINY", days=[10, 11], balance="30.00")
    # A large USD invoice and a small peso one: the pesos do not reach the minimum on their own.
    await add_customer(client, tenant, "MIXED", days=[10], balance="500.00")
    await put_invoice(
        client, tenant, "MIXED-MXN", customer="MIXED", due_on=AS_OF - timedelta(days=9),
        balance="20.00", currency="MXN",
    )  # fmt: skip
    # A disputed invoice does not count towards the balance asked for (the customer's row
    # names the dispute, the more telling of its invoices' reasons).
    await add_customer(client, tenant, "DISPUTING", days=[10, 11], balance="80.00")
    await set_invoice(database, tenant, "DISPUTING-0", disputed=True)
    _run, plan_report, customers = await plan(client, runtime, tenant, campaign["id"], dry_run=True)
    assert sorted(customers["SEVERAL"]["invoices"]) == ["SEVERAL-0", "SEVERAL-1", "SEVERAL-2"]
    assert customers["TINY"]["skip_reason"] == "below_min_balance"
    assert customers["MIXED"]["invoices"] == ["MIXED-0"]
    assert customers["DISPUTING"]["skip_reason"] == "in_dispute"
    assert plan_report["skipped_invoices"] == {"below_min_balance": 4, "in_dispute": 1}
