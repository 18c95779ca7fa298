"""Webhooks arriving together share a transaction: each is stored once, its job queued, and a
payload that cannot be stored costs the others nothing."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
from arq.jobs import Job
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from service.inbound.intake import PayloadWriter
from service.inbound.models import InboundPayload
from service.inbound.service import (
    Attempt,
    InboundSource,
    Received,
    process_job_id,
    record_failure,
)
from service.runtime import Runtime
from tests.inbound.builders import (
    build_email,
    count_payloads,
    make_customer,
    make_inbound_tenant,
    messages_of,
    post_mime,
    post_sms,
    sms_params,
    unique_email,
    unique_number,
)
from workers.inbound import MAX_ROUND_BYTES, _parts, process_inbound, process_inbound_batch


async def _payloads(runtime: Runtime, keys: list[str]) -> list[InboundPayload]:
    async with runtime.database.transaction() as session:
        found = await session.execute(
            select(InboundPayload).where(col(InboundPayload.dedupe_key).in_(keys))
        )
        return list(found.scalars())


async def test_webhooks_posted_together_are_each_stored_once_with_their_jobs(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    texts = [
        sms_params(sender=f"+1212555{index:04d}", to=tenant.tenant.sms_from or "", body="ok")
        for index in range(12)
    ]
    mails = [
        build_email(sender=unique_email(), to=tenant.tenant.email_from or "", body="Paid.")
        for _ in range(6)
    ]
    before = await count_payloads(inbound_runtime.database)

    # Each text three times and each mail twice, all at once: replays within one transaction.
    answers = await asyncio.gather(
        *(post_sms(webhooks, params) for params in texts * 3),
        *(post_mime(webhooks, raw) for raw in mails * 2),
    )

    assert [answer.status_code for answer in answers] == [200] * 48
    assert await count_payloads(inbound_runtime.database) == before + 18
    stored = await _payloads(inbound_runtime, [params["MessageSid"] for params in texts])
    assert sorted(payload.dedupe_key for payload in stored) == sorted(
        params["MessageSid"] for params in texts
    )
    # Each payload is asked for once: by a job of its own or in one for those stored with it.
    asked = await _queued_payloads(inbound_runtime)
    assert all(asked.count(str(payload.id)) == 1 for payload in stored)


async def _queued_payloads(runtime: Runtime) -> list[str]:
    """The payload ids the queued inbound jobs name."""
    pool = runtime.queue.pool
    named: list[str] = []
    for job_id in await pool.zrange(pool.default_queue_name, 0, -1):
        if not job_id.startswith(b"inbound:"):
            continue
        info = await Job(job_id.decode(), pool, _queue_name=pool.default_queue_name).info()
        if info is None:
            continue
        if info.function == "process_inbound":
            named.append(info.args[0])
        elif info.function == "process_inbound_batch":
            named.extend(info.args[0])
    return named


async def test_a_payload_that_cannot_be_stored_costs_the_others_nothing(
    inbound_runtime: Runtime,
) -> None:
    writer = PayloadWriter(inbound_runtime.database)
    keys = [f"intake-{uuid.uuid4().hex}" for _ in range(5)]
    received = [
        Received(
            source=InboundSource.portal,
            dedupe_key=key,
            content_type="application/json",
            body=b"{}",
            # One names a tenant that does not exist: its row breaks the batch's INSERT.
            tenant_id=uuid.uuid4() if index == 2 else None,
        )
        for index, key in enumerate(keys)
    ]

    results = await asyncio.gather(
        *(writer.store(item) for item in received), return_exceptions=True
    )

    assert isinstance(results[2], IntegrityError)
    assert all(not isinstance(result, BaseException) for i, result in enumerate(results) if i != 2)
    stored = await _payloads(inbound_runtime, keys)
    assert sorted(payload.dedupe_key for payload in stored) == sorted(keys[:2] + keys[3:])


async def test_a_replay_after_processing_asks_for_nothing(inbound_runtime: Runtime) -> None:
    writer = PayloadWriter(inbound_runtime.database)
    key = f"intake-{uuid.uuid4().hex}"
    item = Received(source=InboundSource.portal, dedupe_key=key, content_type="x", body=b"{}")
    first = await writer.store(item)
    pool = inbound_runtime.queue.pool
    job = Job(process_job_id(first.payload_id), pool, _queue_name=pool.default_queue_name)
    await pool.delete(f"arq:job:{job.job_id}")
    await pool.zrem(pool.default_queue_name, job.job_id)
    async with inbound_runtime.database.transaction() as session:
        payload = await session.get(InboundPayload, first.payload_id)
        assert payload is not None
        payload.processed_at = payload.received_at

    replay = await writer.store(item)

    assert (replay.payload_id, replay.created, first.created) == (first.payload_id, False, True)
    assert await job.info() is None
    assert str(first.payload_id) not in await _queued_payloads(inbound_runtime)


@pytest.mark.parametrize("copies", [1, 3])
async def test_copies_stored_together_name_one_payload(
    inbound_runtime: Runtime, copies: int
) -> None:
    writer = PayloadWriter(inbound_runtime.database)
    item = Received(
        source=InboundSource.portal,
        dedupe_key=f"intake-{uuid.uuid4().hex}",
        content_type="application/json",
        body=b"{}",
    )

    results = await asyncio.gather(*(writer.store(item) for _ in range(copies)))

    assert len({result.payload_id for result in results}) == 1
    assert [result.created for result in results] == [True] + [False] * (copies - 1)


async def test_a_batch_goes_on_past_a_payload_that_fails_and_asks_for_it_again(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    texts = [
        sms_params(sender=f"+1646555{index:04d}", to=tenant.tenant.sms_from or "", body="Paid")
        for index in range(2)
    ]
    for params in texts:
        assert (await post_sms(webhooks, params)).status_code == 200
    good = await _payloads(inbound_runtime, [params["MessageSid"] for params in texts])
    # A portal payload naming a tenant that does not exist fails on its foreign keys.
    document = {"tenant_id": str(uuid.uuid4()), "customer_id": str(uuid.uuid4()), "body": "hi"}
    key = f"intake-{uuid.uuid4().hex}"
    broken = await PayloadWriter(inbound_runtime.database).store(
        Received(
            source=InboundSource.portal,
            dedupe_key=key,
            content_type="application/json",
            body=json.dumps(document).encode(),
        )
    )
    ids = [str(good[0].id), str(broken.payload_id), str(good[1].id)]

    outcomes = await process_inbound_batch({"runtime": inbound_runtime}, ids)

    assert [outcome["method"] for outcome in outcomes] == ["unmatched", "failed", "unmatched"]
    assert all(outcome["thread_id"] for outcome in (outcomes[0], outcomes[2]))
    retries = [
        job_id
        for job_id in await inbound_runtime.queue.pool.zrange(
            inbound_runtime.queue.pool.default_queue_name, 0, -1
        )
        if job_id.startswith(f"inbound:{broken.payload_id}:retry:".encode())
    ]
    assert len(retries) == 1
    (payload,) = await _payloads(inbound_runtime, [key])
    assert (payload.attempts, payload.processed_at) == (1, None)
    assert (payload.error or "").startswith("IntegrityError")
    # Given up here, so that other tests' processing of every waiting payload does not meet it.
    async with inbound_runtime.database.transaction() as session:
        await record_failure(session, payload_id=payload.id, error="broken", give_up=True)


async def test_payloads_of_one_batch_are_processed_together_and_thread_on_each_other(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    number = unique_number()
    customer = await make_customer(inbound_runtime.database, tenant, phone=number)
    texts = [
        sms_params(sender=number, to=tenant.tenant.sms_from or "", body=body)
        for body in ("Hola, recibimos su aviso", "Pagaremos el viernes")
    ]
    for params in texts:
        assert (await post_sms(webhooks, params)).status_code == 200
    stored = {
        p.dedupe_key: p for p in await _payloads(inbound_runtime, [t["MessageSid"] for t in texts])
    }
    ids = [str(stored[params["MessageSid"]].id) for params in texts]

    outcomes = await process_inbound_batch({"runtime": inbound_runtime}, ids)

    # The second reply finds the thread the first one opened in the same transaction.
    assert [outcome["method"] for outcome in outcomes] == ["new_thread", "sender"]
    assert outcomes[0]["thread_id"] == outcomes[1]["thread_id"]
    messages = await messages_of(
        inbound_runtime.database, uuid.UUID(outcomes[0]["thread_id"] or "")
    )
    inbound = [message for message in messages if message.direction == "inbound"]
    assert [message.customer_id for message in inbound] == [customer.id, customer.id]
    # One attempt each, counted in one statement; both ended with their message.
    done = await _payloads(inbound_runtime, [params["MessageSid"] for params in texts])
    assert sorted(
        (p.attempts, p.processed_at is not None, p.message_id is not None) for p in done
    ) == [
        (1, True, True),
        (1, True, True),
    ]


async def test_a_payload_that_failed_before_is_processed_on_its_own(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    texts = [
        sms_params(sender=unique_number(), to=tenant.tenant.sms_from or "", body="Paid")
        for _ in range(3)
    ]
    for params in texts:
        assert (await post_sms(webhooks, params)).status_code == 200
    payloads = {
        p.dedupe_key: p for p in await _payloads(inbound_runtime, [t["MessageSid"] for t in texts])
    }
    ordered = [payloads[params["MessageSid"]] for params in texts]
    async with inbound_runtime.database.transaction() as session:
        await session.execute(
            update(InboundPayload)
            .where(col(InboundPayload.id) == ordered[1].id)
            .values(attempts=2, error="OperationalError: earlier attempt")
        )

    outcomes = await process_inbound_batch(
        {"runtime": inbound_runtime}, [str(payload.id) for payload in ordered]
    )

    assert [outcome["method"] for outcome in outcomes] == ["unmatched"] * 3
    done = {p.id: p for p in await _payloads(inbound_runtime, [t["MessageSid"] for t in texts])}
    assert [done[payload.id].attempts for payload in ordered] == [1, 3, 1]
    assert all(done[payload.id].message_id is not None for payload in ordered)


async def test_jobs_running_at_once_are_processed_together_into_one_thread(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    number = unique_number()
    await make_customer(inbound_runtime.database, tenant, phone=number)
    texts = [
        sms_params(sender=number, to=tenant.tenant.sms_from or "", body=body)
        for body in ("Recibido", "Pagaremos el viernes", "Gracias")
    ]
    for params in texts:
        assert (await post_sms(webhooks, params)).status_code == 200
    keys = [params["MessageSid"] for params in texts]
    stored = {payload.dedupe_key: payload for payload in await _payloads(inbound_runtime, keys)}
    ctx: dict[str, object] = {"runtime": inbound_runtime}

    # Three jobs of one customer's texts at once: run one by one in transactions of their
    # own, each would find no thread yet and open one.
    outcomes = await asyncio.gather(*(process_inbound(ctx, str(stored[key].id)) for key in keys))

    assert sorted(outcome["method"] or "" for outcome in outcomes) == [
        "new_thread",
        "sender",
        "sender",
    ]
    assert len({outcome["thread_id"] for outcome in outcomes}) == 1


def test_a_round_is_cut_where_its_bodies_would_pass_the_byte_limit() -> None:
    sizes = [MAX_ROUND_BYTES // 2, MAX_ROUND_BYTES // 2, 1, MAX_ROUND_BYTES + 1, 10, 20]
    idents = [uuid.uuid4() for _ in sizes]
    counted = {
        ident: Attempt(number=1, size=size) for ident, size in zip(idents, sizes, strict=True)
    }

    parts = list(_parts(idents, counted))

    # A body larger than the limit goes alone; nothing is dropped or reordered.
    assert parts == [idents[0:2], idents[2:3], idents[3:4], idents[4:6]]
