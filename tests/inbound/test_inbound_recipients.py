"""The tenant an email was written to decides the tenant; the unmatched queues agents and the
operator work from."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlmodel import col

from service.inbound.models import InboundPayload
from service.inbound.unmatched import route_payload, unrouted_payloads
from service.runtime import Runtime
from service.threads.models import Thread
from tests.inbound.builders import (
    build_email,
    drain,
    make_conversation,
    make_customer,
    make_inbound_tenant,
    post_mime,
    unique_email,
)


async def _process(
    webhooks: httpx.AsyncClient, runtime: Runtime, raw: bytes
) -> dict[str, str | None]:
    assert (await post_mime(webhooks, raw)).status_code == 200
    return (await drain(runtime))[-1]


async def _thread(runtime: Runtime, thread_id: str | None) -> Thread:
    async with runtime.database.transaction() as session:
        thread = await session.get(Thread, uuid.UUID(thread_id or ""))
    assert thread is not None
    return thread


async def test_a_sender_known_elsewhere_lands_in_the_tenant_written_to(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    first = await make_inbound_tenant(inbound_runtime.database)
    second = await make_inbound_tenant(inbound_runtime.database, name="Second")
    sender = unique_email("known-in-first")
    await make_customer(inbound_runtime.database, first, email=sender)
    outcome = await _process(
        webhooks,
        inbound_runtime,
        build_email(sender=sender, to=second.tenant.email_from or "", body="Who is this?"),
    )
    assert outcome["method"] == "unmatched"
    thread = await _thread(inbound_runtime, outcome["thread_id"])
    assert (thread.tenant_id, thread.customer_id) == (second.tenant.id, None)


async def test_a_sender_known_to_two_tenants_goes_to_the_one_written_to(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    first = await make_inbound_tenant(inbound_runtime.database)
    second = await make_inbound_tenant(inbound_runtime.database, name="Second")
    shared = unique_email("shared")
    await make_customer(inbound_runtime.database, first, email=shared)
    theirs = await make_customer(inbound_runtime.database, second, email=shared)
    # The To header names the tenant in any case and among other recipients.
    outcome = await _process(
        webhooks,
        inbound_runtime,
        build_email(
            sender=shared,
            to=f"Colleague <someone@else.example>, {(second.tenant.email_from or '').upper()}",
            body="Paid last week.",
        ),
    )
    assert outcome["method"] == "new_thread"
    thread = await _thread(inbound_runtime, outcome["thread_id"])
    assert (thread.tenant_id, thread.customer_id) == (second.tenant.id, theirs.id)


async def test_a_quoted_reminder_of_another_tenant_does_not_move_the_reply(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    first = await make_inbound_tenant(inbound_runtime.database)
    second = await make_inbound_tenant(inbound_runtime.database, name="Second")
    shared = unique_email("both")
    mine = await make_customer(inbound_runtime.database, first, email=shared)
    theirs = await make_customer(inbound_runtime.database, second, email=shared)
    reminder = await make_conversation(inbound_runtime.database, first, mine)
    # Written to the second tenant, though replying to the first tenant's reminder.
    moved = await _process(
        webhooks,
        inbound_runtime,
        build_email(
            sender=shared,
            to=second.tenant.email_from or "",
            body="About your invoice",
            in_reply_to=reminder.outbound.email_message_id,
        ),
    )
    thread = await _thread(inbound_runtime, moved["thread_id"])
    assert (thread.tenant_id, thread.customer_id) == (second.tenant.id, theirs.id)
    # Written to the first tenant: the reminder threads it.
    kept = await _process(
        webhooks,
        inbound_runtime,
        build_email(
            sender=shared,
            to=first.tenant.email_from or "",
            body="Answering the reminder",
            in_reply_to=reminder.outbound.email_message_id,
        ),
    )
    assert (kept["method"], kept["thread_id"]) == ("in_reply_to", str(reminder.thread.id))


async def test_agents_list_the_unmatched_queue_of_their_tenant(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    other = await make_inbound_tenant(inbound_runtime.database, name="Other")
    customer = await make_customer(inbound_runtime.database, tenant, email=unique_email())
    known = await _process(
        webhooks,
        inbound_runtime,
        build_email(sender=customer.email or "", to=tenant.tenant.email_from or "", body="Hi"),
    )
    stranger = await _process(
        webhooks,
        inbound_runtime,
        build_email(sender=unique_email("new"), to=tenant.tenant.email_from or "", body="Hi"),
    )
    elsewhere = await _process(
        webhooks,
        inbound_runtime,
        build_email(sender=unique_email("new"), to=other.tenant.email_from or "", body="Hi"),
    )
    unmatched = await webhooks.get("/v1/threads?unmatched=true", headers=tenant.headers)
    assert unmatched.status_code == 200
    ids = [item["id"] for item in unmatched.json()["items"]]
    assert ids == [stranger["thread_id"]]
    assert all(item["customer"] is None for item in unmatched.json()["items"])
    matched = await webhooks.get("/v1/threads?unmatched=false", headers=tenant.headers)
    assert [item["id"] for item in matched.json()["items"]] == [known["thread_id"]]
    theirs = await webhooks.get("/v1/threads?unmatched=true", headers=other.headers)
    assert [item["id"] for item in theirs.json()["items"]] == [elsewhere["thread_id"]]
    document = (await webhooks.get("/openapi.json")).json()
    names = [p["name"] for p in document["paths"]["/v1/threads"]["get"]["parameters"]]
    assert "unmatched" in names


async def _ambiguous_payload(
    webhooks: httpx.AsyncClient, runtime: Runtime, subject: str
) -> tuple[uuid.UUID, uuid.UUID]:
    """A mail to nobody's address from a customer of two tenants; (payload id, second tenant)."""
    first = await make_inbound_tenant(runtime.database)
    second = await make_inbound_tenant(runtime.database, name="Second")
    shared = unique_email("ambiguous")
    await make_customer(runtime.database, first, email=shared)
    await make_customer(runtime.database, second, email=shared)
    raw = build_email(sender=shared, to="billing@nobody.example", body="Paid.", subject=subject)
    outcome = await _process(webhooks, runtime, raw)
    assert outcome["method"] == "ambiguous_tenant"
    async with runtime.database.transaction() as session:
        payload_id = (
            await session.execute(
                select(col(InboundPayload.id))
                .order_by(col(InboundPayload.received_at).desc())
                .limit(1)
            )
        ).scalar_one()
    return payload_id, second.tenant.id


async def test_the_operator_sees_and_delivers_what_reached_no_tenant(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    subject = f"Remittance {uuid.uuid4().hex[:6]}"
    payload_id, second = await _ambiguous_payload(webhooks, inbound_runtime, subject)
    async with inbound_runtime.database.transaction() as session:
        listed = {item.id: item for item in await unrouted_payloads(session, limit=1000)}
    assert payload_id in listed
    assert listed[payload_id].subject == subject
    assert listed[payload_id].recipient == "billing@nobody.example"
    assert listed[payload_id].error.startswith("ambiguous_tenant")
    async with inbound_runtime.database.transaction() as session:
        outcome = await route_payload(
            session, payload_id=payload_id, tenant_id=second, settings=inbound_runtime.settings
        )
    assert outcome["method"] == "new_thread"
    thread = await _thread(inbound_runtime, outcome["thread_id"])
    assert thread.tenant_id == second
    assert thread.customer_id is not None
    async with inbound_runtime.database.transaction() as session:
        assert payload_id not in {item.id for item in await unrouted_payloads(session)}


def _cobro(runtime: Runtime, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    settings = runtime.settings
    env = {
        **os.environ,
        "DATABASE_URL": settings.resolved_database_url,
        "REDIS_URL": settings.redis_url or "",
        "COBRO_VAR_DIR": str(cwd / "var"),
        "COBRO_PUBLIC_URL": settings.public_url,
        "COBRO_SECRET_KEY": settings.resolved_secret_key(),
        "COBRO_INBOUND_DOMAIN": settings.inbound_domain,
    }
    return subprocess.run(
        [sys.executable, "-m", "service", "inbound", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


async def test_cobro_inbound_lists_and_routes_unrouted_payloads(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime, tmp_path: Path
) -> None:
    payload_id, second = await _ambiguous_payload(webhooks, inbound_runtime, "Paid, see file")
    listed = _cobro(inbound_runtime, "unrouted", "--limit", "1000", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    documents = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]
    mine = next(item for item in documents if item["id"] == str(payload_id))
    assert mine["subject"] == "Paid, see file"
    wrong = _cobro(inbound_runtime, "route", str(payload_id), "--tenant", str(uuid.uuid4()),
                   cwd=tmp_path)  # fmt: skip
    assert wrong.returncode == 2
    assert "no such tenant" in wrong.stderr
    routed = _cobro(inbound_runtime, "route", str(payload_id), "--tenant", str(second),
                    cwd=tmp_path)  # fmt: skip
    assert routed.returncode == 0, routed.stderr
    outcome = json.loads(routed.stdout.splitlines()[-1])
    assert (await _thread(inbound_runtime, outcome["thread_id"])).tenant_id == second
    again = _cobro(inbound_runtime, "route", str(payload_id), cwd=tmp_path)
    assert again.returncode == 2
    assert "already in a conversation" in again.stderr
