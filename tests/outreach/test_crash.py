"""A worker SIGKILLed in the middle of a batch loses no message, and sends none twice when
the provider's event or callback proves it accepted the message.

Real processes: `cobro worker` runs against this run's database and Redis and sends to the
emulators in this process; the test kills it with SIGKILL while sends are in flight (some
outcomes recorded, some messages accepted by the provider whose answer the worker never
read, some not sent yet), posts the provider's signed proofs for some accepted messages,
starts a second worker, and counts what each emulator accepted per message.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import col

from service.queue import QUEUE_NAME
from service.runtime import Runtime
from service.threads.models import Message, MessageStatus
from tests.emulators import SendGridEmulator, TwilioEmulator
from tests.outreach.builders import make_debtor, queue
from tests.outreach.conftest import SENDGRID_KEY, TWILIO_SID, TWILIO_TOKEN
from tests.tenancy.builders import TenantHandle

MESSAGES_PER_CHANNEL = 30
LEASE_SECONDS = 3
CONCURRENCY = 16


def _worker_env(
    emulated: Runtime, sendgrid: SendGridEmulator, twilio: TwilioEmulator
) -> dict[str, str]:
    settings = emulated.settings
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("COBRO_", "SENDGRID_", "TWILIO_"))
    }
    env.update(
        {
            "DATABASE_URL": settings.resolved_database_url,
            "REDIS_URL": emulated.redis_url,
            "COBRO_VAR_DIR": str(settings.var_dir),
            "COBRO_PUBLIC_URL": settings.public_url,
            "COBRO_INBOUND_DOMAIN": settings.inbound_domain,
            "COBRO_SECRET_KEY": settings.resolved_secret_key(),
            "EMAIL_PROVIDER": "sendgrid",
            "SENDGRID_API_KEY": SENDGRID_KEY,
            "SENDGRID_API_URL": sendgrid.url,
            "SMS_PROVIDER": "twilio",
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_API_URL": twilio.url,
            "COBRO_PACING": "off",
            "COBRO_SEND_LEASE_SECONDS": str(LEASE_SECONDS),
            "COBRO_SEND_CONCURRENCY": str(CONCURRENCY),
            "COBRO_LOG_LEVEL": "WARNING",
        }
    )
    return env


@contextmanager
def _worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "worker"],
            env=env,
            cwd=log.parent,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _accepted_ids(
    sendgrid: SendGridEmulator, twilio: TwilioEmulator, ids: list[uuid.UUID]
) -> Counter[str]:
    """How often the emulators accepted each of this test's messages. The workers serve the
    whole run's queue, so messages other tests left due may reach these emulators too."""
    ours = {str(message_id) for message_id in ids}
    counts: Counter[str] = Counter()
    for mail in sendgrid.accepted:
        counts[mail.custom_args["cobro_message_id"]] += 1
    for sms in twilio.accepted:
        query = parse_qs(urlsplit(sms.status_callback or "").query)
        counts[query["m"][0]] += 1
    return Counter({message_id: n for message_id, n in counts.items() if message_id in ours})


async def _statuses(emulated: Runtime, ids: list[uuid.UUID]) -> dict[str, str]:
    async with emulated.database.transaction() as session:
        rows = await session.execute(
            select(col(Message.id), col(Message.status)).where(col(Message.id).in_(ids))
        )
        return {str(message_id): str(status) for message_id, status in rows.all()}


async def _mid_flight(
    emulated: Runtime, ids: list[uuid.UUID], sendgrid: SendGridEmulator, twilio: TwilioEmulator
) -> bool:
    statuses = await _statuses(emulated, ids)
    if Counter(statuses.values())["sent"] < 10:
        return False
    waiting = {message_id for message_id, status in statuses.items() if status == "sending"}
    mails = {mail.custom_args["cobro_message_id"] for mail in sendgrid.accepted}
    texts = {parse_qs(urlsplit(sms.status_callback or "").query)["m"][0] for sms in twilio.accepted}
    return bool(waiting & mails) and bool(waiting & texts)


@pytest.fixture
async def killed_jobs(runtime: Runtime) -> AsyncIterator[list[str]]:
    """arq keeps a killed worker's job queued until its in-progress key expires (the job
    timeout), which would hold up any burst worker later in this run; the cron job sends
    its messages meanwhile, so the test drops the job when it ends."""
    job_ids: list[str] = []
    yield job_ids
    pool = runtime.queue.pool
    for job_id in job_ids:
        await pool.zrem(QUEUE_NAME, job_id)
        await pool.delete(f"arq:in-progress:{job_id}", f"arq:job:{job_id}", f"arq:retry:{job_id}")


async def test_a_killed_worker_loses_nothing_and_proven_sends_are_not_repeated(
    emulated: Runtime,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
    twilio: TwilioEmulator,
    hooks: httpx.AsyncClient,
    tmp_path: Path,
    killed_jobs: list[str],
) -> None:
    run_id = uuid.uuid4()
    killed_jobs.append(f"outbox:{run_id}")
    ids: list[uuid.UUID] = []
    for index in range(MESSAGES_PER_CHANNEL):
        debtor = await make_debtor(
            emulated.database,
            tenant.tenant,
            email=f"crash{index}@corp.example",
            phone=f"+1500556{index:04d}",
        )
        for channel in ("email", "sms"):
            message = await queue(
                emulated.database,
                emulated.settings,
                tenant.tenant,
                debtor,
                channel=channel,
                run_id=run_id,
            )
            ids.append(message.id)
    # The providers accept each message at once and answer it late, later for each one:
    # at any instant some answers are read and recorded, others are still on their way.
    for index in range(MESSAGES_PER_CHANNEL):
        sendgrid.faults.answer_late_next(seconds=0.1 + 0.05 * index)
        twilio.faults.answer_late_next(seconds=0.1 + 0.05 * index)
    env = _worker_env(emulated, sendgrid, twilio)
    log = tmp_path / "worker.log"

    with _worker(env, log) as first:
        deadline = time.monotonic() + 60
        # The kill comes once some outcomes are recorded and each provider holds an accepted
        # message whose answer is still on its way (the worker also serves what earlier tests
        # left queued, so how far each channel got at a given count varies).
        while not await _mid_flight(emulated, ids, sendgrid, twilio):
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for the first worker's sends ({log})")
            await asyncio.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    await asyncio.sleep(0.5)  # let the emulators finish answering into closed connections
    before_kill = _accepted_ids(sendgrid, twilio, ids)
    statuses = await _statuses(emulated, ids)
    recorded = {message_id for message_id, status in statuses.items() if status == "sent"}
    stranded = {message_id for message_id, status in statuses.items() if status == "sending"}
    assert 0 < len(before_kill) < len(ids)
    assert recorded, "the worker was killed before recording any outcome"
    assert stranded & set(before_kill), "no acceptance was left unrecorded by the kill"
    # Outcomes are recorded as sends complete: everything recorded was accepted, once.
    assert recorded <= set(before_kill)

    # The providers' proofs: every accepted SMS gets Twilio's "sent" callback; of the emails
    # accepted but not recorded, every other one gets SendGrid's "processed" event.
    ours = {str(message_id) for message_id in ids}
    proven: set[str] = set()
    for sms in twilio.accepted:
        if parse_qs(urlsplit(sms.status_callback or "").query)["m"][0] not in ours:
            continue
        form = twilio.status_form(sms.sid, "sent")
        url = sms.status_callback or ""
        response = await hooks.post(
            url.removeprefix(emulated.settings.public_url),
            data=form,
            headers={"X-Twilio-Signature": twilio.signature(url, form)},
        )
        assert response.status_code == 200
        proven.add(parse_qs(urlsplit(url).query)["m"][0])
    left_unanswered = [
        mail for mail in sendgrid.accepted if mail.custom_args["cobro_message_id"] in stranded
    ]
    for mail in left_unanswered[1::2]:
        body = json.dumps([sendgrid.event(mail, "processed")]).encode()
        response = await hooks.post(
            "/webhooks/sendgrid/events",
            content=body,
            headers={"Content-Type": "application/json", **sendgrid.sign(body)},
        )
        assert response.status_code == 200
        proven.add(mail.custom_args["cobro_message_id"])
    unproven = (set(before_kill) & stranded) - proven

    sendgrid.faults.clear()
    twilio.faults.clear()
    with _worker(env, log):
        deadline = time.monotonic() + 60
        while True:
            statuses = await _statuses(emulated, ids)
            if all(status == MessageStatus.sent for status in statuses.values()):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"second worker did not finish: {Counter(statuses.values())}")
            await asyncio.sleep(0.2)

    sends = _accepted_ids(sendgrid, twilio, ids)
    # No message lost.
    assert set(sends) == ours
    # A message the provider proved it accepted was not sent again.
    assert all(sends[message_id] == 1 for message_id in proven)
    # A message whose outcome was recorded before the kill was not sent again.
    assert all(sends[message_id] == 1 for message_id in recorded)
    # A message accepted before the kill without any proof was sent again, exactly once more.
    assert unproven, "the test should leave some acceptances unproven"
    assert all(sends[message_id] == 2 for message_id in unproven)
    # Messages the provider never saw before the kill were sent exactly once.
    unseen = ours - set(before_kill)
    assert unseen
    assert all(sends[message_id] == 1 for message_id in unseen)
    assert sum(sends.values()) == len(ids) + len(unproven)
