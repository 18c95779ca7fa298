"""Provider faults: retries with backoff and Retry-After, permanent errors, opt-outs, dead
numbers, consent before sending, and fallback to the next channel."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

from sqlalchemy import select
from sqlmodel import col

from service.consent.models import ConsentRecord
from service.consent.service import record_opt_out
from service.outreach.models import UnusableAddress
from service.outreach.providers import SendTuning
from service.outreach.sending import Sender, send_due
from service.rendering import count_segments
from service.runtime import Runtime
from service.threads.models import Message, MessageStatus, ThreadEvent
from service.types import utcnow
from tests.emulators import SendGridEmulator, TwilioEmulator
from tests.outreach.builders import make_debtor, queue, reload
from tests.tenancy.builders import TenantHandle


async def test_429_is_retried_after_the_providers_reset_time(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, sendgrid: SendGridEmulator
) -> None:
    debtor = await make_debtor(emulated.database, tenant.tenant)
    message = await queue(emulated.database, emulated.settings, tenant.tenant, debtor)
    sendgrid.faults.rate_limit_next(retry_after=1.0)

    before = utcnow()
    await send_due(sender)
    waiting = await reload(emulated.database, message.id)

    assert waiting.status == MessageStatus.queued
    assert waiting.attempts == 1
    assert "429" in (waiting.last_error or "")
    # X-RateLimit-Reset is a floor: the retry waits for it although the backoff is 0.2 s here.
    assert waiting.send_after is not None
    assert waiting.send_after >= before + timedelta(seconds=0.9)
    assert (await send_due(sender)).claimed == 0  # not due yet
    assert sendgrid.accepted == []

    await asyncio.sleep((waiting.send_after - utcnow()).total_seconds() + 0.05)
    await send_due(sender)
    sent = await reload(emulated.database, message.id)
    assert sent.status == MessageStatus.sent
    assert sent.attempts == 2
    assert len(sendgrid.accepted) == 1


async def test_outages_are_retried_with_backoff_and_then_given_up(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, twilio: TwilioEmulator
) -> None:
    pipeline = dataclasses.replace(
        sender,
        outbound=dataclasses.replace(
            sender.outbound, tuning=SendTuning(max_attempts=3, retry_base=0.01, retry_cap=0.02)
        ),
    )
    debtor = await make_debtor(emulated.database, tenant.tenant, phone="+15005550010")
    message = await queue(
        emulated.database, emulated.settings, tenant.tenant, debtor, channel="sms"
    )
    twilio.faults.fail_next(5, status=503)

    for _ in range(6):
        await send_due(pipeline)
        await asyncio.sleep(0.03)

    failed = await reload(emulated.database, message.id)
    assert failed.status == MessageStatus.failed
    assert failed.attempts == 3
    assert twilio.requests == 3
    assert (failed.last_error or "").startswith("gave up after 3 attempts")


async def test_sendgrid_refusal_fails_with_its_reason_and_is_not_retried(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, sendgrid: SendGridEmulator
) -> None:
    debtor = await make_debtor(emulated.database, tenant.tenant, email="nobody@bad.example")
    message = await queue(emulated.database, emulated.settings, tenant.tenant, debtor)
    sendgrid.reject("nobody@bad.example", message="Does not contain a valid address.")

    await send_due(sender)
    await send_due(sender)

    failed = await reload(emulated.database, message.id)
    assert failed.status == MessageStatus.failed
    assert "Does not contain a valid address" in (failed.last_error or "")
    assert sendgrid.requests == 1


async def test_twilio_21610_records_an_opt_out_and_later_sends_are_skipped(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, twilio: TwilioEmulator
) -> None:
    debtor = await make_debtor(emulated.database, tenant.tenant, phone="+15005550011")
    twilio.reject("+15005550011", code=21610)
    first = await queue(emulated.database, emulated.settings, tenant.tenant, debtor, channel="sms")

    await send_due(sender)
    second = await queue(emulated.database, emulated.settings, tenant.tenant, debtor, channel="sms")
    await send_due(sender)

    assert (await reload(emulated.database, first.id)).status == MessageStatus.failed
    skipped = await reload(emulated.database, second.id)
    assert (skipped.status, skipped.skip_reason) == (MessageStatus.skipped, "opted_out")
    assert twilio.requests == 1
    async with emulated.database.transaction() as session:
        consent = (
            await session.execute(
                select(ConsentRecord).where(
                    col(ConsentRecord.tenant_id) == tenant.tenant.id,
                    col(ConsentRecord.address) == "+15005550011",
                )
            )
        ).scalar_one()
    assert (consent.channel, consent.opted_out, consent.source) == ("sms", True, "provider")


async def test_invalid_and_landline_numbers_are_marked_unusable(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, twilio: TwilioEmulator
) -> None:
    twilio.reject("+15005550012", code=21211)
    twilio.reject("+15005550013", code=21614)
    ids = []
    for phone in ("+15005550012", "+15005550013"):
        debtor = await make_debtor(emulated.database, tenant.tenant, phone=phone)
        ids.append(
            (
                await queue(
                    emulated.database, emulated.settings, tenant.tenant, debtor, channel="sms"
                )
            ).id
        )
    await send_due(sender)
    again = await queue(
        emulated.database,
        emulated.settings,
        tenant.tenant,
        await make_debtor(emulated.database, tenant.tenant, phone="+15005550013"),
        channel="sms",
    )
    await send_due(sender)

    for message_id in ids:
        assert (await reload(emulated.database, message_id)).status == MessageStatus.failed
    skipped = await reload(emulated.database, again.id)
    assert (skipped.status, skipped.skip_reason) == (MessageStatus.skipped, "address_unusable")
    async with emulated.database.transaction() as session:
        dead = (
            await session.execute(
                select(col(UnusableAddress.address), col(UnusableAddress.code)).where(
                    col(UnusableAddress.tenant_id) == tenant.tenant.id
                )
            )
        ).all()
    assert sorted(dead) == [("+15005550012", "21211"), ("+15005550013", "21614")]
    # No consent was recorded: the customer never opted out.
    async with emulated.database.transaction() as session:
        opted = await session.execute(
            select(ConsentRecord).where(col(ConsentRecord.tenant_id) == tenant.tenant.id)
        )
        assert opted.first() is None


async def test_opted_out_addresses_are_skipped_for_that_tenant_only(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    other_tenant: TenantHandle,
    sendgrid: SendGridEmulator,
) -> None:
    async with emulated.database.transaction() as session:
        await record_opt_out(
            session,
            tenant_id=tenant.tenant.id,
            channel="email",
            address="shared@Example.COM",
            source="test",
        )
    mine = await queue(
        emulated.database,
        emulated.settings,
        tenant.tenant,
        await make_debtor(emulated.database, tenant.tenant, email="shared@example.com"),
    )
    theirs = await queue(
        emulated.database,
        emulated.settings,
        other_tenant.tenant,
        await make_debtor(emulated.database, other_tenant.tenant, email="shared@example.com"),
    )

    await send_due(sender)

    skipped = await reload(emulated.database, mine.id)
    assert (skipped.status, skipped.skip_reason) == (MessageStatus.skipped, "opted_out")
    assert (await reload(emulated.database, theirs.id)).status == MessageStatus.sent
    assert [mail.to for mail in sendgrid.accepted] == ["shared@example.com"]
    assert sendgrid.accepted[0].custom_args["cobro_message_id"] == str(theirs.id)


async def test_a_failed_email_falls_back_to_sms_on_the_same_thread(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
    twilio: TwilioEmulator,
) -> None:
    debtor = await make_debtor(
        emulated.database, tenant.tenant, email="gone@bad.example", phone="+15005550014"
    )
    sendgrid.reject("gone@bad.example")
    message = await queue(
        emulated.database, emulated.settings, tenant.tenant, debtor, fallback=("sms", "portal")
    )

    await send_due(sender)

    async with emulated.database.transaction() as session:
        follow = (
            await session.execute(
                select(Message).where(col(Message.dedupe_key) == f"fallback:{message.id}")
            )
        ).scalar_one()
        events = (
            (
                await session.execute(
                    select(ThreadEvent).where(
                        col(ThreadEvent.thread_id) == debtor.thread.id,
                        col(ThreadEvent.kind) == "fallback",
                    )
                )
            )
            .scalars()
            .all()
        )
    assert follow.channel == "sms"
    assert follow.thread_id == debtor.thread.id
    assert follow.to_address == "+15005550014"
    # The step's template rendered for SMS, within the segment budget: not the email's text.
    assert follow.body != message.body
    assert "$120.00" in follow.body
    assert "STOP" in follow.body
    assert count_segments(follow.body).segments <= 2
    assert (follow.subject, follow.body_html, follow.send_after) == (None, None, None)
    assert follow.fallback_channels == ["portal"]
    assert follow.status == MessageStatus.sent  # the same drain sent it
    assert [sms.to for sms in twilio.accepted] == ["+15005550014"]
    assert len(events) == 1
    assert events[0].data["to_message"] == str(follow.id)
