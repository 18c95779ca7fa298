"""Delivery webhooks signed as the providers sign them, and one-click unsubscribe."""

from __future__ import annotations

import json
import uuid

import httpx
from sqlalchemy import func, select
from sqlmodel import col

from service.consent.models import ConsentRecord
from service.outreach.models import DeliveryEventRecord, UnusableAddress
from service.outreach.sending import Sender, send_due
from service.runtime import Runtime
from service.threads.models import Message, MessageStatus
from tests.emulators import SendGridEmulator, TwilioEmulator
from tests.outreach.builders import Debtor, make_debtor, queue, reload
from tests.tenancy.builders import TenantHandle

EVENTS = "/webhooks/sendgrid/events"


async def _sent_email(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, debtor: Debtor, **fields: object
) -> Message:
    message = await queue(emulated.database, emulated.settings, tenant.tenant, debtor, **fields)  # type: ignore[arg-type]
    await send_due(sender)
    return await reload(emulated.database, message.id)


async def _post_events(
    hooks: httpx.AsyncClient, sendgrid: SendGridEmulator, events: list[dict[str, object]]
) -> httpx.Response:
    body = json.dumps(events).encode()
    headers = {"Content-Type": "application/json", **sendgrid.sign(body)}
    return await hooks.post(EVENTS, content=body, headers=headers)


async def _stored_events(runtime: Runtime, message_id: uuid.UUID) -> list[str]:
    async with runtime.database.transaction() as session:
        rows = await session.execute(
            select(col(DeliveryEventRecord.kind))
            .where(col(DeliveryEventRecord.message_id) == message_id)
            .order_by(col(DeliveryEventRecord.created_at))
        )
        return list(rows.scalars())


async def test_signed_sendgrid_events_move_the_message_forward_once(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
    hooks: httpx.AsyncClient,
) -> None:
    debtor = await make_debtor(emulated.database, tenant.tenant)
    message = await _sent_email(emulated, sender, tenant, debtor)
    (mail,) = sendgrid.accepted
    delivered = sendgrid.event(mail, "delivered")
    late = sendgrid.event(mail, "processed", timestamp=delivered["timestamp"] - 5)

    first = await _post_events(hooks, sendgrid, [delivered, late])
    replay = await _post_events(hooks, sendgrid, [delivered, late])

    assert first.status_code == 200
    assert first.json() == {"received": 2, "stored": 2}
    assert replay.status_code == 200
    assert replay.json() == {"received": 2, "stored": 0}
    stored = await reload(emulated.database, message.id)
    # The late "processed" arrived after "delivered" and did not move it back.
    assert stored.status == MessageStatus.delivered
    assert stored.delivered_at is not None
    assert await _stored_events(emulated, message.id) == ["delivered", "accepted"]


async def test_forged_or_unconfigured_sendgrid_events_are_refused_and_not_stored(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
    hooks: httpx.AsyncClient,
    client: httpx.AsyncClient,
) -> None:
    debtor = await make_debtor(emulated.database, tenant.tenant)
    message = await _sent_email(emulated, sender, tenant, debtor)
    (mail,) = sendgrid.accepted
    body = json.dumps([sendgrid.event(mail, "delivered")]).encode()
    signed = sendgrid.sign(body)
    tampered = body.replace(b"delivered", b"bounce")
    stale = sendgrid.sign(body, timestamp=1_600_000_000)

    forged = await hooks.post(EVENTS, content=tampered, headers=signed)
    unsigned = await hooks.post(EVENTS, content=body)
    old = await hooks.post(EVENTS, content=body, headers=stale)
    # The session's own app has no SENDGRID_EVENT_PUBLIC_KEY: it refuses even a good signature.
    unconfigured = await client.post(EVENTS, content=body, headers=signed)

    assert [r.status_code for r in (forged, unsigned, old, unconfigured)] == [403] * 4
    assert await _stored_events(emulated, message.id) == []
    assert (await reload(emulated.database, message.id)).status == MessageStatus.sent


async def test_a_malformed_payload_gets_a_4xx_and_the_next_is_processed(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
    hooks: httpx.AsyncClient,
) -> None:
    debtor = await make_debtor(emulated.database, tenant.tenant)
    message = await _sent_email(emulated, sender, tenant, debtor)
    (mail,) = sendgrid.accepted
    for broken in (b"{not json", b'{"event": "delivered"}'):
        response = await hooks.post(EVENTS, content=broken, headers=sendgrid.sign(broken))
        assert response.status_code == 400
        assert "malformed" in response.json()["detail"]
    odd = [42, {"event": "delivered", "cobro_message_id": "not-a-uuid", "sg_event_id": "x1"}]
    good = [sendgrid.event(mail, "delivered")]

    tolerated = await _post_events(hooks, sendgrid, odd)  # type: ignore[arg-type]
    response = await _post_events(hooks, sendgrid, good)

    assert tolerated.status_code == 200
    assert response.status_code == 200
    assert (await reload(emulated.database, message.id)).status == MessageStatus.delivered


async def test_bounce_marks_the_address_dead_and_falls_back(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
    twilio: TwilioEmulator,
    hooks: httpx.AsyncClient,
) -> None:
    debtor = await make_debtor(
        emulated.database, tenant.tenant, email="left@corp.example", phone="+15005550020"
    )
    message = await _sent_email(emulated, sender, tenant, debtor, fallback=("sms",))
    (mail,) = sendgrid.accepted
    bounce = sendgrid.event(
        mail, "bounce", type="bounce", status="5.1.1", reason="550 5.1.1 user unknown"
    )

    response = await _post_events(hooks, sendgrid, [bounce])
    await send_due(sender)

    assert response.status_code == 200
    bounced = await reload(emulated.database, message.id)
    assert bounced.status == MessageStatus.bounced
    assert "user unknown" in (bounced.last_error or "")
    assert [sms.to for sms in twilio.accepted] == ["+15005550020"]
    async with emulated.database.transaction() as session:
        dead = await session.execute(
            select(col(UnusableAddress.address)).where(
                col(UnusableAddress.tenant_id) == tenant.tenant.id
            )
        )
        assert list(dead.scalars()) == ["left@corp.example"]


async def test_spam_reports_and_unsubscribes_record_opt_outs(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
    hooks: httpx.AsyncClient,
) -> None:
    first = await make_debtor(emulated.database, tenant.tenant, email="spam@corp.example")
    second = await make_debtor(emulated.database, tenant.tenant, email="unsub@corp.example")
    await _sent_email(emulated, sender, tenant, first)
    await _sent_email(emulated, sender, tenant, second)
    spam, unsub = sendgrid.accepted

    response = await _post_events(
        hooks, sendgrid, [sendgrid.event(spam, "spamreport"), sendgrid.event(unsub, "unsubscribe")]
    )

    assert response.json() == {"received": 2, "stored": 2}
    async with emulated.database.transaction() as session:
        rows = await session.execute(
            select(col(ConsentRecord.address), col(ConsentRecord.source)).where(
                col(ConsentRecord.tenant_id) == tenant.tenant.id
            )
        )
        assert sorted(rows.all()) == [
            ("spam@corp.example", "sendgrid:spam_report"),
            ("unsub@corp.example", "sendgrid:unsubscribed"),
        ]


async def _sent_sms(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, phone: str, **fields: object
) -> Message:
    debtor = await make_debtor(emulated.database, tenant.tenant, phone=phone)
    message = await queue(
        emulated.database,
        emulated.settings,
        tenant.tenant,
        debtor,
        channel="sms",
        **fields,  # type: ignore[arg-type]
    )
    await send_due(sender)
    return await reload(emulated.database, message.id)


async def _callback(
    hooks: httpx.AsyncClient,
    twilio: TwilioEmulator,
    sid: str,
    status: str,
    *,
    error_code: int | None = None,
    signature: str | None = None,
) -> httpx.Response:
    sms = twilio.messages[sid]
    assert sms.status_callback is not None
    form = twilio.status_form(sid, status, error_code=error_code)
    signed = signature if signature is not None else twilio.signature(sms.status_callback, form)
    path = sms.status_callback.removeprefix("https://cobro.test")
    return await hooks.post(path, data=form, headers={"X-Twilio-Signature": signed})


async def test_twilio_callbacks_apply_in_order_and_never_move_back(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    twilio: TwilioEmulator,
    hooks: httpx.AsyncClient,
) -> None:
    message = await _sent_sms(emulated, sender, tenant, "+15005550021")
    (sms,) = twilio.accepted

    delivered = await _callback(hooks, twilio, sms.sid, "delivered")
    late_sent = await _callback(hooks, twilio, sms.sid, "sent")
    replayed = await _callback(hooks, twilio, sms.sid, "delivered")

    assert [r.status_code for r in (delivered, late_sent, replayed)] == [200, 200, 200]
    assert replayed.json() == {"received": 1, "stored": 0}
    stored = await reload(emulated.database, message.id)
    assert (stored.status, stored.provider_status) == (MessageStatus.delivered, "delivered")
    assert await _stored_events(emulated, message.id) == ["delivered", "sent"]


async def test_twilio_signature_is_checked_against_the_public_url_with_its_query(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    twilio: TwilioEmulator,
    hooks: httpx.AsyncClient,
    client: httpx.AsyncClient,
) -> None:
    message = await _sent_sms(emulated, sender, tenant, "+15005550022")
    (sms,) = twilio.accepted
    form = twilio.status_form(sms.sid, "delivered")
    without_query = twilio.signature("https://cobro.test/webhooks/twilio/status", form)
    host_based = twilio.signature(f"http://evil.test/webhooks/twilio/status?m={message.id}", form)

    refused = [
        await _callback(hooks, twilio, sms.sid, "delivered", signature=without_query),
        await _callback(hooks, twilio, sms.sid, "delivered", signature="bm90IGl0"),
        await _callback(hooks, twilio, sms.sid, "delivered", signature=""),
        await hooks.post(
            f"http://evil.test/webhooks/twilio/status?m={message.id}",
            data=form,
            headers={"X-Twilio-Signature": host_based},
        ),
    ]
    # With no TWILIO_AUTH_TOKEN (the session's own app) even a good signature is refused.
    sms_url = sms.status_callback or ""
    unconfigured = await client.post(
        sms_url.removeprefix("https://cobro.test"),
        data=form,
        headers={"X-Twilio-Signature": twilio.signature(sms_url, form)},
    )
    # Another Host header changes nothing: the URL is rebuilt from COBRO_PUBLIC_URL.
    accepted = await hooks.post(
        f"http://evil.test/webhooks/twilio/status?m={message.id}",
        data=form,
        headers={"X-Twilio-Signature": twilio.signature(sms_url, form)},
    )

    assert [r.status_code for r in refused] == [403] * 4
    assert unconfigured.status_code == 403
    assert accepted.status_code == 200
    assert await _stored_events(emulated, message.id) == ["delivered"]


async def test_undelivered_landline_marks_the_number_dead_and_falls_back(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    twilio: TwilioEmulator,
    hooks: httpx.AsyncClient,
) -> None:
    message = await _sent_sms(emulated, sender, tenant, "+15005550023", fallback=("portal",))
    (sms,) = twilio.accepted

    response = await _callback(hooks, twilio, sms.sid, "undelivered", error_code=30006)
    await send_due(sender)
    late = await _callback(hooks, twilio, sms.sid, "delivered")

    assert (response.status_code, late.status_code) == (200, 200)
    stored = await reload(emulated.database, message.id)
    assert stored.status == MessageStatus.undelivered
    async with emulated.database.transaction() as session:
        follow = (
            await session.execute(
                select(Message).where(col(Message.dedupe_key) == f"fallback:{message.id}")
            )
        ).scalar_one()
        dead = await session.execute(
            select(func.count()).where(
                col(UnusableAddress.tenant_id) == tenant.tenant.id,
                col(UnusableAddress.address) == "+15005550023",
            )
        )
        assert dead.scalar_one() == 1
    assert (follow.channel, follow.status) == ("portal", MessageStatus.delivered)


async def test_a_status_callback_without_a_status_is_a_400(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    twilio: TwilioEmulator,
    hooks: httpx.AsyncClient,
) -> None:
    await _sent_sms(emulated, sender, tenant, "+15005550024")
    (sms,) = twilio.accepted
    form = {"MessageSid": sms.sid, "AccountSid": twilio.account_sid}
    url = sms.status_callback or ""

    response = await hooks.post(
        url.removeprefix("https://cobro.test"),
        data=form,
        headers={"X-Twilio-Signature": twilio.signature(url, form)},
    )

    assert response.status_code == 400
    assert "MessageStatus" in response.json()["detail"]


async def test_one_click_unsubscribe_records_the_opt_out(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    sendgrid: SendGridEmulator,
    hooks: httpx.AsyncClient,
) -> None:
    debtor = await make_debtor(emulated.database, tenant.tenant, email="Leave.Me@Corp.Example")
    message = await _sent_email(emulated, sender, tenant, debtor)
    path = message.headers["List-Unsubscribe"].strip("<>").removeprefix("https://cobro.test")

    page = await hooks.get(path)
    async with emulated.database.transaction() as session:
        before = await session.execute(
            select(ConsentRecord).where(col(ConsentRecord.tenant_id) == tenant.tenant.id)
        )
        assert before.first() is None  # opening the link alone changes nothing
    posted = await hooks.post(path, data={"List-Unsubscribe": "One-Click"})
    again = await hooks.post(path, data={"List-Unsubscribe": "One-Click"})
    forged = await hooks.post(path[:-3] + "abc", data={"List-Unsubscribe": "One-Click"})
    later = await queue(emulated.database, emulated.settings, tenant.tenant, debtor)
    await send_due(sender)

    assert page.status_code == 200
    assert "leave.me@corp.example" in page.text
    assert 'method="post"' in page.text
    assert (posted.status_code, again.status_code, forged.status_code) == (200, 200, 404)
    skipped = await reload(emulated.database, later.id)
    assert (skipped.status, skipped.skip_reason) == (MessageStatus.skipped, "opted_out")
    assert len(sendgrid.accepted) == 1
    async with emulated.database.transaction() as session:
        rows = await session.execute(
            select(
                col(ConsentRecord.channel), col(ConsentRecord.address), col(ConsentRecord.source)
            ).where(col(ConsentRecord.tenant_id) == tenant.tenant.id)
        )
        assert rows.all() == [("email", "leave.me@corp.example", "list_unsubscribe")]
