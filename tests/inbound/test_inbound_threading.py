"""Every threading path, the unmatched queue, and tenant isolation."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select
from sqlmodel import col

from service import security
from service.inbound.models import InboundPayload
from service.inbound.service import receive_portal_message
from service.runtime import Runtime
from service.threads.models import Attachment, Message, Thread, ThreadEvent
from tests.inbound.builders import (
    build_email,
    drain,
    make_conversation,
    make_customer,
    make_inbound_tenant,
    messages_of,
    post_mime,
    post_sendgrid,
    post_sms,
    sms_params,
    unique_email,
    unique_number,
)


def _reply_address(runtime: Runtime, thread_id: uuid.UUID) -> str:
    settings = runtime.settings
    return security.reply_address(
        settings.resolved_secret_key(), thread_id, settings.inbound_domain
    )


def _marker(runtime: Runtime, thread_id: uuid.UUID) -> str:
    return security.body_marker(runtime.settings.resolved_secret_key(), thread_id)


async def _thread(runtime: Runtime, thread_id: str | None) -> Thread:
    async with runtime.database.transaction() as session:
        thread = await session.get(Thread, uuid.UUID(thread_id or ""))
    if thread is None:
        raise LookupError(thread_id)
    return thread


async def _send_and_process(
    webhooks: httpx.AsyncClient, runtime: Runtime, raw: bytes
) -> dict[str, str | None]:
    assert (await post_mime(webhooks, raw)).status_code == 200
    return (await drain(runtime))[-1]


async def test_reply_address_token_threads_the_reply(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    customer = await make_customer(inbound_runtime.database, tenant, email=unique_email())
    conversation = await make_conversation(inbound_runtime.database, tenant, customer)
    reply = (
        "We paid INV-1 yesterday.\n\nOn Tue, 3 Mar 2026 at 09:00, Cobro <ar@x.example> wrote:\n"
        "> Invoice INV-1 is due.\n"
    )
    raw = build_email(
        sender=customer.email or "",
        to=_reply_address(inbound_runtime, conversation.thread.id),
        body=reply,
    )
    outcome = await _send_and_process(webhooks, inbound_runtime, raw)
    assert outcome["method"] == "reply_address"
    assert outcome["thread_id"] == str(conversation.thread.id)
    # The thread may carry Cobro's acknowledgement after the reply; the reply is the inbound one.
    inbound = [
        m
        for m in await messages_of(inbound_runtime.database, conversation.thread.id)
        if m.direction == "inbound"
    ]
    assert len(inbound) == 1
    received = inbound[-1]
    assert received.status == "processed"
    assert received.body_clean == "We paid INV-1 yesterday."
    assert "wrote:" in received.body
    thread = await _thread(inbound_runtime, outcome["thread_id"])
    assert thread.last_message_at is not None
    async with inbound_runtime.database.transaction() as session:
        kinds = (
            await session.execute(
                select(col(ThreadEvent.kind)).where(col(ThreadEvent.thread_id) == thread.id)
            )
        ).scalars()
        assert "message_received" in set(kinds)


async def test_forged_token_is_ignored(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    customer = await make_customer(inbound_runtime.database, tenant, email=unique_email())
    victim = await make_conversation(inbound_runtime.database, tenant, customer)
    genuine = _reply_address(inbound_runtime, victim.thread.id)
    local, _, domain = genuine.partition("@")
    forged = local[:-4] + ("aaaa" if not local.endswith("aaaa") else "bbbb") + "@" + domain
    stranger = unique_email("stranger")
    raw = build_email(sender=stranger, to=forged, body="Send me the bank details")
    outcome = await _send_and_process(webhooks, inbound_runtime, raw)
    assert outcome["thread_id"] != str(victim.thread.id)
    # No token, no reply ids, unknown sender, and the address is no tenant's: nobody's reply.
    assert outcome["method"] == "no_tenant"


async def test_in_reply_to_threads_the_reply(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    customer = await make_customer(inbound_runtime.database, tenant, email=unique_email())
    older = await make_conversation(inbound_runtime.database, tenant, customer)
    await make_conversation(inbound_runtime.database, tenant, customer)  # a newer open thread
    raw = build_email(
        sender=customer.email or "",
        to=tenant.tenant.email_from or "",
        body="Which invoice is this?",
        in_reply_to=older.outbound.email_message_id,
    )
    outcome = await _send_and_process(webhooks, inbound_runtime, raw)
    assert (outcome["method"], outcome["thread_id"]) == ("in_reply_to", str(older.thread.id))


async def test_body_marker_threads_the_reply(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    customer = await make_customer(inbound_runtime.database, tenant, email=unique_email())
    conversation = await make_conversation(inbound_runtime.database, tenant, customer)
    await make_conversation(inbound_runtime.database, tenant, customer)
    body = (
        "Disputamos el cargo.\n\nEl mar, 3 mar 2026 a las 9:00, Cobro escribió:\n"
        f"> Factura vencida {_marker(inbound_runtime, conversation.thread.id)}\n"
    )
    raw = build_email(sender=customer.email or "", to=tenant.tenant.email_from or "", body=body)
    outcome = await _send_and_process(webhooks, inbound_runtime, raw)
    assert (outcome["method"], outcome["thread_id"]) == ("body_marker", str(conversation.thread.id))


async def test_sender_goes_to_latest_open_thread_else_a_new_one(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    customer = await make_customer(inbound_runtime.database, tenant, email=unique_email())
    first = await _send_and_process(
        webhooks,
        inbound_runtime,
        build_email(sender=customer.email or "", to=tenant.tenant.email_from or "", body="Hi"),
    )
    assert first["method"] == "new_thread"
    thread = await _thread(inbound_runtime, first["thread_id"])
    assert thread.customer_id == customer.id
    second = await _send_and_process(
        webhooks,
        inbound_runtime,
        build_email(
            sender=(customer.email or "").upper(),
            to=tenant.tenant.email_from or "",
            body="Any news?",
        ),
    )
    assert (second["method"], second["thread_id"]) == ("sender", first["thread_id"])


async def test_two_customers_are_never_merged(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    alice = await make_customer(inbound_runtime.database, tenant, email=unique_email("alice"))
    bob = await make_customer(inbound_runtime.database, tenant, email=unique_email("bob"))
    alices = await make_conversation(inbound_runtime.database, tenant, alice)
    # Bob answers a reminder Alice forwarded him: the token names Alice's thread.
    raw = build_email(
        sender=bob.email or "",
        to=_reply_address(inbound_runtime, alices.thread.id),
        body="This is not our invoice.",
        in_reply_to=alices.outbound.email_message_id,
    )
    outcome = await _send_and_process(webhooks, inbound_runtime, raw)
    assert outcome["thread_id"] != str(alices.thread.id)
    thread = await _thread(inbound_runtime, outcome["thread_id"])
    assert thread.customer_id == bob.id
    assert all(
        m.customer_id == alice.id
        for m in await messages_of(inbound_runtime.database, alices.thread.id)
    )
    # A colleague nobody knows may answer in Alice's thread.
    colleague = build_email(
        sender=unique_email("colleague"),
        to=_reply_address(inbound_runtime, alices.thread.id),
        body="Forwarding to our AP team.",
    )
    joined = await _send_and_process(webhooks, inbound_runtime, colleague)
    assert (joined["method"], joined["thread_id"]) == ("reply_address", str(alices.thread.id))


async def test_unknown_sender_goes_to_unmatched_queue_and_is_attached(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    other = await make_inbound_tenant(inbound_runtime.database, name="Other")
    customer = await make_customer(inbound_runtime.database, tenant, external_id="ACME-1")
    stranger = unique_email("newcontact")
    first = await _send_and_process(
        webhooks,
        inbound_runtime,
        build_email(sender=stranger, to=tenant.tenant.email_from or "", body="Who are you?"),
    )
    assert first["method"] == "unmatched"
    second = await _send_and_process(
        webhooks,
        inbound_runtime,
        build_email(sender=stranger, to=tenant.tenant.email_from or "", body="Hello again"),
    )
    assert second["thread_id"] == first["thread_id"]
    unmatched = await _thread(inbound_runtime, first["thread_id"])
    assert (unmatched.customer_id, unmatched.status, unmatched.tenant_id) == (
        None,
        "open",
        tenant.tenant.id,
    )
    path = f"/v1/threads/{unmatched.id}/attach"
    body = {"customer_external_id": "ACME-1"}
    assert (await webhooks.post(path, json=body, headers=other.headers)).status_code == 404
    missing = {"customer_external_id": "NOPE"}
    assert (await webhooks.post(path, json=missing, headers=tenant.headers)).status_code == 404
    attached = await webhooks.post(path, json=body, headers=tenant.headers)
    assert attached.status_code == 200, attached.text
    assert attached.json()["messages_moved"] == 2
    assert all(
        m.customer_id == customer.id
        for m in await messages_of(inbound_runtime.database, unmatched.id)
    )
    again = await webhooks.post(path, json=body, headers=tenant.headers)
    assert again.status_code == 409


async def test_sender_known_to_two_tenants_is_not_guessed(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    shared = unique_email("shared")
    first = await make_inbound_tenant(inbound_runtime.database)
    second = await make_inbound_tenant(inbound_runtime.database, name="Second")
    await make_customer(inbound_runtime.database, first, email=shared)
    await make_customer(inbound_runtime.database, second, email=shared)
    outcome = await _send_and_process(
        webhooks,
        inbound_runtime,
        build_email(sender=shared, to="billing@somewhere.example", body="Paid."),
    )
    assert outcome["method"] == "ambiguous_tenant"
    assert outcome["message_id"] is None
    async with inbound_runtime.database.transaction() as session:
        payload = (
            await session.execute(
                select(InboundPayload).order_by(col(InboundPayload.received_at).desc()).limit(1)
            )
        ).scalar_one()
    assert payload.processed_at is not None
    assert payload.error is not None
    assert "2 tenants" in payload.error


async def test_sms_is_routed_within_the_tenant_owning_the_number(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    phone = unique_number()
    mine = await make_inbound_tenant(inbound_runtime.database)
    theirs = await make_inbound_tenant(inbound_runtime.database, name="Theirs")
    customer = await make_customer(inbound_runtime.database, mine, phone=phone)
    stranger_there = await make_customer(inbound_runtime.database, theirs, phone=phone)
    params = sms_params(sender=phone, to=mine.tenant.sms_from or "", body="Pago mañana")
    assert (await post_sms(webhooks, params)).status_code == 200
    outcome = (await drain(inbound_runtime))[-1]
    thread = await _thread(inbound_runtime, outcome["thread_id"])
    assert (thread.tenant_id, thread.customer_id) == (mine.tenant.id, customer.id)
    assert thread.customer_id != stranger_there.id
    # The other tenant cannot read or attach it.
    answer = await webhooks.post(
        f"/v1/threads/{thread.id}/attach",
        json={"customer_external_id": stranger_there.external_id},
        headers=theirs.headers,
    )
    assert answer.status_code == 404
    unknown = sms_params(sender=unique_number(), to=mine.tenant.sms_from or "", body="?")
    await post_sms(webhooks, unknown)
    lost = (await drain(inbound_runtime))[-1]
    assert lost["method"] == "unmatched"
    assert (await _thread(inbound_runtime, lost["thread_id"])).tenant_id == mine.tenant.id


async def test_sendgrid_parsed_post_with_attachment(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    customer = await make_customer(inbound_runtime.database, tenant, email=unique_email())
    conversation = await make_conversation(inbound_runtime.database, tenant, customer)
    address = _reply_address(inbound_runtime, conversation.thread.id)
    headers = (
        f"From: {customer.email}\nTo: {address}\nSubject: Re: reminder\n"
        "Message-ID: <remit-1@customer.example>\n"
    )
    fields: dict[str, str | bytes] = {
        "headers": headers,
        "from": customer.email or "",
        "to": address,
        "subject": "Re: reminder",
        "text": "Remittance attached.".encode("latin-1"),
        "charsets": '{"text": "iso-8859-1", "subject": "UTF-8"}',
        "envelope": f'{{"to": ["{address}"], "from": "{customer.email}"}}',
        "attachments": "1",
        "attachment-info": '{"attachment1": {"filename": "remit.pdf", "type": "application/pdf"}}',
    }
    pdf = b"%PDF-1.4 remittance"
    answer = await post_sendgrid(
        webhooks, fields, files=(("attachment1", "remit.pdf", "application/pdf", pdf),)
    )
    assert answer.status_code == 200
    outcome = (await drain(inbound_runtime))[-1]
    assert (outcome["method"], outcome["thread_id"]) == (
        "reply_address",
        str(conversation.thread.id),
    )
    async with inbound_runtime.database.transaction() as session:
        files = list(
            (
                await session.execute(
                    select(Attachment).where(
                        col(Attachment.message_id) == uuid.UUID(outcome["message_id"] or "")
                    )
                )
            ).scalars()
        )
        message = await session.get(Message, uuid.UUID(outcome["message_id"] or ""))
    assert [(f.filename, f.content_type, f.content) for f in files] == [
        ("remit.pdf", "application/pdf", pdf)
    ]
    assert message is not None
    assert message.email_message_id == "<remit-1@customer.example>"


async def test_portal_message_is_stored_and_threaded(inbound_runtime: Runtime) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    customer = await make_customer(inbound_runtime.database, tenant)
    conversation = await make_conversation(inbound_runtime.database, tenant, customer)
    async with inbound_runtime.database.transaction() as session:
        stored = await receive_portal_message(
            session,
            tenant_id=tenant.tenant.id,
            customer_id=customer.id,
            body="Can I pay in two parts?",
            thread_id=conversation.thread.id,
        )
    assert stored.created
    outcome = (await drain(inbound_runtime))[-1]
    assert (outcome["method"], outcome["thread_id"]) == (
        "portal_thread",
        str(conversation.thread.id),
    )
