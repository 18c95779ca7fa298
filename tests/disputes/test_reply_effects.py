"""Replies through the webhooks and the processing job: labels on the thread, its team, the
effect on the account, and the automatic answer in the outbox."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select
from sqlmodel import col

from service.consent import service as consent
from service.disputes.models import PromiseToPay
from service.inbound.consent_replies import AUTOMATIC_AUTHOR
from service.outreach.models import UnusableAddress
from service.runtime import Runtime
from tests.disputes.builders import (
    answers_of,
    customer_of,
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


def _next_weekday(today: date, weekday: int) -> date:
    """The next ``weekday`` (0 = Monday) after ``today``, never today itself."""
    ahead = (weekday - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead)


async def test_a_dispute_pauses_only_the_invoice_it_names_and_is_acknowledged(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant, language="es")
    reminder = await send_reminder(database, tenant, account)
    named = account.numbers[1]
    thread_id = await email_reply(
        webhooks, inbound_runtime, account, reminder,
        f"Ya pagamos la factura {named} la semana pasada por transferencia.",
    )  # fmt: skip
    assert thread_id == reminder.thread.id
    thread = await thread_of(database, thread_id)
    assert (thread.intent, thread.reason, thread.team) == ("dispute", "already_paid", "gbs")
    assert thread.intent_confidence is not None
    assert thread.intent_confidence >= 0.6
    assert thread.needs_review is False
    assert thread.disputed_at is not None
    invoices = await invoices_of(database, account)
    assert invoices[named].disputed is True
    assert invoices[account.numbers[0]].disputed is False
    events = await events_of(database, thread_id)
    classified = event(events, "classified")
    assert classified["source"] == "classifier"
    assert classified["signals"]
    assert event(events, "invoices_disputed")["invoices"] == [named]
    assert event(events, "routed")["why"] == "taxonomy default"
    [answer] = await answers_of(database, thread_id)
    assert (answer.template, answer.channel, answer.language) == ("dispute_ack", "email", "es")
    assert answer.to_address == account.customer.email
    assert answer.author == AUTOMATIC_AUTHOR
    assert thread.reference in answer.body
    assert "Facturación" in answer.body or "equipo" in answer.body
    assert answer.invoice_numbers == [named]
    assert event(events, "acknowledged")["message_id"] == str(answer.id)


async def test_a_promise_by_sms_is_recorded_in_the_customer_timezone_and_confirmed(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    zone = "America/Mexico_City"
    account = await make_account(database, tenant, language="es", timezone=zone, locale="es_MX")
    reminder = await send_reminder(database, tenant, account, channel="sms")
    thread_id = await sms_reply(
        webhooks, inbound_runtime, tenant, account, "Le pago el viernes sin falta."
    )
    assert thread_id == reminder.thread.id
    thread = await thread_of(database, thread_id)
    local_today = datetime.now(ZoneInfo(zone)).date()
    friday = _next_weekday(local_today, 4) if local_today.weekday() != 4 else local_today
    assert (thread.intent, thread.team) == ("promise_to_pay", "collections")
    assert thread.promise_date in (friday, _next_weekday(local_today, 4))
    promised = thread.promise_date
    assert promised is not None
    until = promised + timedelta(days=3)
    invoices = await invoices_of(database, account)
    assert {invoice.promised_until for invoice in invoices.values()} == {until}
    async with database.transaction() as session:
        [promise] = (
            await session.execute(
                select(PromiseToPay).where(col(PromiseToPay.thread_id) == thread_id)
            )
        ).scalars()
    assert (promise.status, promise.grace_until) == ("active", until)
    assert sorted(promise.invoice_numbers) == sorted(account.numbers)
    [answer] = await answers_of(database, thread_id)
    assert (answer.template, answer.channel, answer.language) == (
        "promise_confirmation", "sms", "es",
    )  # fmt: skip
    assert answer.to_address == account.customer.phone
    assert "/portal/" in answer.body


async def test_legal_puts_the_customer_on_hold_and_goes_to_legal_without_an_answer(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    thread_id = await email_reply(
        webhooks, inbound_runtime, account, reminder,
        "Our company has filed for bankruptcy. Please direct all communication to our attorney.",
    )  # fmt: skip
    thread = await thread_of(database, thread_id)
    assert (thread.intent, thread.team) == ("legal", "legal")
    assert (await customer_of(database, account)).status == "legal_hold"
    assert event(await events_of(database, thread_id), "legal_hold")["changed"] is True
    assert await answers_of(database, thread_id) == []


async def test_wrong_contact_flags_the_address_it_came_from(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    thread_id = await email_reply(
        webhooks, inbound_runtime, account, reminder,
        "You have the wrong person, I left that company two years ago.",
    )  # fmt: skip
    thread = await thread_of(database, thread_id)
    assert (thread.intent, thread.team) == ("wrong_contact", "collections")
    async with database.transaction() as session:
        flagged = list(
            (
                await session.execute(
                    select(UnusableAddress).where(
                        col(UnusableAddress.tenant_id) == tenant.tenant.id
                    )
                )
            ).scalars()
        )
    assert [(f.channel, f.address, f.code) for f in flagged] == [
        ("email", account.customer.email, "wrong_contact")
    ]
    assert await answers_of(database, thread_id) == []


async def test_an_invoice_copy_request_goes_to_gbs_and_gets_the_portal_link(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    named = account.numbers[0]
    thread_id = await email_reply(
        webhooks, inbound_runtime, account, reminder,
        f"Could you send me a copy of invoice {named}? I can't find it.",
    )  # fmt: skip
    thread = await thread_of(database, thread_id)
    assert (thread.intent, thread.team) == ("document_request", "gbs")
    [answer] = await answers_of(database, thread_id)
    assert (answer.template, answer.channel) == ("statement", "email")
    assert f"{inbound_runtime.settings.public_url}/portal/" in answer.body
    assert answer.invoice_numbers == [named]


async def test_a_request_for_bank_details_is_left_to_a_person(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    thread_id = await email_reply(
        webhooks, inbound_runtime, account, reminder, "Please send the W-9 form."
    )
    thread = await thread_of(database, thread_id)
    assert (thread.intent, thread.team) == ("document_request", "gbs")
    assert await answers_of(database, thread_id) == []


async def test_payment_plan_and_other_go_to_collections_with_nothing_sent(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    for text, intent in [
        ("Can we pay this in three monthly instalments? Cash is tight.", "payment_plan"),
        ("Thanks!", "other"),
    ]:
        account = await make_account(database, tenant)
        reminder = await send_reminder(database, tenant, account)
        thread_id = await email_reply(webhooks, inbound_runtime, account, reminder, text)
        thread = await thread_of(database, thread_id)
        assert (thread.intent, thread.team) == (intent, "collections")
        assert await answers_of(database, thread_id) == []
        assert (await customer_of(database, account)).status == "active"


async def test_stop_alone_routes_nowhere_and_gets_no_acknowledgement(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account, channel="sms")
    thread_id = await sms_reply(webhooks, inbound_runtime, tenant, account, "STOP")
    assert thread_id == reminder.thread.id
    thread = await thread_of(database, thread_id)
    assert (thread.intent, thread.team, thread.opt_out) == ("opt_out", None, True)
    assert thread.first_response_due_at is None
    assert await answers_of(database, thread_id) == []


async def test_a_dispute_that_also_asks_to_stop_is_not_answered(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    await send_reminder(database, tenant, account, channel="sms")
    thread_id = await sms_reply(
        webhooks, inbound_runtime, tenant, account, "I already paid, stop texting me"
    )
    thread = await thread_of(database, thread_id)
    assert (thread.intent, thread.reason, thread.opt_out) == ("dispute", "already_paid", True)
    assert await answers_of(database, thread_id) == []
    skipped = event(await events_of(database, thread_id), "acknowledgement_skipped")
    assert skipped["why"] == "the reply asks to stop messages"
    async with database.transaction() as session:
        assert await consent.is_opted_out(
            session, tenant_id=tenant.tenant.id, channel="sms",
            address=account.customer.phone or "",
        )  # fmt: skip


async def test_an_auto_reply_labels_a_fresh_thread_and_is_never_answered(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    thread_id = await email_reply(
        webhooks, inbound_runtime, account, reminder,
        "I am out of the office until Monday. I want to dispute the price, it is wrong.",
        subject="Automatic reply: Payment reminder", headers={"Auto-Submitted": "auto-replied"},
    )  # fmt: skip
    thread = await thread_of(database, thread_id)
    assert (thread.intent, thread.team, thread.assignee) == ("auto_reply", None, None)
    events = await events_of(database, thread_id)
    assert event(events, "classified")["source"] == "automatic"
    assert "acknowledged" not in kinds(events)
    assert await answers_of(database, thread_id) == []
    assert not any(invoice.disputed for invoice in (await invoices_of(database, account)).values())
    # The person's own reply afterwards is read and routed.
    await email_reply(
        webhooks, inbound_runtime, account, reminder,
        "The goods arrived damaged, we are returning them.",
    )  # fmt: skip
    thread = await thread_of(database, thread_id)
    assert (thread.intent, thread.reason, thread.team) == ("dispute", "quality", "sales")


async def test_an_auto_reply_does_not_undo_a_thread_label(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    await email_reply(
        webhooks, inbound_runtime, account, reminder,
        "The goods arrived damaged, we are returning them.",
    )  # fmt: skip
    thread_id = await email_reply(
        webhooks, inbound_runtime, account, reminder, "I am out of the office until Monday.",
        subject="Automatic reply: Re: Payment reminder",
        headers={"Auto-Submitted": "auto-replied"},
    )  # fmt: skip
    thread = await thread_of(database, thread_id)
    assert (thread.intent, thread.team) == ("dispute", "sales")


async def test_a_later_reply_of_lower_precedence_keeps_the_label_but_applies_its_effect(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    await email_reply(
        webhooks, inbound_runtime, account, reminder,
        f"The price on {account.numbers[0]} is wrong, we agreed on a 10% discount.",
    )  # fmt: skip
    thread_id = await email_reply(
        webhooks, inbound_runtime, account, reminder,
        f"We will pay {account.numbers[1]} next Friday.",
    )  # fmt: skip
    thread = await thread_of(database, thread_id)
    assert thread.intent == "dispute"
    events = await events_of(database, thread_id)
    assert event(events, "label_kept")["reply_intent"] == "promise_to_pay"
    invoices = await invoices_of(database, account)
    assert invoices[account.numbers[0]].disputed is True
    assert invoices[account.numbers[1]].promised_until is not None
    assert invoices[account.numbers[0]].promised_until is None


async def test_a_stop_request_only_the_classifier_hears_ends_consent_on_that_channel(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    thread_id = await email_reply(
        webhooks, inbound_runtime, account, reminder, "Cancel these notifications"
    )
    thread = await thread_of(database, thread_id)
    assert (thread.intent, thread.team, thread.opt_out) == ("opt_out", None, True)
    assert event(await events_of(database, thread_id), "opted_out")["source"] == "reply_classifier"
    async with database.transaction() as session:
        email = account.customer.email or ""
        phone = account.customer.phone or ""
        tenant_id = tenant.tenant.id
        assert await consent.is_opted_out(
            session, tenant_id=tenant_id, channel="email", address=email
        )
        assert not await consent.is_opted_out(
            session, tenant_id=tenant_id, channel="sms", address=phone
        )


async def test_the_consent_rules_have_the_last_word_on_keywords(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    await send_reminder(database, tenant, account, channel="sms")
    await sms_reply(webhooks, inbound_runtime, tenant, account, "STOP")
    thread_id = await sms_reply(webhooks, inbound_runtime, tenant, account, "UNSTOP")
    async with database.transaction() as session:
        assert not await consent.is_opted_out(
            session, tenant_id=tenant.tenant.id, channel="sms",
            address=account.customer.phone or "",
        )  # fmt: skip
    assert (await thread_of(database, thread_id)).opt_out is False
