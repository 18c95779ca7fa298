"""Consent before every send: opt-outs match however an address is written, and the
confirmation of an opt-out (or a HELP answer) is the one message that still reaches it."""

from __future__ import annotations

import asyncio
import secrets

import httpx
from sqlalchemy import func, select
from sqlmodel import col
from twilio.request_validator import RequestValidator

from service.consent import service as consent
from service.consent.models import ConsentRecord
from service.consent.service import normalized_column
from service.inbound.models import InboundPayload
from service.ledger.models import Customer
from service.outreach.sending import Sender, send_due
from service.runtime import Runtime
from service.tenancy.models import Tenant
from service.threads.models import Message, MessageStatus
from tests.emulators import SendGridEmulator, TwilioEmulator
from tests.outreach.builders import make_debtor, queue, reload
from tests.outreach.conftest import TWILIO_TOKEN
from tests.tenancy.builders import TenantHandle
from workers.inbound import process_inbound


async def test_an_opt_out_is_honoured_however_the_address_is_written(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, sendgrid: SendGridEmulator
) -> None:
    async with emulated.database.transaction() as session:
        await consent.record_opt_out(
            session,
            tenant_id=tenant.tenant.id,
            channel="email",
            address="Case.Probe@Example.com",
            source="agent",
        )
        # Another path, the address written otherwise: the same record, not a second one.
        await consent.record_opt_out(
            session,
            tenant_id=tenant.tenant.id,
            channel="email",
            address="<CASE.PROBE@example.COM>",
            source="provider",
        )
    debtor = await make_debtor(
        emulated.database, tenant.tenant, email="case.probe@example.com", phone=None
    )
    message = await queue(emulated.database, emulated.settings, tenant.tenant, debtor)

    await send_due(sender)

    skipped = await reload(emulated.database, message.id)
    assert (skipped.status, skipped.skip_reason) == (MessageStatus.skipped, "opted_out")
    assert sendgrid.accepted == []
    async with emulated.database.transaction() as session:
        records = (
            await session.execute(
                select(col(ConsentRecord.address)).where(
                    col(ConsentRecord.tenant_id) == tenant.tenant.id
                )
            )
        ).all()
        assert records == [("case.probe@example.com",)]
        assert await consent.is_opted_out(
            session, tenant_id=tenant.tenant.id, channel="email", address=" CASE.probe@EXAMPLE.com"
        )


async def test_the_database_compares_written_addresses_in_the_same_form(
    emulated: Runtime, tenant: TenantHandle
) -> None:
    # The campaign planner reads consent against the customers' columns in SQL.
    debtor = await make_debtor(emulated.database, tenant.tenant, email="Mixed.Planner@Corp.Example")
    async with emulated.database.transaction() as session:
        await consent.record_opt_out(
            session,
            tenant_id=tenant.tenant.id,
            channel="email",
            address="mixed.planner@corp.example",
            source="agent",
        )
        matched = await session.execute(
            select(func.count())
            .select_from(Customer)
            .join(
                ConsentRecord,
                col(ConsentRecord.address) == normalized_column("email", col(Customer.email)),
            )
            .where(
                col(Customer.id) == debtor.customer.id,
                col(ConsentRecord.tenant_id) == tenant.tenant.id,
            )
        )
        assert matched.scalar_one() == 1


async def _unique_number(emulated: Runtime, tenant: TenantHandle) -> str:
    """Inbound SMS finds its tenant by the number it was sent to: give this one its own."""
    number = f"+1646{secrets.randbelow(10**7):07d}"
    async with emulated.database.transaction() as session:
        row = await session.get(Tenant, tenant.tenant.id)
        assert row is not None
        row.sms_from = number
    return number


async def _text_in(
    emulated: Runtime, hooks: httpx.AsyncClient, *, sender: str, to: str, body: str
) -> None:
    """An SMS from the customer through Twilio's inbound webhook, processed as the job would."""
    params = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": to,
        "Body": body,
        "NumMedia": "0",
    }
    url = f"{emulated.settings.public_url}/webhooks/twilio/sms"
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    response = await hooks.post(
        "/webhooks/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 200
    async with emulated.database.transaction() as session:
        payload = (
            await session.execute(
                select(col(InboundPayload.id)).where(
                    col(InboundPayload.dedupe_key) == params["MessageSid"]
                )
            )
        ).scalar_one()
    await process_inbound({"runtime": emulated}, str(payload))


async def test_the_stop_confirmation_and_help_reach_the_customer_and_reminders_do_not(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    twilio: TwilioEmulator,
    hooks: httpx.AsyncClient,
) -> None:
    ours = await _unique_number(emulated, tenant)
    phone = "+15005550071"
    debtor = await make_debtor(
        emulated.database, tenant.tenant, email=None, phone=phone, language="es"
    )

    await _text_in(emulated, hooks, sender=phone, to=ours, body="BAJA")
    await send_due(sender)
    await _text_in(emulated, hooks, sender=phone, to=ours, body="AYUDA")
    await send_due(sender)
    reminder = await queue(
        emulated.database, emulated.settings, tenant.tenant, debtor, channel="sms"
    )
    await send_due(sender)

    async with emulated.database.transaction() as session:
        assert await consent.is_opted_out(
            session, tenant_id=tenant.tenant.id, channel="sms", address=phone
        )
        replies = list(
            (
                await session.execute(
                    select(Message)
                    .where(col(Message.to_address) == phone, col(Message.consent_reply))
                    .order_by(col(Message.created_at))
                )
            ).scalars()
        )
    assert [(m.template, m.status) for m in replies] == [
        ("consent_stop_confirmation", MessageStatus.sent),
        ("consent_help", MessageStatus.sent),
    ]
    delivered = [sms.body for sms in twilio.accepted if sms.to == phone]
    assert len(delivered) == 2
    assert "ALTA" in delivered[0]  # "Responda ALTA para volver a recibirlos."
    skipped = await reload(emulated.database, reminder.id)
    assert (skipped.status, skipped.skip_reason) == (MessageStatus.skipped, "opted_out")
    assert not skipped.consent_reply


async def test_two_opt_outs_of_one_address_at_once_make_one_record_and_one_change(
    emulated: Runtime, tenant: TenantHandle
) -> None:
    # A STOP webhook and a provider's 21610 for a number Cobro never had a record of: the
    # second writer waits on the first one's uncommitted row, and must neither fail nor
    # report a change of its own (which would send a second confirmation).
    first_wrote, second_started = asyncio.Event(), asyncio.Event()

    async def first() -> bool:
        async with emulated.database.transaction() as session:
            _, changed = await consent.record_opt_out(
                session, tenant_id=tenant.tenant.id, channel="sms", address="+1 415 555 0142",
                source="sms_keyword",
            )  # fmt: skip
            first_wrote.set()
            await second_started.wait()
            await asyncio.sleep(0.3)  # the second is now waiting on this transaction
        return changed

    async def second() -> bool:
        await first_wrote.wait()
        async with emulated.database.transaction() as session:
            second_started.set()
            _, changed = await consent.record_opt_out(
                session, tenant_id=tenant.tenant.id, channel="sms", address="+14155550142",
                source="twilio_21610",
            )  # fmt: skip
        return changed

    changes = await asyncio.gather(first(), second())

    assert changes == [True, False]
    async with emulated.database.transaction() as session:
        records = (
            (
                await session.execute(
                    select(ConsentRecord).where(col(ConsentRecord.tenant_id) == tenant.tenant.id)
                )
            )
            .scalars()
            .all()
        )
    assert [(r.address, r.opted_out, r.source) for r in records] == [
        ("+14155550142", True, "twilio_21610")
    ]
