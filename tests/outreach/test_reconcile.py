"""reconcile(): rows a dead worker left in ``sending`` are proven sent by a provider event
carrying their id, queued again without one, or failed with their fallback once attempts are
spent; a row whose lease still runs is left alone."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import httpx
from sqlalchemy import select
from sqlmodel import col

from service.outreach.claims import claim_batch
from service.outreach.providers import SendTuning
from service.outreach.reconcile import reconcile
from service.outreach.sending import Sender, send_due
from service.rendering import count_segments
from service.runtime import Runtime
from service.threads.models import Message, MessageStatus
from tests.emulators import AcceptedMail, SendGridEmulator, TwilioEmulator
from tests.outreach.builders import make_debtor, queue, reload
from tests.tenancy.builders import TenantHandle


async def _strand(emulated: Runtime) -> Message:
    """Claim the due row under a lease that runs out at once, as a worker killed mid-send."""
    claim = await claim_batch(emulated.database, limit=1, lease_seconds=0.05)
    await asyncio.sleep(0.1)
    (row,) = claim.rows
    return row


async def test_a_row_an_event_proves_accepted_is_marked_sent(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
    hooks: httpx.AsyncClient,
) -> None:
    debtor = await make_debtor(emulated.database, tenant.tenant, email="proof@corp.example")
    message = await queue(emulated.database, emulated.settings, tenant.tenant, debtor)
    await _strand(emulated)
    # SendGrid accepted the mail the dead worker sent; its spam report carries our id (and
    # moves no status by itself).
    mail = AcceptedMail(
        x_message_id="sgProof123",
        payload={
            "personalizations": [{"to": [{"email": "proof@corp.example"}]}],
            "custom_args": {"cobro_message_id": str(message.id)},
        },
    )
    body = json.dumps([sendgrid.event(mail, "spamreport")]).encode()
    response = await hooks.post(
        "/webhooks/sendgrid/events",
        content=body,
        headers={"Content-Type": "application/json", **sendgrid.sign(body)},
    )
    assert response.status_code == 200
    assert (await reload(emulated.database, message.id)).status == MessageStatus.sending

    settled = await reconcile(sender)

    assert (settled.proven, settled.requeued, settled.failed) == (1, 0, 0)
    row = await reload(emulated.database, message.id)
    assert (row.status, row.provider, row.provider_id) == (
        MessageStatus.sent,
        "sendgrid",
        "sgProof123",
    )
    assert (row.lease_until, row.claim_token, row.sent_at is not None) == (None, None, True)
    assert (await send_due(sender)).claimed == 0
    assert sendgrid.requests == 0


async def test_a_row_without_proof_is_queued_again_and_sent(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, sendgrid: SendGridEmulator
) -> None:
    debtor = await make_debtor(emulated.database, tenant.tenant, email="again@corp.example")
    message = await queue(emulated.database, emulated.settings, tenant.tenant, debtor)
    await _strand(emulated)

    settled = await reconcile(sender)

    assert (settled.proven, settled.requeued, settled.failed) == (0, 1, 0)
    requeued = await reload(emulated.database, message.id)
    assert (requeued.status, requeued.attempts, requeued.claim_token) == (
        MessageStatus.queued,
        1,
        None,
    )
    assert "lease expired" in (requeued.last_error or "")
    await send_due(sender)
    sent = await reload(emulated.database, message.id)
    assert (sent.status, sent.attempts) == (MessageStatus.sent, 2)
    assert [mail.to for mail in sendgrid.accepted] == ["again@corp.example"]


async def test_a_row_out_of_attempts_fails_and_falls_back(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, twilio: TwilioEmulator
) -> None:
    pipeline = dataclasses.replace(
        sender, outbound=dataclasses.replace(sender.outbound, tuning=SendTuning(max_attempts=1))
    )
    debtor = await make_debtor(
        emulated.database, tenant.tenant, email="spent@corp.example", phone="+15005550052"
    )
    message = await queue(
        emulated.database, emulated.settings, tenant.tenant, debtor, fallback=("sms",)
    )
    await _strand(emulated)

    settled = await reconcile(pipeline)

    assert (settled.proven, settled.requeued, settled.failed) == (0, 0, 1)
    failed = await reload(emulated.database, message.id)
    assert failed.status == MessageStatus.failed
    assert failed.last_error == "no provider confirmation after 1 attempts"
    async with emulated.database.transaction() as session:
        follow = (
            await session.execute(
                select(Message).where(col(Message.dedupe_key) == f"fallback:{message.id}")
            )
        ).scalar_one()
    assert (follow.channel, follow.to_address, follow.status) == (
        "sms",
        "+15005550052",
        MessageStatus.queued,
    )
    assert count_segments(follow.body).segments <= 2
    await send_due(pipeline)
    assert [sms.to for sms in twilio.accepted] == ["+15005550052"]
    # Settled once: a second pass finds nothing and writes no second fallback.
    assert await reconcile(pipeline) == type(settled)(0, 0, 0)


async def test_a_row_whose_lease_still_runs_is_left_alone(
    emulated: Runtime, sender: Sender, tenant: TenantHandle
) -> None:
    debtor = await make_debtor(emulated.database, tenant.tenant, email="busy@corp.example")
    message = await queue(emulated.database, emulated.settings, tenant.tenant, debtor)
    claim = await claim_batch(emulated.database, limit=1, lease_seconds=60)

    settled = await reconcile(sender)

    assert (settled.proven, settled.requeued, settled.failed) == (0, 0, 0)
    row = await reload(emulated.database, message.id)
    assert (row.status, row.claim_token) == (MessageStatus.sending, claim.token)
