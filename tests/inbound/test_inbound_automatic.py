"""Auto-replies, bounces and language changes through the processing job."""

from __future__ import annotations

import uuid

import httpx
import pytest
from arq.worker import Worker
from sqlalchemy import select
from sqlmodel import col

from service.consent import service as consent
from service.inbound.models import InboundPayload
from service.inbound.service import PROCESS_JOB
from service.ledger.models import Customer
from service.queue import redis_settings
from service.runtime import Runtime
from service.threads.models import Message, ThreadEvent
from tests.inbound.builders import (
    build_email,
    drain,
    make_conversation,
    make_customer,
    make_inbound_tenant,
    post_mime,
    unique_email,
)
from workers.settings import FUNCTIONS


def _dsn(*, original_id: str, recipient: str, status: str, action: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>\r\n"
        "To: bounces@reply.cobro.test\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <dsn-{uuid.uuid4().hex}@mx.customer.example>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.customer.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; {status} mailbox unavailable\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_id}\r\nSubject: Payment reminder\r\n"
        "--B--\r\n"
    ).encode()


async def _message(runtime: Runtime, message_id: uuid.UUID) -> Message:
    async with runtime.database.transaction() as session:
        found = await session.get(Message, message_id)
    if found is None:
        raise LookupError(message_id)
    return found


async def _events(runtime: Runtime, thread_id: uuid.UUID) -> list[str]:
    async with runtime.database.transaction() as session:
        result = await session.execute(
            select(col(ThreadEvent.kind))
            .where(col(ThreadEvent.thread_id) == thread_id)
            .order_by(col(ThreadEvent.created_at))
        )
        return list(result.scalars())


@pytest.mark.parametrize(
    ("status", "action", "message_status", "opted_out"),
    [("5.1.1", "failed", "bounced", True), ("4.4.1", "delayed", "sent", False)],
)
async def test_bounce_marks_the_original_and_only_permanent_ones_end_consent(
    webhooks: httpx.AsyncClient,
    inbound_runtime: Runtime,
    status: str,
    action: str,
    message_status: str,
    opted_out: bool,
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    customer = await make_customer(inbound_runtime.database, tenant, email=unique_email())
    conversation = await make_conversation(inbound_runtime.database, tenant, customer)
    raw = _dsn(
        original_id=conversation.outbound.email_message_id or "",
        recipient=customer.email or "",
        status=status,
        action=action,
    )
    assert (await post_mime(webhooks, raw)).status_code == 200
    outcome = (await drain(inbound_runtime))[-1]
    assert (outcome["method"], outcome["thread_id"]) == ("bounce", str(conversation.thread.id))
    original = await _message(inbound_runtime, conversation.outbound.id)
    assert original.status == message_status
    report = await _message(inbound_runtime, uuid.UUID(outcome["message_id"] or ""))
    assert report.automatic == "bounce"
    async with inbound_runtime.database.transaction() as session:
        assert (
            await consent.is_opted_out(
                session, tenant_id=tenant.tenant.id, channel="email", address=customer.email or ""
            )
            is opted_out
        )
    assert "confirmation_queued" not in await _events(inbound_runtime, conversation.thread.id)


async def test_auto_reply_is_marked_and_never_acted_upon(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    customer = await make_customer(
        inbound_runtime.database, tenant, email=unique_email(), language="en"
    )
    conversation = await make_conversation(inbound_runtime.database, tenant, customer)
    raw = build_email(
        sender=customer.email or "",
        to=tenant.tenant.email_from or "",
        subject="Respuesta automática: Payment reminder",
        body="Estoy fuera de la oficina hasta el lunes. Para darse de baja escriba a otra persona.",
        in_reply_to=conversation.outbound.email_message_id,
        headers={"Auto-Submitted": "auto-replied"},
    )
    assert (await post_mime(webhooks, raw)).status_code == 200
    outcome = (await drain(inbound_runtime))[-1]
    assert outcome["thread_id"] == str(conversation.thread.id)
    message = await _message(inbound_runtime, uuid.UUID(outcome["message_id"] or ""))
    assert message.automatic == "auto_reply"
    assert message.language is None
    events = await _events(inbound_runtime, conversation.thread.id)
    assert "opted_out" not in events
    assert "language_changed" not in events
    async with inbound_runtime.database.transaction() as session:
        stored = await session.get(Customer, customer.id)
    assert stored is not None
    assert stored.language == "en"


async def test_two_replies_in_another_language_change_the_customer_language(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    customer = await make_customer(
        inbound_runtime.database, tenant, email=unique_email(), language="en"
    )

    async def reply(body: str) -> dict[str, str | None]:
        raw = build_email(sender=customer.email or "", to=tenant.tenant.email_from or "", body=body)
        assert (await post_mime(webhooks, raw)).status_code == 200
        return (await drain(inbound_runtime))[-1]

    async def language() -> str | None:
        async with inbound_runtime.database.transaction() as session:
            stored = await session.get(Customer, customer.id)
        return stored.language if stored else None

    await reply("Hola, la factura ya fue pagada la semana pasada por transferencia bancaria.")
    assert await language() == "en"
    await reply("Thanks, I will check with our accounting team tomorrow morning.")
    await reply("Les escribo de nuevo: necesitamos una copia de la factura, por favor.")
    assert await language() == "en"
    last = await reply("¿Pueden enviarnos el estado de cuenta actualizado? Muchas gracias.")
    assert await language() == "es"
    assert "language_changed" in await _events(inbound_runtime, uuid.UUID(last["thread_id"] or ""))


async def test_a_real_worker_processes_the_queue(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    customer = await make_customer(inbound_runtime.database, tenant, email=unique_email())
    message_id = f"<worker-{uuid.uuid4().hex}@customer.example>"
    raw = build_email(
        sender=customer.email or "", to=tenant.tenant.email_from or "", body="Paid",
        message_id=message_id,
    )  # fmt: skip
    assert (await post_mime(webhooks, raw)).status_code == 200
    async with inbound_runtime.database.transaction() as session:
        payload_id = (
            await session.execute(
                select(col(InboundPayload.id)).where(col(InboundPayload.dedupe_key) == message_id)
            )
        ).scalar_one()
    # The job the webhook asked for, on a queue of this test's own: the run's shared queue holds
    # other tests' jobs, some deferred, so a worker on it would not stop when this one is done.
    queue = f"cobro:test:inbound:{uuid.uuid4().hex}"
    await inbound_runtime.queue.pool.enqueue_job(PROCESS_JOB, str(payload_id), _queue_name=queue)
    worker = Worker(
        functions=FUNCTIONS,
        queue_name=queue,
        redis_settings=redis_settings(inbound_runtime.redis_url),
        ctx={"runtime": inbound_runtime},
        burst=True,
        handle_signals=False,
    )
    try:
        await worker.main()
    finally:
        await worker.close()
    assert (worker.jobs_complete, worker.jobs_failed) == (1, 0)
    async with inbound_runtime.database.transaction() as session:
        result = await session.execute(
            select(Message).where(
                col(Message.customer_id) == customer.id, col(Message.direction) == "inbound"
            )
        )
        messages = list(result.scalars())
    assert [(m.direction, m.body_clean) for m in messages] == [("inbound", "Paid")]
