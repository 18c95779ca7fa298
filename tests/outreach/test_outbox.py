"""The outbox: rows, email headers, jobs after commit, and sending through the emulators."""

from __future__ import annotations

import dataclasses
import uuid
from email.utils import parseaddr

import httpx
import pytest
from arq.jobs import Job, JobStatus

from channels.smtp import SmtpChannel
from service.config import Settings
from service.db import PendingJob
from service.outreach.pacing import Pacer
from service.outreach.providers import Outbound
from service.outreach.sending import Sender, send_due
from service.outreach.service import queue_message, read_unsubscribe_token
from service.queue import QUEUE_NAME
from service.runtime import Runtime
from service.security import thread_from_address
from service.threads.models import MessageStatus
from tests.emulators import SendGridEmulator, SmtpEmulator, TwilioEmulator
from tests.outreach.builders import make_debtor, queue, reload
from tests.tenancy.builders import TenantHandle


async def test_email_row_carries_the_reminder_headers(
    runtime: Runtime, settings: Settings, tenant: TenantHandle
) -> None:
    debtor = await make_debtor(runtime.database, tenant.tenant)
    message = await queue(runtime.database, settings, tenant.tenant, debtor)
    headers = message.headers

    assert message.status == MessageStatus.queued
    assert headers["Message-ID"].endswith("@reply.cobro.test>")
    assert message.email_message_id == headers["Message-ID"]
    secret = settings.resolved_secret_key()
    assert thread_from_address(secret, headers["Reply-To"], "reply.cobro.test") == debtor.thread.id
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("https://cobro.test/unsubscribe/")
    named = read_unsubscribe_token(secret=secret, token=url.rsplit("/", 1)[1])
    assert named is not None
    assert (named.tenant_id, named.address) == (tenant.tenant.id, "ana@example.com")
    # A second message gets its own Message-ID.
    other = await queue(runtime.database, settings, tenant.tenant, debtor)
    assert other.headers["Message-ID"] != headers["Message-ID"]


async def test_the_send_job_is_enqueued_only_after_commit_and_once_per_run(
    runtime: Runtime, settings: Settings, tenant: TenantHandle
) -> None:
    debtor = await make_debtor(runtime.database, tenant.tenant)
    run_id = uuid.uuid4()
    job = Job(f"outbox:{run_id}", runtime.queue.pool, _queue_name=QUEUE_NAME)

    async def queue_three_then_fail() -> None:
        async with runtime.database.transaction() as session:
            for _ in range(3):
                await queue_message(
                    session,
                    settings=settings,
                    tenant=tenant.tenant,
                    customer=debtor.customer,
                    thread=debtor.thread,
                    channel="sms",
                    to="+15005550009",
                    subject=None,
                    body="Reminder",
                    html=None,
                    language="en",
                    template="reminder_friendly",
                    run_id=run_id,
                )
            assert await job.status() == JobStatus.not_found
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError, match="roll back"):
        await queue_three_then_fail()
    # Rolled back: no job was ever requested.
    assert await job.status() == JobStatus.not_found

    async with runtime.database.transaction() as session:
        for _ in range(3):
            await queue_message(
                session,
                settings=settings,
                tenant=tenant.tenant,
                customer=debtor.customer,
                thread=debtor.thread,
                channel="sms",
                to="+15005550009",
                subject=None,
                body="Reminder",
                html=None,
                language="en",
                template="reminder_friendly",
                run_id=run_id,
            )
        # Three messages of one run ask for one job.
        assert session.info["cobro_jobs"].jobs == [
            PendingJob(function="send_outbox", args=(), job_id=f"outbox:{run_id}")
        ]
    assert await job.status() == JobStatus.queued
    await runtime.queue.pool.delete(f"arq:job:outbox:{run_id}")


async def test_email_sms_and_portal_are_sent_through_their_providers(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
    twilio: TwilioEmulator,
) -> None:
    debtor = await make_debtor(emulated.database, tenant.tenant)
    email = await queue(emulated.database, emulated.settings, tenant.tenant, debtor)
    sms = await queue(emulated.database, emulated.settings, tenant.tenant, debtor, channel="sms")
    portal = await queue(
        emulated.database, emulated.settings, tenant.tenant, debtor, channel="portal"
    )

    report = await send_due(sender)

    assert report.claimed == 3
    (mail,) = sendgrid.accepted
    assert mail.custom_args["cobro_message_id"] == str(email.id)
    assert mail.headers["Message-ID"] == email.headers["Message-ID"]
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.payload["reply_to"]["email"] == email.headers["Reply-To"]
    assert mail.payload["from"]["email"] == "ar@brightwater.example"
    (text,) = twilio.accepted
    assert text.to == "+15005550009"
    assert text.from_ == "+14155550100"
    assert text.status_callback == f"https://cobro.test/webhooks/twilio/status?m={sms.id}"

    sent_email = await reload(emulated.database, email.id)
    assert sent_email.status == MessageStatus.sent
    assert sent_email.provider_id == mail.x_message_id
    assert sent_email.provider == "sendgrid"
    assert sent_email.lease_until is None
    assert sent_email.attempts == 1
    sent_sms = await reload(emulated.database, sms.id)
    assert (sent_sms.status, sent_sms.provider_id) == (MessageStatus.sent, text.sid)
    shown = await reload(emulated.database, portal.id)
    assert shown.status == MessageStatus.delivered
    assert shown.delivered_at is not None
    # Nothing is sent twice: a second drain finds nothing due.
    assert (await send_due(sender)).claimed == 0
    assert len(sendgrid.accepted) == 1


async def test_email_over_a_real_smtp_server_keeps_our_headers(
    emulated: Runtime, tenant: TenantHandle, smtp: SmtpEmulator
) -> None:
    channel = SmtpChannel.from_url(smtp.url())
    outbound = Outbound(
        channels={**emulated.outbound.channels, "email": channel},
        pacing=emulated.outbound.pacing,
        tuning=emulated.outbound.tuning,
    )
    smtp_runtime = dataclasses.replace(emulated, outbound=outbound)
    pipeline = Sender(
        database=smtp_runtime.database,
        outbound=outbound,
        pacer=Pacer(smtp_runtime.queue.pool, outbound.pacing),
        settings=smtp_runtime.settings,
    )
    debtor = await make_debtor(emulated.database, tenant.tenant)
    message = await queue(emulated.database, emulated.settings, tenant.tenant, debtor)

    await send_due(pipeline)
    await channel.aclose()

    (received,) = smtp.received
    mime = received.message
    assert received.rcpt_tos == ("ana@example.com",)
    assert mime["Message-ID"] == message.headers["Message-ID"]
    assert parseaddr(mime["Reply-To"])[1] == message.headers["Reply-To"]
    assert mime["Auto-Submitted"] == "auto-generated"
    assert mime["List-Unsubscribe"] == message.headers["List-Unsubscribe"]
    assert mime["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    stored = await reload(emulated.database, message.id)
    assert stored.status == MessageStatus.sent
    assert stored.provider_id == message.headers["Message-ID"]


async def test_a_message_is_readable_by_its_tenant_only(
    client: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    tenant: TenantHandle,
    other_tenant: TenantHandle,
) -> None:
    debtor = await make_debtor(runtime.database, tenant.tenant)
    message = await queue(runtime.database, settings, tenant.tenant, debtor)

    own = await client.get(f"/v1/messages/{message.id}", headers=tenant.headers)
    foreign = await client.get(f"/v1/messages/{message.id}", headers=other_tenant.headers)

    assert own.status_code == 200
    assert own.json()["headers"]["Auto-Submitted"] == "auto-generated"
    assert own.json()["status"] == "queued"
    assert foreign.status_code == 404
