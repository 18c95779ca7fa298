"""Labels a customer declares in the portal, and the limits on Cobro's automatic answers."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import httpx

from service.inbound.consent_replies import AUTOMATIC_PER_HOUR
from service.inbound.service import Declared, receive_portal_message
from service.runtime import Runtime
from tests.disputes.builders import (
    Account,
    answers_of,
    drain,
    email_reply,
    event,
    events_of,
    invoices_of,
    kinds,
    make_account,
    make_desk_tenant,
    send_reminder,
    sms_reply,
    thread_of,
)
from tests.tenancy.builders import TenantHandle


async def _portal(
    runtime: Runtime, tenant: TenantHandle, account: Account, body: str, declared: Declared
) -> uuid.UUID:
    async with runtime.database.transaction() as session:
        await receive_portal_message(
            session, tenant_id=tenant.tenant.id, customer_id=account.customer.id, body=body,
            declared=declared,
        )  # fmt: skip
    outcome = (await drain(runtime))[-1]
    return uuid.UUID(outcome["thread_id"] or "")


async def test_a_dispute_filed_in_the_portal_is_certain_and_answered_in_the_portal(
    inbound_runtime: Runtime,
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant, language="es")
    named = account.numbers[0]
    thread_id = await _portal(
        inbound_runtime, tenant, account, "El precio no corresponde a la cotización.",
        Declared(intent="dispute", reason="pricing", invoice_numbers=(named, "NOT-MINE")),
    )  # fmt: skip
    thread = await thread_of(database, thread_id)
    assert (thread.intent, thread.reason, thread.team) == ("dispute", "pricing", "sales")
    assert (thread.intent_confidence, thread.needs_review) == (1.0, False)
    assert event(await events_of(database, thread_id), "classified")["source"] == "portal"
    invoices = await invoices_of(database, account)
    assert [n for n, invoice in invoices.items() if invoice.disputed] == [named]
    [answer] = await answers_of(database, thread_id)
    assert (answer.template, answer.channel, answer.to_address, answer.language) == (
        "dispute_ack", "portal", None, "es",
    )  # fmt: skip


async def test_a_promise_made_in_the_portal_keeps_its_date_and_amount(
    inbound_runtime: Runtime,
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant, currency="MXN")
    day = date.today() + timedelta(days=12)
    thread_id = await _portal(
        inbound_runtime, tenant, account, "",
        Declared(intent="promise_to_pay", invoice_numbers=(account.numbers[1],),
                 promise_date=day, promise_amount=Decimal("340.50")),
    )  # fmt: skip
    thread = await thread_of(database, thread_id)
    assert (thread.promise_date, thread.promise_amount, thread.promise_currency) == (
        day, Decimal("340.50"), "MXN",
    )  # fmt: skip
    invoices = await invoices_of(database, account)
    assert invoices[account.numbers[1]].promised_until == day + timedelta(days=3)
    assert invoices[account.numbers[0]].promised_until is None
    [answer] = await answers_of(database, thread_id)
    assert answer.template == "promise_confirmation"


async def test_declared_labels_outside_the_taxonomy_fall_back_to_the_classifier(
    inbound_runtime: Runtime,
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    thread_id = await _portal(
        inbound_runtime, tenant, account, "The goods arrived damaged, we are returning them.",
        Declared(intent="dispute", reason="vibes"),
    )  # fmt: skip
    thread = await thread_of(database, thread_id)
    assert (thread.intent, thread.reason) == ("dispute", "quality")
    assert event(await events_of(database, thread_id), "classified")["source"] == "classifier"


async def test_one_answer_per_thread_within_the_interval(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    for text in [
        "We already paid this by wire last week.",
        "Again: we already paid this by wire last week, check your bank.",
    ]:
        thread_id = await email_reply(webhooks, inbound_runtime, account, reminder, text)
    assert len(await answers_of(database, thread_id)) == 1
    skipped = event(await events_of(database, thread_id), "acknowledgement_skipped")
    assert "within 24 hours" in str(skipped["why"])


async def test_automatic_answers_to_one_address_are_capped_per_hour(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    policy = await webhooks.put(
        "/v1/dispute-policy", json={"ack_interval_hours": 0}, headers=tenant.headers
    )
    assert policy.status_code == 200
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    for attempt in range(AUTOMATIC_PER_HOUR + 2):
        thread_id = await email_reply(
            webhooks, inbound_runtime, account, reminder,
            f"We already paid this by wire last week (reference {attempt}).",
        )  # fmt: skip
    assert len(await answers_of(database, thread_id)) == AUTOMATIC_PER_HOUR
    capped = [
        e.data["why"]
        for e in await events_of(database, thread_id)
        if e.kind == "acknowledgement_skipped"
    ]
    assert capped == ["hourly cap of automatic messages to this customer reached"] * 2


async def test_a_customer_on_legal_hold_gets_no_answer(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    await email_reply(
        webhooks, inbound_runtime, account, reminder,
        "We are represented by counsel; our attorney will contact you.",
    )  # fmt: skip
    thread_id = await email_reply(
        webhooks, inbound_runtime, account, reminder, "We will pay the full balance next Friday."
    )
    assert await answers_of(database, thread_id) == []
    assert "legal_hold" in str(
        event(await events_of(database, thread_id), "acknowledgement_skipped")
    )
    assert "promise_recorded" in kinds(await events_of(database, thread_id))


async def test_the_hourly_cap_counts_a_customers_answers_on_every_channel(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    policy = await webhooks.put(
        "/v1/dispute-policy", json={"ack_interval_hours": 0}, headers=tenant.headers
    )
    assert policy.status_code == 200
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    threads: set[uuid.UUID] = set()
    for attempt in range(AUTOMATIC_PER_HOUR + 2):
        text = f"We already paid this by wire last week (reference {attempt})."
        if attempt % 2:
            threads.add(await sms_reply(webhooks, inbound_runtime, tenant, account, text))
        else:
            threads.add(await email_reply(webhooks, inbound_runtime, account, reminder, text))
    answers = [answer for thread_id in threads for answer in await answers_of(database, thread_id)]
    assert {answer.channel for answer in answers} == {"email", "sms"}
    assert len(answers) == AUTOMATIC_PER_HOUR
