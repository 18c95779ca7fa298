"""Per-sender token buckets in Redis: bursts, waits, refusals, and a paced campaign."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid

from service.outreach.pacing import Pacer, PacingPolicy
from service.outreach.sending import Sender, send_due
from service.runtime import Runtime
from service.threads.models import MessageStatus
from tests.emulators import TwilioEmulator
from tests.outreach.builders import make_debtor, queue, reload
from tests.tenancy.builders import TenantHandle


def _number() -> str:
    return "+1415" + str(uuid.uuid4().int)[:7]


async def test_the_bucket_grants_a_burst_then_spaced_slots_then_refuses(
    runtime: Runtime,
) -> None:
    policy = PacingPolicy(sms_rate=10.0, burst_seconds=0.5, max_wait=0.3)
    pacer = Pacer(runtime.queue.pool, policy)
    sender = _number()

    slots = [await pacer.take(channel="sms", sender=sender) for _ in range(20)]
    other = await pacer.take(channel="sms", sender=_number())

    granted = [slot for slot in slots if slot.granted]
    refused = [slot for slot in slots if not slot.granted]
    # Five at once (the burst), then three more within the 0.3 s a caller may wait.
    assert [slot.wait for slot in granted[:5]] == [0.0] * 5
    assert [round(slot.wait, 1) for slot in granted[5:]] == [0.1, 0.2, 0.3]
    assert len(refused) == 12
    assert all(0.3 < slot.wait <= 0.45 for slot in refused)
    assert other.granted  # each sender has its own bucket
    assert other.wait == 0.0


async def test_pacing_can_be_turned_off_and_the_portal_is_never_paced(runtime: Runtime) -> None:
    off = Pacer(runtime.queue.pool, PacingPolicy(enabled=False))
    on = Pacer(runtime.queue.pool, PacingPolicy(sms_rate=0.001, burst_seconds=1, max_wait=0))
    number = _number()

    assert all([(await off.take(channel="sms", sender=number)).granted for _ in range(50)])
    assert all([(await on.take(channel="portal", sender="")).granted for _ in range(50)])
    assert (await on.take(channel="sms", sender=number)).granted
    assert not (await on.take(channel="sms", sender=number)).granted


async def test_a_campaign_through_one_long_code_paces_itself(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, twilio: TwilioEmulator
) -> None:
    policy = PacingPolicy(sms_rate=10.0, burst_seconds=0.2, max_wait=0.2)
    pipeline = dataclasses.replace(
        sender,
        outbound=dataclasses.replace(sender.outbound, pacing=policy),
        pacer=Pacer(emulated.queue.pool, policy),
    )
    ids = []
    for index in range(12):
        debtor = await make_debtor(emulated.database, tenant.tenant, phone=f"+1500555{index:04d}")
        message = await queue(
            emulated.database, emulated.settings, tenant.tenant, debtor, channel="sms"
        )
        ids.append(message.id)

    started = time.monotonic()
    drains = 0
    while len(twilio.accepted) < 12 and drains < 100:
        await send_due(pipeline)
        drains += 1
        await asyncio.sleep(0.05)
    elapsed = time.monotonic() - started

    # Twelve messages at ten a second, two at once: at least a second, never faster.
    assert elapsed >= 0.9
    assert len(twilio.accepted) == 12
    assert twilio.requests == 12
    for message_id in ids:
        sent = await reload(emulated.database, message_id)
        assert sent.status == MessageStatus.sent
        assert sent.attempts == 1  # waiting for a slot is not a failed attempt
