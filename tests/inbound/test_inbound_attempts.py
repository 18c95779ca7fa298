"""Processing under races and failures: two copies of one mail at once, retries, giving up."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from arq import Retry
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from service.inbound import processing
from service.inbound.models import InboundPayload
from service.inbound.service import InboundSource, store_payload
from service.inbound.unmatched import route_payload, unrouted_payloads
from service.runtime import Runtime
from service.threads.models import Message
from tests.inbound.builders import (
    build_email,
    make_customer,
    make_inbound_tenant,
    post_mime,
    post_sendgrid,
    unique_email,
)
from workers.inbound import MAX_ATTEMPTS, process_inbound


async def _payload(runtime: Runtime, *, source: str, dedupe_key: str) -> InboundPayload:
    async with runtime.database.transaction() as session:
        return (
            await session.execute(
                select(InboundPayload).where(
                    col(InboundPayload.source) == source,
                    col(InboundPayload.dedupe_key) == dedupe_key,
                )
            )
        ).scalar_one()


async def test_two_copies_processed_at_once_end_as_one_message(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    customer = await make_customer(inbound_runtime.database, tenant, email=unique_email())
    message_id = f"<twice-{uuid.uuid4().hex}@customer.example>"
    raw = build_email(
        sender=customer.email or "", to=tenant.tenant.email_from or "", body="Paid today.",
        message_id=message_id,
    )  # fmt: skip
    # The same mail reaches Cobro twice: as raw MIME and through SendGrid (raw mode).
    assert (await post_mime(webhooks, raw)).status_code == 200
    assert (await post_sendgrid(webhooks, {"email": raw, "to": "x"})).status_code == 200
    first = await _payload(inbound_runtime, source=InboundSource.mime, dedupe_key=message_id)
    second = await _payload(
        inbound_runtime, source=InboundSource.sendgrid_inbound, dedupe_key=message_id
    )
    ctx: dict[str, Any] = {"runtime": inbound_runtime}
    async with inbound_runtime.database.sessions() as late:
        # The second copy has read and routed its payload, and found no message yet ...
        routed = await processing.read_and_route(
            late, payload_id=second.id, settings=inbound_runtime.settings
        )
        assert isinstance(routed, processing.Routed)
        # ... when the first copy's job stores the message.
        stored = await process_inbound(ctx, str(first.id))
        assert stored["message_id"] is not None
        with pytest.raises(IntegrityError):
            await processing.record_routed(late, routed=routed, settings=inbound_runtime.settings)
        await late.rollback()
    # Its retry links the message the first copy stored.
    linked = await process_inbound(ctx, str(second.id))
    assert (linked["method"], linked["message_id"]) == ("duplicate", stored["message_id"])
    async with inbound_runtime.database.transaction() as session:
        count = await session.execute(
            select(func.count(col(Message.id))).where(
                col(Message.tenant_id) == tenant.tenant.id,
                col(Message.dedupe_key) == f"email:{message_id}",
            )
        )
        assert count.scalar_one() == 1
        both = await session.execute(
            select(col(InboundPayload.message_id), col(InboundPayload.error)).where(
                col(InboundPayload.id).in_([first.id, second.id])
            )
        )
        assert {tuple(row) for row in both} == {(uuid.UUID(stored["message_id"] or ""), None)}


async def test_a_constraint_failure_is_retried_then_given_up_with_its_error(
    inbound_runtime: Runtime,
) -> None:
    # A portal payload naming a tenant that does not exist fails on its foreign keys each time.
    document = {
        "tenant_id": str(uuid.uuid4()),
        "customer_id": str(uuid.uuid4()),
        "thread_id": None,
        "body": "hello",
        "declared": None,
    }
    async with inbound_runtime.database.transaction() as session:
        stored = await store_payload(
            session, source=InboundSource.portal, dedupe_key=f"broken:{uuid.uuid4()}",
            content_type="application/json", body=json.dumps(document).encode(),
        )  # fmt: skip
    ctx: dict[str, Any] = {"runtime": inbound_runtime}
    for attempt in range(1, MAX_ATTEMPTS):
        with pytest.raises(Retry):
            await process_inbound(ctx, str(stored.payload_id))
        async with inbound_runtime.database.transaction() as session:
            payload = await session.get(InboundPayload, stored.payload_id)
        assert payload is not None
        assert (payload.attempts, payload.processed_at) == (attempt, None)
        assert (payload.error or "").startswith("IntegrityError")
    given_up = await process_inbound(ctx, str(stored.payload_id))
    assert given_up["method"] == "given_up"
    assert (given_up["error"] or "").startswith(f"gave up after {MAX_ATTEMPTS} attempts")
    async with inbound_runtime.database.transaction() as session:
        payload = await session.get(InboundPayload, stored.payload_id)
        listed = {item.id for item in await unrouted_payloads(session, limit=1000)}
    assert payload is not None
    assert payload.processed_at is not None
    assert stored.payload_id in listed
    # The sweep no longer asks for it; a later job changes nothing.
    later = await process_inbound(ctx, str(stored.payload_id))
    assert later["method"] == "already_processed"


async def test_a_payload_whose_attempts_never_finished_is_given_up(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    customer = await make_customer(inbound_runtime.database, tenant, email=unique_email())
    message_id = f"<crashing-{uuid.uuid4().hex}@customer.example>"
    raw = build_email(
        sender=customer.email or "", to=tenant.tenant.email_from or "", body="Hello",
        message_id=message_id,
    )  # fmt: skip
    assert (await post_mime(webhooks, raw)).status_code == 200
    payload = await _payload(inbound_runtime, source=InboundSource.mime, dedupe_key=message_id)
    # Attempts that killed their worker leave only their count behind.
    async with inbound_runtime.database.transaction() as session:
        await session.execute(
            update(InboundPayload)
            .where(col(InboundPayload.id) == payload.id)
            .values(attempts=MAX_ATTEMPTS)
        )
    outcome = await process_inbound({"runtime": inbound_runtime}, str(payload.id))
    assert outcome == {
        "method": "given_up",
        "message_id": None,
        "thread_id": None,
        "error": f"gave up after {MAX_ATTEMPTS} attempts",
    }
    # An operator may try it again once the cause is fixed.
    async with inbound_runtime.database.transaction() as session:
        again = await route_payload(
            session, payload_id=payload.id, tenant_id=None, settings=inbound_runtime.settings
        )
    assert again["method"] == "new_thread"
    assert again["message_id"] is not None
