"""Fallbacks are the step's reminder made for their own channel, to the customer's address in
its one normalized form, within the customer's contact window."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import col

from service.campaigns.models import Campaign, CampaignRun
from service.consent.service import record_opt_out
from service.outreach.models import UnusableAddress
from service.outreach.sending import Sender, send_due
from service.runtime import Runtime
from service.threads.models import Message, MessageStatus, ThreadEvent
from service.types import utcnow
from tests.emulators import SendGridEmulator, TwilioEmulator
from tests.outreach.builders import make_debtor, queue, reload, zone_at_hour
from tests.tenancy.builders import TenantHandle


async def _fallback_of(emulated: Runtime, message: Message) -> Message:
    async with emulated.database.transaction() as session:
        return (
            await session.execute(
                select(Message).where(col(Message.dedupe_key) == f"fallback:{message.id}")
            )
        ).scalar_one()


async def test_a_fallback_decided_at_night_waits_for_the_customers_morning(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
    twilio: TwilioEmulator,
) -> None:
    zone = zone_at_hour(3)
    debtor = await make_debtor(
        emulated.database,
        tenant.tenant,
        email="night@bad.example",
        phone="+15005550061",
        timezone=zone,
    )
    sendgrid.reject("night@bad.example")
    message = await queue(
        emulated.database, emulated.settings, tenant.tenant, debtor, fallback=("sms",)
    )

    await send_due(sender)

    follow = await _fallback_of(emulated, message)
    assert (follow.channel, follow.status) == ("sms", MessageStatus.queued)
    assert follow.send_after is not None
    assert follow.send_after > utcnow()
    local = follow.send_after.astimezone(ZoneInfo(zone))
    assert local.time() == time(8, 0)  # when Regulation F's window opens, there
    assert follow.send_after - utcnow() < timedelta(hours=6)
    assert twilio.accepted == []  # not at 3 a.m.


async def test_a_fallback_keeps_the_campaigns_own_window(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
) -> None:
    zone = zone_at_hour(12)
    async with emulated.database.transaction() as session:
        campaign = Campaign(
            tenant_id=tenant.tenant.id,
            name="Quiet at lunch",
            steps=[],
            rules={
                "quiet_hours_start": "11:00:00",
                "quiet_hours_end": "14:00:00",
                "send_on_weekends": True,
            },
        )
        session.add(campaign)
        await session.flush()
        run = CampaignRun(
            tenant_id=tenant.tenant.id, campaign_id=campaign.id, as_of=utcnow().date()
        )
        session.add(run)
    debtor = await make_debtor(
        emulated.database,
        tenant.tenant,
        email="lunch@bad.example",
        phone="+15005550062",
        timezone=zone,
    )
    sendgrid.reject("lunch@bad.example")
    message = await queue(
        emulated.database,
        emulated.settings,
        tenant.tenant,
        debtor,
        fallback=("sms",),
        run_id=run.id,
    )

    await send_due(sender)

    follow = await _fallback_of(emulated, message)
    assert follow.run_id == run.id
    assert follow.send_after is not None
    assert follow.send_after.astimezone(ZoneInfo(zone)).time() == time(14, 0)


async def test_a_fallback_is_rendered_for_its_channel_to_a_normalized_address(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
    twilio: TwilioEmulator,
) -> None:
    debtor = await make_debtor(
        emulated.database,
        tenant.tenant,
        email=" Mixed.Case@Example.COM ",
        phone="+15005550063",
    )
    twilio.reject("+15005550063", code=21612)
    message = await queue(
        emulated.database, emulated.settings, tenant.tenant, debtor, channel="sms",
        fallback=("email",),
    )  # fmt: skip

    await send_due(sender)

    failed = await reload(emulated.database, message.id)
    assert failed.status == MessageStatus.failed
    follow = await _fallback_of(emulated, failed)
    assert (follow.channel, follow.to_address, follow.status) == (
        "email",
        "mixed.case@example.com",
        MessageStatus.sent,
    )
    # The email of the step's template, not the SMS text reused.
    assert follow.subject
    assert follow.body_html
    assert follow.body != failed.body
    assert debtor.invoice in follow.body
    assert follow.headers["List-Unsubscribe"].startswith("<https://cobro.test/unsubscribe/")
    (mail,) = sendgrid.accepted
    assert mail.to == "mixed.case@example.com"
    assert mail.custom_args["cobro_message_id"] == str(follow.id)
    # 21612 is about that sender and number together: the number is not called dead.
    async with emulated.database.transaction() as session:
        dead = await session.execute(
            select(UnusableAddress).where(col(UnusableAddress.tenant_id) == tenant.tenant.id)
        )
        assert dead.first() is None


async def test_a_fallback_passes_over_a_channel_the_customer_opted_out_of(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
) -> None:
    debtor = await make_debtor(
        emulated.database, tenant.tenant, email="gone@bad.example", phone="+15005550064"
    )
    async with emulated.database.transaction() as session:
        await record_opt_out(
            session, tenant_id=tenant.tenant.id, channel="sms", address="+1 500 555 0064",
            source="test",
        )  # fmt: skip
    sendgrid.reject("gone@bad.example")
    message = await queue(
        emulated.database, emulated.settings, tenant.tenant, debtor, fallback=("sms", "portal")
    )

    await send_due(sender)

    follow = await _fallback_of(emulated, message)
    assert (follow.channel, follow.to_address, follow.fallback_channels) == ("portal", None, [])
    assert follow.status == MessageStatus.delivered
    async with emulated.database.transaction() as session:
        logged = (
            await session.execute(
                select(ThreadEvent).where(
                    col(ThreadEvent.thread_id) == debtor.thread.id,
                    col(ThreadEvent.kind) == "fallback",
                )
            )
        ).scalar_one()
    assert logged.data["to_channel"] == "portal"
