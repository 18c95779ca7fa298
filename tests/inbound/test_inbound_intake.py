"""Webhooks arriving together share a transaction: each is stored once, its job queued, and a
payload that cannot be stored costs the others nothing."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from arq.jobs import Job
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from service.inbound.intake import PayloadWriter
from service.inbound.models import InboundPayload
from service.inbound.service import InboundSource, Received, process_job_id
from service.runtime import Runtime
from tests.inbound.builders import (
    build_email,
    count_payloads,
    make_inbound_tenant,
    post_mime,
    post_sms,
    sms_params,
    unique_email,
)


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
    pool = inbound_runtime.queue.pool
    for payload in stored:
        job = Job(process_job_id(payload.id), pool, _queue_name=pool.default_queue_name)
        info = await job.info()
        assert info is not None
        assert (info.function, info.args) == ("process_inbound", (str(payload.id),))


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
