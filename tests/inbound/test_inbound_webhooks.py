"""The three inbound webhooks: authentication first, durable storage, replays, limits."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator

import httpx

from service.db import Database
from service.inbound.routes import EMAIL_MAX_BYTES, SMS_MAX_BYTES
from service.runtime import Runtime
from tests.inbound.builders import (
    SENDGRID_PASSWORD,
    SENDGRID_USER,
    build_email,
    count_payloads,
    drain,
    inbound_by_provider_id,
    make_customer,
    make_inbound_tenant,
    multipart,
    post_mime,
    post_sendgrid,
    post_sms,
    sms_params,
    twilio_signature,
    unique_email,
)


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _sendgrid_raw_form(raw: bytes) -> dict[str, str | bytes]:
    return {
        "email": raw.decode(),
        "envelope": json.dumps({"to": ["x@reply.cobro.test"], "from": "a@b.example"}),
        "charsets": json.dumps({"email": "UTF-8"}),
    }


async def test_without_secrets_every_webhook_refuses(
    client: httpx.AsyncClient, database: Database
) -> None:
    before = await count_payloads(database)
    params = sms_params(sender="+12125550100", to="+14155550100", body="hola")
    raw = build_email(sender="a@b.example", to="c@d.example", body="hi")
    answers = [
        await post_sms(client, params),
        await post_sendgrid(client, _sendgrid_raw_form(raw), auth=("", "")),
        await post_mime(client, raw, token=""),
        await post_mime(client, raw, token="anything"),
    ]
    assert [answer.status_code for answer in answers] == [403, 403, 403, 403]
    assert await count_payloads(database) == before


async def test_forged_or_misplaced_twilio_signature_is_refused(
    webhooks: httpx.AsyncClient, database: Database
) -> None:
    before = await count_payloads(database)
    params = sms_params(sender="+12125550100", to="+14155550100", body="I will pay Friday")
    forged = twilio_signature({**params, "Body": "something else"})
    # Signed for the Host the request reached rather than COBRO_PUBLIC_URL: still refused.
    wrong_host = twilio_signature(params, url="https://attacker.example/webhooks/twilio/sms")
    answers = [
        await post_sms(webhooks, params, signature=forged),
        await post_sms(webhooks, params, signature=wrong_host),
        await webhooks.post("/webhooks/twilio/sms", data=params),
    ]
    assert [answer.status_code for answer in answers] == [403, 403, 403]
    assert await count_payloads(database) == before


async def test_wrong_basic_auth_and_wrong_bearer_store_nothing(
    webhooks: httpx.AsyncClient, database: Database
) -> None:
    before = await count_payloads(database)
    raw = build_email(sender="a@b.example", to="c@d.example", body="hi")
    for auth in ((SENDGRID_USER, "not-the-password"), ("someone", SENDGRID_PASSWORD)):
        answer = await post_sendgrid(webhooks, _sendgrid_raw_form(raw), auth=auth)
        assert answer.status_code == 403
    content_type, body = multipart(_sendgrid_raw_form(raw))
    for headers in ({"Authorization": "Basic !!!"}, {}):
        answer = await webhooks.post(
            "/webhooks/sendgrid/inbound",
            content=body,
            headers={**headers, "Content-Type": content_type},
        )
        assert answer.status_code == 403
    assert (await post_mime(webhooks, raw, token="wrong-token")).status_code == 403
    assert await count_payloads(database) == before


async def test_twilio_sms_is_acknowledged_with_empty_twiml_and_stored_once(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    params = sms_params(
        sender="+12125550111", to=tenant.tenant.sms_from or "", body="Pagaré el viernes"
    )
    first = await post_sms(webhooks, params)
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/xml")
    assert first.text == "<Response/>"
    stored = await count_payloads(inbound_runtime.database)
    replay = await post_sms(webhooks, params)
    assert replay.status_code == 200
    assert await count_payloads(inbound_runtime.database) == stored
    await drain(inbound_runtime)
    await post_sms(webhooks, params)  # a replay after processing changes nothing either
    await drain(inbound_runtime)
    messages = await inbound_by_provider_id(inbound_runtime.database, params["MessageSid"])
    assert len(messages) == 1
    assert messages[0].body == "Pagaré el viernes"
    assert messages[0].tenant_id == tenant.tenant.id


async def test_signature_with_default_port_is_accepted(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    params = sms_params(sender="+12125550112", to=tenant.tenant.sms_from or "", body="ok")
    signature = twilio_signature(params, url="https://cobro.test:443/webhooks/twilio/sms")
    assert (await post_sms(webhooks, params, signature=signature)).status_code == 200


async def test_same_message_id_twice_is_one_message(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    sender = unique_email()
    await make_customer(inbound_runtime.database, tenant, email=sender)
    raw = build_email(sender=sender, to=tenant.tenant.email_from or "", body="Paid today.")
    assert (await post_mime(webhooks, raw)).status_code == 200
    before = await count_payloads(inbound_runtime.database)
    assert (await post_mime(webhooks, raw)).status_code == 200
    # The same mail through SendGrid too: stored as its own payload, but one message.
    answer = await post_sendgrid(webhooks, _sendgrid_raw_form(raw))
    assert answer.status_code == 200
    assert await count_payloads(inbound_runtime.database) == before + 1
    outcomes = await drain(inbound_runtime)
    assert [outcome["method"] for outcome in outcomes[-2:]] == ["new_thread", "duplicate"]
    assert outcomes[-2]["message_id"] == outcomes[-1]["message_id"] is not None


async def test_oversized_bodies_get_413(webhooks: httpx.AsyncClient, database: Database) -> None:
    before = await count_payloads(database)
    params = sms_params(sender="+12125550100", to="+14155550100", body="x" * (SMS_MAX_BYTES + 1))
    assert (await post_sms(webhooks, params)).status_code == 413

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(SMS_MAX_BYTES // 1024 + 2):
            yield b"A" * 1024

    streamed = await webhooks.post(
        "/webhooks/twilio/sms",
        content=chunks(),
        headers={
            "X-Twilio-Signature": "x",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert streamed.status_code == 413
    big = b"Subject: big\r\n\r\n" + b"y" * (EMAIL_MAX_BYTES + 1)
    assert (await post_mime(webhooks, big)).status_code == 413
    assert await count_payloads(database) == before


async def test_malformed_bodies_get_400_and_the_next_request_is_fine(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    before = await count_payloads(inbound_runtime.database)
    assert (await post_mime(webhooks, b"")).status_code == 400
    assert (await post_mime(webhooks, b"this is not an email at all")).status_code == 400
    not_multipart = await webhooks.post(
        "/webhooks/sendgrid/inbound",
        content=b"{}",
        headers={**_basic(SENDGRID_USER, SENDGRID_PASSWORD), "Content-Type": "application/json"},
    )
    assert not_multipart.status_code == 400
    no_fields = await post_sendgrid(webhooks, {"spam_score": "0"})
    assert no_fields.status_code == 400
    assert await count_payloads(inbound_runtime.database) == before
    raw = build_email(sender=unique_email(), to="x@y.example", body="fine")
    assert (await post_mime(webhooks, raw)).status_code == 200
    assert await count_payloads(inbound_runtime.database) == before + 1
