"""Promises to pay after they are made: kept, broken (reopening the thread), listed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import httpx
from sqlalchemy import select
from sqlmodel import col

from service.db import Database
from service.disputes.models import PromiseToPay
from service.disputes.promises_ledger import review_promises
from service.ledger.models import Invoice, InvoiceStatus
from service.runtime import Runtime
from service.threads.models import ThreadStatus
from tests.disputes.builders import (
    Account,
    email_reply,
    event,
    events_of,
    invoices_of,
    kinds,
    make_account,
    make_desk_tenant,
    send_reminder,
    thread_of,
)
from tests.tenancy.builders import TenantHandle
from workers.disputes import settle_promises


async def _promise_of(database: Database, thread_id: uuid.UUID) -> PromiseToPay:
    async with database.transaction() as session:
        found = (
            await session.execute(
                select(PromiseToPay)
                .where(col(PromiseToPay.thread_id) == thread_id)
                .order_by(col(PromiseToPay.created_at).desc())
            )
        ).scalars()
        return next(iter(found))


async def _promised(
    webhooks: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle, account: Account
) -> uuid.UUID:
    reminder = await send_reminder(runtime.database, tenant, account)
    return await email_reply(
        webhooks, runtime, account, reminder, "We will pay the full balance next Friday."
    )


def _noon_after(day: date, days: int) -> datetime:
    return datetime.combine(day + timedelta(days=days), time(12), tzinfo=UTC)


async def _review(database: Database, now: datetime) -> None:
    after = None
    while True:
        async with database.transaction() as session:
            review = await review_promises(session, now=now, after=after, limit=50)
        if review.next_key is None:
            return
        after = review.next_key


async def test_a_broken_promise_resumes_reminders_and_reopens_the_thread(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    thread_id = await _promised(webhooks, inbound_runtime, tenant, account)
    promise = await _promise_of(database, thread_id)
    assert promise.grace_until == promise.promised_on + timedelta(days=3)
    closed = await webhooks.patch(
        f"/v1/threads/{thread_id}", json={"status": "resolved"}, headers=tenant.headers
    )
    assert closed.status_code == 200
    # On the last day of grace the promise still stands.
    await _review(database, _noon_after(promise.grace_until, 0))
    assert (await _promise_of(database, thread_id)).status == "active"
    assert (await thread_of(database, thread_id)).status == ThreadStatus.resolved
    await _review(database, _noon_after(promise.grace_until, 1))
    assert (await _promise_of(database, thread_id)).status == "broken"
    invoices = await invoices_of(database, account)
    assert {invoice.promised_until for invoice in invoices.values()} == {None}
    thread = await thread_of(database, thread_id)
    assert (thread.status, thread.team) == (ThreadStatus.open, "collections")
    events = await events_of(database, thread_id)
    broken = event(events, "promise_broken")
    assert sorted(broken["reminders_resumed_for"]) == sorted(account.numbers)  # type: ignore[arg-type]
    assert event(events, "reopened")["why"] == "promise to pay broken"
    # Settled once: a second review changes nothing.
    await _review(database, _noon_after(promise.grace_until, 2))
    assert kinds(await events_of(database, thread_id)).count("promise_broken") == 1


async def test_a_promise_is_kept_when_its_invoices_are_paid(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    thread_id = await _promised(webhooks, inbound_runtime, tenant, account)
    promise = await _promise_of(database, thread_id)
    async with database.transaction() as session:
        for invoice in (
            await session.execute(
                select(Invoice).where(col(Invoice.customer_id) == account.customer.id)
            )
        ).scalars():
            invoice.status, invoice.balance = InvoiceStatus.paid, Decimal(0)
    await _review(database, _noon_after(promise.promised_on, -1))
    assert (await _promise_of(database, thread_id)).status == "kept"
    assert {i.promised_until for i in (await invoices_of(database, account)).values()} == {None}
    assert "promise_kept" in kinds(await events_of(database, thread_id))


async def test_a_partly_paid_promise_past_its_grace_is_broken_for_what_is_still_owed(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    thread_id = await _promised(webhooks, inbound_runtime, tenant, account)
    promise = await _promise_of(database, thread_id)
    paid, owed = account.numbers
    async with database.transaction() as session:
        invoice = (
            await session.execute(
                select(Invoice).where(
                    col(Invoice.customer_id) == account.customer.id, col(Invoice.number) == paid
                )
            )
        ).scalar_one()
        invoice.status, invoice.balance = InvoiceStatus.paid, Decimal(0)
    await _review(database, _noon_after(promise.grace_until, 1))
    assert (await _promise_of(database, thread_id)).status == "broken"
    broken = event(await events_of(database, thread_id), "promise_broken")
    assert list(broken["still_owed"]) == [owed]  # type: ignore[call-overload]


async def test_a_new_promise_replaces_the_last_one_and_promises_are_listed_per_tenant(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    await email_reply(
        webhooks, inbound_runtime, account, reminder, "We will pay the full balance next Friday."
    )
    await email_reply(
        webhooks, inbound_runtime, account, reminder,
        "Sorry, change of plans: we will pay the full balance on the 28th.",
    )  # fmt: skip
    listed = await webhooks.get(
        f"/v1/promises?customer={account.customer.external_id}", headers=tenant.headers
    )
    assert listed.status_code == 200
    statuses = sorted(item["status"] for item in listed.json()["items"])
    assert statuses == ["active", "replaced"]
    active = await webhooks.get("/v1/promises?status=active", headers=tenant.headers)
    assert [item["customer"] for item in active.json()["items"]] == [account.customer.external_id]
    bad = await webhooks.get("/v1/promises?status=forgotten", headers=tenant.headers)
    assert bad.status_code == 422
    other = await make_desk_tenant(database, name="Another desk")
    assert (await webhooks.get("/v1/promises", headers=other.headers)).json() == {"items": []}


async def test_the_settling_job_runs_on_the_worker_context(inbound_runtime: Runtime) -> None:
    totals = await settle_promises({"runtime": inbound_runtime})
    assert set(totals) == {"kept", "broken", "looked_at"}
    assert all(value >= 0 for value in totals.values())


async def test_invoices_of_another_customer_are_never_touched(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    payer = await make_account(database, tenant)
    bystander = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, payer)
    await email_reply(
        webhooks, inbound_runtime, payer, reminder,
        f"We will pay {bystander.numbers[0]} next Friday.",
    )  # fmt: skip
    assert {i.promised_until for i in (await invoices_of(database, bystander)).values()} == {None}
    assert all(i.promised_until for i in (await invoices_of(database, payer)).values())
