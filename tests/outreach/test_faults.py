"""Provider faults through the whole pipeline: Twilio's Retry-After, timeouts and dropped
connections retried with bounded backoff and then given up with a fallback, and sends whose
outcome is unknown held back until the provider's event can prove them."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update
from sqlmodel import col

from channels.portal import PortalChannel
from channels.sendgrid import SendGridChannel
from channels.twilio import TwilioChannel
from service.outreach.providers import Outbound, SendTuning
from service.outreach.sending import Sender, send_due
from service.runtime import Runtime
from service.threads.models import Message, MessageStatus
from service.types import utcnow
from tests.emulators import SendGridEmulator, TwilioEmulator
from tests.outreach.builders import make_debtor, queue, reload
from tests.outreach.conftest import SENDGRID_KEY, TWILIO_SID, TWILIO_TOKEN
from tests.tenancy.builders import TenantHandle

UNCONFIRMED = 60.0


@pytest.fixture
async def impatient(
    sender: Sender, sendgrid: SendGridEmulator, twilio: TwilioEmulator
) -> AsyncIterator[Sender]:
    """The pipeline with channels that give up on an answer after 0.3 s, three attempts,
    and quick retries: 0.05 s doubling up to 0.2 s."""
    outbound = Outbound(
        channels={
            "email": SendGridChannel(SENDGRID_KEY, api_url=sendgrid.url, timeout=0.3),
            "sms": TwilioChannel(TWILIO_SID, TWILIO_TOKEN, api_url=twilio.url, timeout=0.3),
            "portal": PortalChannel(),
        },
        pacing=sender.outbound.pacing,
        tuning=SendTuning(
            max_attempts=3, retry_base=0.05, retry_cap=0.2, unconfirmed_delay=UNCONFIRMED
        ),
    )
    yield dataclasses.replace(sender, outbound=outbound)
    await outbound.aclose()


async def _make_due(emulated: Runtime, message_id: object) -> None:
    """Let the wait before a retry pass at once, instead of sleeping through it."""
    async with emulated.database.transaction() as session:
        await session.execute(
            update(Message)
            .where(col(Message.id) == message_id)
            .values(send_after=utcnow() - timedelta(seconds=1))
        )


async def test_twilio_429_waits_at_least_its_retry_after(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, twilio: TwilioEmulator
) -> None:
    debtor = await make_debtor(emulated.database, tenant.tenant, phone="+15005550041")
    message = await queue(
        emulated.database, emulated.settings, tenant.tenant, debtor, channel="sms"
    )
    twilio.faults.rate_limit_next(retry_after=30)

    before = utcnow()
    await send_due(sender)

    waiting = await reload(emulated.database, message.id)
    assert waiting.status == MessageStatus.queued
    assert "20429" in (waiting.last_error or "")
    # The backoff here is at most 0.2 s; Twilio's Retry-After of 30 s is the floor.
    assert waiting.send_after is not None
    assert waiting.send_after >= before + timedelta(seconds=30)
    assert (await send_due(sender)).claimed == 0
    assert twilio.accepted == []


async def test_timeouts_and_dropped_connections_back_off_then_fail_and_fall_back(
    emulated: Runtime,
    impatient: Sender,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
    twilio: TwilioEmulator,
) -> None:
    debtor = await make_debtor(
        emulated.database, tenant.tenant, email="faults@corp.example", phone="+15005550042"
    )
    message = await queue(
        emulated.database,
        emulated.settings,
        tenant.tenant,
        debtor,
        channel="sms",
        fallback=("email",),
    )
    twilio.faults.delay_next(seconds=1.0)  # a timeout
    twilio.faults.drop_next()  # a connection dropped without an answer
    twilio.faults.delay_next(seconds=1.0)

    for _ in range(5):
        await send_due(impatient)
        row = await reload(emulated.database, message.id)
        if row.status != MessageStatus.queued:
            break
        # Either may have reached Twilio: each retry waits for its proof, and no longer.
        assert row.send_after is not None
        wait = (row.send_after - row.updated_at).total_seconds()
        assert UNCONFIRMED - 1 <= wait <= UNCONFIRMED
        await _make_due(emulated, message.id)

    failed = await reload(emulated.database, message.id)
    assert failed.status == MessageStatus.failed
    assert (failed.last_error or "").startswith("gave up after 3 attempts")
    assert (failed.attempts, twilio.requests, twilio.accepted) == (3, 3, [])
    async with emulated.database.transaction() as session:
        follow = (
            await session.execute(
                select(Message).where(col(Message.dedupe_key) == f"fallback:{message.id}")
            )
        ).scalar_one()
    assert (follow.channel, follow.status) == ("email", MessageStatus.sent)
    assert [mail.to for mail in sendgrid.accepted] == ["faults@corp.example"]


async def test_a_failure_to_connect_is_retried_without_waiting_for_proof(
    emulated: Runtime, sender: Sender, tenant: TenantHandle
) -> None:
    async with SendGridEmulator(SENDGRID_KEY) as closed_url:
        pass  # nothing listens there any more
    unreachable = SendGridChannel(SENDGRID_KEY, api_url=closed_url)
    outbound = dataclasses.replace(
        sender.outbound,
        channels={**sender.outbound.channels, "email": unreachable},
        tuning=SendTuning(retry_base=1.0, retry_cap=2.0, unconfirmed_delay=UNCONFIRMED),
    )
    debtor = await make_debtor(emulated.database, tenant.tenant)
    message = await queue(emulated.database, emulated.settings, tenant.tenant, debtor)

    await send_due(dataclasses.replace(sender, outbound=outbound))
    await unreachable.aclose()

    waiting = await reload(emulated.database, message.id)
    assert waiting.status == MessageStatus.queued
    assert "unreachable" in (waiting.last_error or "")
    assert waiting.send_after is not None
    # The request never left: the usual backoff, not the wait for a provider's proof.
    assert (waiting.send_after - waiting.updated_at).total_seconds() <= 2.0


async def test_a_timeout_after_sending_waits_for_the_event_that_proves_it(
    emulated: Runtime,
    impatient: Sender,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
    hooks: httpx.AsyncClient,
) -> None:
    debtor = await make_debtor(emulated.database, tenant.tenant, email="slow@corp.example")
    message = await queue(emulated.database, emulated.settings, tenant.tenant, debtor)
    sendgrid.faults.answer_late_next(seconds=1.0)  # accepted, answered after our timeout

    before = utcnow()
    await send_due(impatient)

    waiting = await reload(emulated.database, message.id)
    assert waiting.status == MessageStatus.queued
    assert waiting.send_after is not None
    assert waiting.send_after >= before + timedelta(seconds=UNCONFIRMED)
    assert "may have been accepted" in (waiting.last_error or "")
    await asyncio.sleep(1.0)  # the emulator finishes its late answer
    (mail,) = sendgrid.accepted
    body = json.dumps([sendgrid.event(mail, "processed")]).encode()
    response = await hooks.post(
        "/webhooks/sendgrid/events",
        content=body,
        headers={"Content-Type": "application/json", **sendgrid.sign(body)},
    )
    await _make_due(emulated, message.id)
    await send_due(impatient)

    assert response.status_code == 200
    proven = await reload(emulated.database, message.id)
    assert (proven.status, proven.provider_id) == (MessageStatus.sent, mail.x_message_id)
    assert sendgrid.requests == 1


async def test_an_unconfirmed_send_is_resent_once_proof_is_due_and_absent(
    emulated: Runtime, impatient: Sender, tenant: TenantHandle, sendgrid: SendGridEmulator
) -> None:
    debtor = await make_debtor(emulated.database, tenant.tenant, email="dropped@corp.example")
    message = await queue(emulated.database, emulated.settings, tenant.tenant, debtor)
    sendgrid.faults.drop_next()

    before = utcnow()
    await send_due(impatient)
    waiting = await reload(emulated.database, message.id)
    assert waiting.send_after is not None
    assert waiting.send_after >= before + timedelta(seconds=UNCONFIRMED)
    assert (await send_due(impatient)).claimed == 0  # held back for the provider's event

    await _make_due(emulated, message.id)
    await send_due(impatient)

    sent = await reload(emulated.database, message.id)
    assert (sent.status, sent.attempts) == (MessageStatus.sent, 2)
    assert sendgrid.requests == 2
    assert [m.custom_args["cobro_message_id"] for m in sendgrid.accepted] == [str(message.id)]


async def test_a_retried_row_that_an_event_proves_sent_is_not_sent_again(
    emulated: Runtime,
    impatient: Sender,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
    hooks: httpx.AsyncClient,
) -> None:
    debtor = await make_debtor(emulated.database, tenant.tenant, email="clicked@corp.example")
    message = await queue(emulated.database, emulated.settings, tenant.tenant, debtor)
    sendgrid.faults.answer_late_next(seconds=1.0)
    await send_due(impatient)
    await asyncio.sleep(1.0)
    (mail,) = sendgrid.accepted
    # The customer unsubscribes from the mail we never heard was accepted: an event that
    # records an opt-out and moves no status, but proves the send.
    body = json.dumps([sendgrid.event(mail, "unsubscribe")]).encode()
    response = await hooks.post(
        "/webhooks/sendgrid/events",
        content=body,
        headers={"Content-Type": "application/json", **sendgrid.sign(body)},
    )
    assert response.status_code == 200
    assert (await reload(emulated.database, message.id)).status == MessageStatus.queued

    await _make_due(emulated, message.id)
    await send_due(impatient)

    settled = await reload(emulated.database, message.id)
    assert (settled.status, settled.provider_id) == (MessageStatus.sent, mail.x_message_id)
    assert settled.attempts == 1  # settled by the proof, not by another attempt
    assert sendgrid.requests == 1
