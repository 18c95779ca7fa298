"""Opt-out, opt-in and help through the webhooks, in English and Spanish."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import col

from service.consent import service as consent
from service.inbound.consent_replies import AUTOMATIC_AUTHOR, AUTOMATIC_PER_HOUR
from service.runtime import Runtime
from service.threads.models import Message, Thread
from tests.inbound.builders import (
    build_email,
    drain,
    make_customer,
    make_inbound_tenant,
    post_mime,
    post_sms,
    sms_params,
    unique_email,
    unique_number,
)
from tests.tenancy.builders import TenantHandle


async def _text(
    webhooks: httpx.AsyncClient,
    runtime: Runtime,
    tenant: TenantHandle,
    sender: str,
    body: str,
    **extra: str,
) -> dict[str, str | None]:
    params = sms_params(sender=sender, to=tenant.tenant.sms_from or "", body=body, **extra)
    assert (await post_sms(webhooks, params)).status_code == 200
    return (await drain(runtime))[-1]


async def _automatic_to(runtime: Runtime, address: str) -> list[Message]:
    async with runtime.database.transaction() as session:
        result = await session.execute(
            select(Message)
            .where(col(Message.to_address) == address, col(Message.author) == AUTOMATIC_AUTHOR)
            .order_by(col(Message.created_at))
        )
        return list(result.scalars())


async def _opted_out(runtime: Runtime, tenant: TenantHandle, channel: str, address: str) -> bool:
    async with runtime.database.transaction() as session:
        return await consent.is_opted_out(
            session, tenant_id=tenant.tenant.id, channel=channel, address=address
        )


async def test_english_stop_with_opt_out_type_is_honoured_without_a_second_reply(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    phone = unique_number()
    await make_customer(inbound_runtime.database, tenant, phone=phone, external_id=f"S-{phone}")
    outcome = await _text(webhooks, inbound_runtime, tenant, phone, "STOP", OptOutType="STOP")
    assert await _opted_out(inbound_runtime, tenant, "sms", phone)
    assert not await _opted_out(inbound_runtime, tenant, "email", phone)
    assert await _automatic_to(inbound_runtime, phone) == []  # Twilio already answered
    async with inbound_runtime.database.transaction() as session:
        thread = await session.get(Thread, uuid.UUID(outcome["thread_id"] or ""))
    assert thread is not None
    assert thread.opt_out
    customer = await webhooks.get(f"/v1/customers/S-{phone}", headers=tenant.headers)
    assert customer.json()["opted_out_channels"] == ["sms"]
    # START with OptOutType gives consent back, again without a reply of ours.
    await _text(webhooks, inbound_runtime, tenant, phone, "START", OptOutType="START")
    assert not await _opted_out(inbound_runtime, tenant, "sms", phone)
    assert await _automatic_to(inbound_runtime, phone) == []


@pytest.mark.parametrize(
    ("stop", "start", "language"),
    [("BAJA", "ALTA", "es"), ("Parar.", "alta", "es"), ("STOP", "UNSTOP", None)],
)
async def test_keywords_twilio_does_not_know_get_our_confirmation(
    webhooks: httpx.AsyncClient,
    inbound_runtime: Runtime,
    stop: str,
    start: str,
    language: str | None,
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    phone = unique_number()  # unknown customer language: the confirmation is bilingual
    await make_customer(inbound_runtime.database, tenant, phone=phone, language=None)
    await _text(webhooks, inbound_runtime, tenant, phone, stop)
    assert await _opted_out(inbound_runtime, tenant, "sms", phone)
    await _text(webhooks, inbound_runtime, tenant, phone, start)
    assert not await _opted_out(inbound_runtime, tenant, "sms", phone)
    replies = await _automatic_to(inbound_runtime, phone)
    assert [reply.template for reply in replies] == [
        "consent_stop_confirmation",
        "consent_start_confirmation",
    ]
    assert all(reply.status == "queued" and reply.channel == "sms" for reply in replies)
    assert replies[0].language == language
    if language == "es":
        assert "ALTA" in replies[0].body
        assert "START" not in replies[0].body
    else:
        assert "START" in replies[0].body
        assert "ALTA" in replies[0].body


async def test_help_is_answered_and_automatic_replies_are_capped(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    phone = unique_number()
    await make_customer(inbound_runtime.database, tenant, phone=phone, language="en")
    await _text(webhooks, inbound_runtime, tenant, phone, "HELP", OptOutType="HELP")
    assert await _automatic_to(inbound_runtime, phone) == []
    for _ in range(AUTOMATIC_PER_HOUR + 2):
        await _text(webhooks, inbound_runtime, tenant, phone, "AYUDA")
    replies = await _automatic_to(inbound_runtime, phone)
    assert len(replies) == AUTOMATIC_PER_HOUR
    assert replies[0].template == "consent_help"
    assert "BAJA" in replies[0].body  # the Spanish keyword is answered in Spanish
    assert not await _opted_out(inbound_runtime, tenant, "sms", phone)


async def test_plain_requests_opt_out_on_every_channel_they_name(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    email = unique_email()
    phone = unique_number()
    await make_customer(inbound_runtime.database, tenant, email=email, phone=phone, language="es")
    raw = build_email(
        sender=email,
        to=tenant.tenant.email_from or "",
        body="Por favor no me escriban más a este correo.\n\nEnviado desde mi iPhone",
    )
    assert (await post_mime(webhooks, raw)).status_code == 200
    await drain(inbound_runtime)
    assert await _opted_out(inbound_runtime, tenant, "email", email.upper())
    assert not await _opted_out(inbound_runtime, tenant, "sms", phone)
    (confirmation,) = await _automatic_to(inbound_runtime, email)
    assert (confirmation.channel, confirmation.language) == ("email", "es")
    await _text(webhooks, inbound_runtime, tenant, phone, "stop texting me, I already paid")
    assert await _opted_out(inbound_runtime, tenant, "sms", phone)


async def test_an_ordinary_reply_changes_no_consent(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    phone = unique_number()
    await make_customer(inbound_runtime.database, tenant, phone=phone)
    await _text(webhooks, inbound_runtime, tenant, phone, "We stopped by the bank; paid today")
    await _text(webhooks, inbound_runtime, tenant, phone, "yes")
    assert not await _opted_out(inbound_runtime, tenant, "sms", phone)
    assert await _automatic_to(inbound_runtime, phone) == []
