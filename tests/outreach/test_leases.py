"""Ownership of claimed rows: a live worker keeps its lease however long its rows wait, and
a worker whose lease ran out neither calls the provider nor overwrites the newer claim."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections import Counter

from service.outreach.claims import claim_batch
from service.outreach.providers import SendTuning
from service.outreach.reconcile import reconcile
from service.outreach.recording import Outcome, record_outcomes
from service.outreach.sending import Sender, send_batch, send_due
from service.runtime import Runtime
from service.threads.models import Message, MessageStatus
from tests.emulators import SendGridEmulator, TwilioEmulator
from tests.outreach.builders import make_debtor, queue, reload
from tests.tenancy.builders import TenantHandle


def _tuned(sender: Sender, tuning: SendTuning) -> Sender:
    return dataclasses.replace(sender, outbound=dataclasses.replace(sender.outbound, tuning=tuning))


async def _queue_emails(
    emulated: Runtime, tenant: TenantHandle, count: int, tag: str
) -> list[Message]:
    queued = []
    for index in range(count):
        debtor = await make_debtor(
            emulated.database, tenant.tenant, email=f"{tag}{index}@lease.example"
        )
        queued.append(await queue(emulated.database, emulated.settings, tenant.tenant, debtor))
    return queued


async def _statuses(emulated: Runtime, messages: list[Message]) -> set[str]:
    return {(await reload(emulated.database, m.id)).status for m in messages}


async def test_rows_waiting_longer_than_the_lease_are_not_sent_twice(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, sendgrid: SendGridEmulator
) -> None:
    # One send at a time, 0.5 s each, six to a batch, a 1 s lease: the last rows of the batch
    # wait 2.5 s for their turn while a second loop reconciles and sends all the while.
    pipeline = _tuned(sender, SendTuning(batch_size=6, concurrency=1, lease_seconds=1.0))
    messages = await _queue_emails(emulated, tenant, 6, "slow")
    sendgrid.faults.delay_next(12, seconds=0.5)
    done = asyncio.Event()

    async def second_worker() -> None:
        while not done.is_set():
            await reconcile(pipeline)
            await send_due(pipeline)
            await asyncio.sleep(0.05)

    claim = await claim_batch(emulated.database, limit=6, lease_seconds=1.0)
    assert len(claim.rows) == 6
    other = asyncio.create_task(second_worker())
    try:
        await send_batch(pipeline, claim)
        deadline = time.monotonic() + 30
        while await _statuses(emulated, messages) != {MessageStatus.sent}:
            assert time.monotonic() < deadline, "the messages were not all sent"
            await asyncio.sleep(0.1)
    finally:
        done.set()
        await other

    sends = Counter(mail.custom_args["cobro_message_id"] for mail in sendgrid.accepted)
    assert sends == Counter({str(m.id): 1 for m in messages})
    for message in messages:
        row = await reload(emulated.database, message.id)
        assert (row.attempts, row.claim_token, row.lease_until) == (1, None, None)


async def test_a_claim_whose_lease_ran_out_never_calls_the_provider(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, sendgrid: SendGridEmulator
) -> None:
    pipeline = _tuned(sender, SendTuning(lease_seconds=0.2))
    (message,) = await _queue_emails(emulated, tenant, 1, "stale")
    stale = await claim_batch(emulated.database, limit=10, lease_seconds=0.2)
    assert [row.id for row in stale.rows] == [message.id]
    await asyncio.sleep(0.3)
    assert (await reconcile(pipeline)).requeued == 1

    outcomes = await send_batch(pipeline, stale)

    assert [outcome.status for outcome in outcomes] == [MessageStatus.queued]
    assert sendgrid.requests == 0
    requeued = await reload(emulated.database, message.id)
    assert (requeued.status, requeued.claim_token, requeued.attempts) == (
        MessageStatus.queued,
        None,
        1,
    )
    await send_due(pipeline)
    sent = await reload(emulated.database, message.id)
    assert (sent.status, sent.attempts) == (MessageStatus.sent, 2)
    assert len(sendgrid.accepted) == 1


async def test_an_outcome_from_a_lost_claim_does_not_overwrite_the_new_one(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, sendgrid: SendGridEmulator
) -> None:
    (message,) = await _queue_emails(emulated, tenant, 1, "lost")
    old = await claim_batch(emulated.database, limit=10, lease_seconds=0.1)
    await asyncio.sleep(0.2)
    await reconcile(sender)
    new = await claim_batch(emulated.database, limit=10, lease_seconds=60)
    assert [row.id for row in new.rows] == [message.id]

    await record_outcomes(
        sender,
        token=old.token,
        results=[
            (
                old.rows[0],
                Outcome(message_id=message.id, status=MessageStatus.failed, error="stale"),
            )
        ],
    )

    held = await reload(emulated.database, message.id)
    assert (held.status, held.claim_token, held.last_error) == (
        MessageStatus.sending,
        new.token,
        "lease expired before the provider's answer was recorded",
    )
    await send_batch(sender, new)
    sent = await reload(emulated.database, message.id)
    assert (sent.status, sent.claim_token) == (MessageStatus.sent, None)
    assert len(sendgrid.accepted) == 1


async def test_outcomes_are_recorded_as_each_send_completes(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, twilio: TwilioEmulator
) -> None:
    (fast,) = await _queue_emails(emulated, tenant, 1, "progress")
    debtor = await make_debtor(emulated.database, tenant.tenant, phone="+15005550031")
    slow = await queue(emulated.database, emulated.settings, tenant.tenant, debtor, channel="sms")
    twilio.faults.delay_next(seconds=1.5)
    claim = await claim_batch(emulated.database, limit=2, lease_seconds=30)
    sending = asyncio.create_task(send_batch(sender, claim))

    deadline = time.monotonic() + 10
    while (await reload(emulated.database, fast.id)).status != MessageStatus.sent:
        row = await reload(emulated.database, fast.id)
        assert time.monotonic() < deadline, (row.status, row.last_error, row.skip_reason)
        await asyncio.sleep(0.02)
    # The slow one is still in flight: the fast one did not wait for it to be recorded.
    assert (await reload(emulated.database, slow.id)).status == MessageStatus.sending
    recorded = await reload(emulated.database, fast.id)
    await sending
    later = await reload(emulated.database, slow.id)
    # sent_at is the provider's acceptance of each message, not the end of the batch.
    assert recorded.sent_at is not None
    assert later.sent_at is not None
    assert recorded.sent_at < later.sent_at
