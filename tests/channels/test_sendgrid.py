from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from channels.base import (
    ChannelMisconfigured,
    InvalidRecipient,
    PermanentError,
    TransientError,
)
from channels.sendgrid import (
    SendGridChannel,
    build_payload,
    parse_events,
    retry_after_from_headers,
    verify_event_signature,
)
from tests.channels.builders import SENDGRID_KEY, make_email
from tests.emulators import SendGridEmulator

HEADERS = {
    "Message-ID": "<msg-1.abc@mail.acme.test>",
    "Reply-To": "Acme Collections <reply+tok123@reply.acme.test>",
    "List-Unsubscribe": "<https://acme.test/u/tok123>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "Auto-Submitted": "auto-generated",
    "X-Auto-Response-Suppress": "OOF, AutoReply",
    "Subject": "must not travel as a header",
}


async def test_send_returns_the_message_id_sendgrid_assigned(sendgrid: SendGridEmulator) -> None:
    channel = SendGridChannel(SENDGRID_KEY, api_url=sendgrid.url)
    try:
        result = await channel.send(make_email(headers=HEADERS, custom_args={"tenant": "t1"}))
    finally:
        await channel.aclose()

    assert len(sendgrid.accepted) == 1
    mail = sendgrid.accepted[0]
    assert result.message_id == "msg-1"
    assert result.provider_id == mail.x_message_id
    assert result.status == "accepted"
    assert mail.to == "ana@example.com"
    assert mail.custom_args == {"cobro_message_id": "msg-1", "tenant": "t1"}
    assert mail.payload["from"] == {"email": "billing@acme.test", "name": "Acme Billing"}
    assert mail.payload["reply_to"] == {
        "email": "reply+tok123@reply.acme.test",
        "name": "Acme Collections",
    }
    assert mail.headers == {
        "Message-ID": "<msg-1.abc@mail.acme.test>",
        "List-Unsubscribe": "<https://acme.test/u/tok123>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "OOF, AutoReply",
    }
    assert [part["type"] for part in mail.payload["content"]] == ["text/plain", "text/html"]
    assert mail.payload["subject"] == "Your invoice INV-7 is past due"


def test_payload_without_html_has_plain_text_only() -> None:
    payload = build_payload(make_email(html=None))
    assert payload["content"] == [
        {"type": "text/plain", "value": "Hola Ana, your invoice INV-7 for $120.00 is past due."}
    ]
    assert "headers" not in payload
    assert "reply_to" not in payload


def test_payload_encodes_non_ascii_header_values() -> None:
    payload = build_payload(make_email(headers={"X-Cobro-Campaign": "Recordatorio amable ñ"}))
    assert payload["headers"]["X-Cobro-Campaign"].startswith("=?utf-8?")


def test_message_without_subject_is_refused_before_sending() -> None:
    with pytest.raises(PermanentError) as caught:
        build_payload(make_email(subject=None))
    assert caught.value.code == "missing_subject"


async def test_our_message_id_wins_over_a_custom_arg_of_the_same_name(
    sendgrid: SendGridEmulator,
) -> None:
    channel = SendGridChannel(SENDGRID_KEY, api_url=sendgrid.url)
    try:
        await channel.send(make_email(custom_args={"cobro_message_id": "forged"}))
    finally:
        await channel.aclose()
    assert sendgrid.accepted[0].custom_args["cobro_message_id"] == "msg-1"


async def test_wrong_api_key_is_a_misconfiguration(sendgrid: SendGridEmulator) -> None:
    channel = SendGridChannel("SG.wrong", api_url=sendgrid.url)
    try:
        with pytest.raises(ChannelMisconfigured) as caught:
            await channel.send(make_email())
    finally:
        await channel.aclose()
    assert caught.value.code == "401"
    assert "authorization grant is invalid" in caught.value.reason
    assert sendgrid.accepted == []


async def test_refused_recipient_is_invalid_recipient(sendgrid: SendGridEmulator) -> None:
    sendgrid.reject("gone@example.com")
    channel = SendGridChannel(SENDGRID_KEY, api_url=sendgrid.url)
    try:
        with pytest.raises(InvalidRecipient) as caught:
            await channel.send(make_email(to="gone@example.com"))
        await channel.send(make_email(to="ana@example.com"))
    finally:
        await channel.aclose()
    assert "Does not contain a valid address." in caught.value.reason
    assert [mail.to for mail in sendgrid.accepted] == ["ana@example.com"]


async def test_other_400s_are_permanent_with_sendgrid_reason(sendgrid: SendGridEmulator) -> None:
    # A reserved header slipped through a custom client: SendGrid explains, we keep the words.
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{sendgrid.url}/v3/mail/send",
            headers={"Authorization": f"Bearer {SENDGRID_KEY}"},
            json={**build_payload(make_email()), "headers": {"Subject": "x"}},
        ) as response,
    ):
        assert response.status == 400
        assert (await response.json())["errors"][0]["field"] == "headers"

    channel = SendGridChannel(SENDGRID_KEY, api_url=sendgrid.url)
    try:
        with pytest.raises(PermanentError) as caught:
            await channel.send(make_email(to="not-an-address"))
    finally:
        await channel.aclose()
    assert caught.value.code == "400"


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_transient(sendgrid: SendGridEmulator, status: int) -> None:
    sendgrid.faults.fail_next(2, status=status)
    channel = SendGridChannel(SENDGRID_KEY, api_url=sendgrid.url)
    try:
        for _ in range(2):
            with pytest.raises(TransientError) as caught:
                await channel.send(make_email())
            assert caught.value.code == str(status)
        result = await channel.send(make_email())
    finally:
        await channel.aclose()
    assert sendgrid.requests == 3
    assert result.provider_id == sendgrid.accepted[0].x_message_id


async def test_rate_limit_carries_the_reset_time(sendgrid: SendGridEmulator) -> None:
    sendgrid.faults.rate_limit_next(retry_after=5)
    channel = SendGridChannel(SENDGRID_KEY, api_url=sendgrid.url)
    try:
        with pytest.raises(TransientError) as caught:
            await channel.send(make_email())
    finally:
        await channel.aclose()
    assert caught.value.code == "429"
    assert caught.value.retry_after is not None
    assert 4.0 <= caught.value.retry_after <= 6.0


async def test_timeout_is_transient(sendgrid: SendGridEmulator) -> None:
    sendgrid.faults.delay_next(seconds=1.0)
    channel = SendGridChannel(SENDGRID_KEY, api_url=sendgrid.url, timeout=0.2)
    try:
        with pytest.raises(TransientError) as caught:
            await channel.send(make_email())
    finally:
        await channel.aclose()
    assert caught.value.code == "timeout"
    assert caught.value.unconfirmed


async def test_a_dropped_connection_is_transient_and_unconfirmed(
    sendgrid: SendGridEmulator,
) -> None:
    sendgrid.faults.drop_next()
    channel = SendGridChannel(SENDGRID_KEY, api_url=sendgrid.url)
    try:
        with pytest.raises(TransientError) as caught:
            await channel.send(make_email())
    finally:
        await channel.aclose()
    assert caught.value.code == "connection_lost"
    assert caught.value.unconfirmed
    assert sendgrid.accepted == []


async def test_unreachable_api_is_transient() -> None:
    async with SendGridEmulator(SENDGRID_KEY) as url:
        pass  # the port is now closed
    channel = SendGridChannel(SENDGRID_KEY, api_url=url)
    try:
        with pytest.raises(TransientError) as caught:
            await channel.send(make_email())
    finally:
        await channel.aclose()
    assert caught.value.code == "connection"
    assert not caught.value.unconfirmed  # nothing reached SendGrid


async def test_a_given_session_is_used_and_left_open(sendgrid: SendGridEmulator) -> None:
    async with aiohttp.ClientSession() as session:
        channel = SendGridChannel(SENDGRID_KEY, api_url=sendgrid.url, session=session)
        await channel.send(make_email())
        await channel.aclose()
        assert not session.closed
    assert len(sendgrid.accepted) == 1


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-RateLimit-Reset": "1000012"}, 12.0),
        ({"X-RateLimit-Reset": "999990"}, 0.0),
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "Mon, 12 Jan 1970 13:46:50 GMT"}, 10.0),
        ({"X-RateLimit-Reset": "soon", "Retry-After": "3"}, 3.0),
        ({"Retry-After": "later"}, None),
        ({}, None),
    ],
)
def test_retry_after_from_headers(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_from_headers(headers, now=1_000_000.0) == expected


def _event(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "email": "ana@example.com",
        "timestamp": 1_700_000_000,
        "sg_event_id": "evt-1",
        "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
        "cobro_message_id": "msg-1",
    }
    base.update(fields)
    return base


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        ("processed", "accepted"),
        ("delivered", "delivered"),
        ("deferred", "deferred"),
        ("bounce", "bounced"),
        ("dropped", "dropped"),
        ("open", "opened"),
        ("click", "clicked"),
        ("spamreport", "spam_report"),
        ("unsubscribe", "unsubscribed"),
        ("group_unsubscribe", "unsubscribed"),
    ],
)
def test_events_normalize_by_name(event: str, kind: str) -> None:
    [normalized] = parse_events(json.dumps([_event(event=event)]).encode())
    assert normalized.kind == kind
    assert normalized.event_id == "evt-1"
    assert normalized.message_id == "msg-1"
    assert normalized.provider_id == "14c5d75ce93"
    assert normalized.address == "ana@example.com"
    assert normalized.occurred_at == datetime.fromtimestamp(1_700_000_000, tz=UTC)
    assert normalized.raw["event"] == event


def test_hard_bounce_is_permanent_and_block_is_not() -> None:
    hard, blocked, soft = parse_events(
        json.dumps(
            [
                _event(event="bounce", type="bounce", status="5.1.1", reason="550 5.1.1 unknown"),
                _event(event="bounce", type="blocked", status="5.7.1", reason="spam"),
                _event(event="bounce", type="bounce", status="4.2.2", reason="mailbox full"),
            ]
        ).encode()
    )
    assert (hard.permanent, hard.error_code, hard.reason) == (True, "5.1.1", "550 5.1.1 unknown")
    assert blocked.permanent is False
    assert soft.permanent is False


def test_drop_for_bounced_address_is_permanent() -> None:
    bounced, unsubscribed = parse_events(
        json.dumps(
            [
                _event(event="dropped", reason="Bounced Address"),
                _event(event="dropped", reason="Unsubscribed Address"),
            ]
        ).encode()
    )
    assert bounced.permanent is True
    assert unsubscribed.permanent is False


def test_deferred_keeps_the_server_response_as_reason() -> None:
    [deferred] = parse_events(
        json.dumps([_event(event="deferred", response="400 try again later", attempt="2")]).encode()
    )
    assert deferred.reason == "400 try again later"


def test_unknown_events_are_skipped_and_missing_custom_arg_is_none() -> None:
    events = parse_events(
        json.dumps(
            [
                _event(event="group_resubscribe"),
                "not an event",
                {"event": "delivered", "email": "x@ex.com", "timestamp": 1, "sg_event_id": "e"},
            ]
        ).encode()
    )
    assert [(event.kind, event.message_id, event.provider_id) for event in events] == [
        ("delivered", None, None)
    ]


def test_legacy_unique_args_are_read() -> None:
    raw = _event(event="delivered", unique_args={"cobro_message_id": "msg-9"})
    del raw["cobro_message_id"]
    [event] = parse_events(json.dumps([raw]).encode())
    assert event.message_id == "msg-9"


def test_event_payload_must_be_an_array() -> None:
    with pytest.raises(ValueError, match="array"):
        parse_events(b'{"event": "delivered"}')


# Event Webhook signatures: a key made here, signed exactly as SendGrid signs.


def _key_pair() -> tuple[ec.EllipticCurvePrivateKey, str]:
    private = ec.generate_private_key(ec.SECP256R1())
    der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, base64.b64encode(der).decode()


def _sign(private: ec.EllipticCurvePrivateKey, timestamp: str, payload: bytes) -> str:
    signature = private.sign(timestamp.encode() + payload, ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(signature).decode()


PAYLOAD = json.dumps([_event(event="delivered")]).encode() + b"\r\n"


def test_signature_verifies_the_exact_raw_body() -> None:
    private, public = _key_pair()
    stamp = str(int(time.time()))
    signature = _sign(private, stamp, PAYLOAD)

    assert verify_event_signature(
        public_key=public, payload=PAYLOAD, signature=signature, timestamp=stamp
    )
    assert not verify_event_signature(
        public_key=public, payload=PAYLOAD.strip(), signature=signature, timestamp=stamp
    )
    assert not verify_event_signature(
        public_key=public,
        payload=PAYLOAD.replace(b"delivered", b"bounce"),
        signature=signature,
        timestamp=stamp,
    )
    assert not verify_event_signature(
        public_key=public, payload=PAYLOAD, signature=signature, timestamp=str(int(stamp) + 1)
    )


def test_signature_accepts_pem_armoured_key() -> None:
    private, public = _key_pair()
    pem = f"-----BEGIN PUBLIC KEY-----\n{public}\n-----END PUBLIC KEY-----\n"
    stamp = str(int(time.time()))
    assert verify_event_signature(
        public_key=pem, payload=PAYLOAD, signature=_sign(private, stamp, PAYLOAD), timestamp=stamp
    )


def test_signature_from_another_key_fails() -> None:
    private, _ = _key_pair()
    _, other_public = _key_pair()
    stamp = str(int(time.time()))
    assert not verify_event_signature(
        public_key=other_public,
        payload=PAYLOAD,
        signature=_sign(private, stamp, PAYLOAD),
        timestamp=stamp,
    )


def test_stale_or_future_timestamp_fails() -> None:
    private, public = _key_pair()
    now = datetime(2025, 3, 7, 12, 0, tzinfo=UTC)
    for offset in (timedelta(minutes=-11), timedelta(minutes=11)):
        stamp = str(int((now + offset).timestamp()))
        assert not verify_event_signature(
            public_key=public,
            payload=PAYLOAD,
            signature=_sign(private, stamp, PAYLOAD),
            timestamp=stamp,
            now=now,
        )
    stamp = str(int((now - timedelta(minutes=9)).timestamp()))
    assert verify_event_signature(
        public_key=public,
        payload=PAYLOAD,
        signature=_sign(private, stamp, PAYLOAD),
        timestamp=stamp,
        now=now,
    )


@pytest.mark.parametrize(
    ("public_key", "signature", "timestamp", "payload"),
    [
        ("not a key", "AAAA", "NOW", PAYLOAD),
        ("not a key", "AAAA", None, PAYLOAD),
        ("bm90IGEga2V5", "%%%", None, PAYLOAD),
        (None, "", None, PAYLOAD),
        (None, "bm90IGEgc2lnbmF0dXJl", None, PAYLOAD),
        (None, "@@not-base64@@", None, PAYLOAD),
        (None, None, None, b"\xff\xfe not utf-8"),
        ("RSA", None, None, PAYLOAD),
    ],
)
def test_garbage_gives_false_never_an_exception(
    public_key: str | None, signature: str | None, timestamp: str | None, payload: bytes
) -> None:
    private, public = _key_pair()
    stamp = timestamp or str(int(time.time()))
    if public_key == "RSA":
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public_key = base64.b64encode(
            rsa_key.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        ).decode()
    assert not verify_event_signature(
        public_key=public_key or public,
        payload=payload,
        signature=signature if signature is not None else _sign(private, stamp, payload),
        timestamp=stamp,
    )


async def test_emulator_event_posts_verify_and_parse(sendgrid: SendGridEmulator) -> None:
    channel = SendGridChannel(SENDGRID_KEY, api_url=sendgrid.url)
    try:
        await channel.send(make_email())
    finally:
        await channel.aclose()
    mail = sendgrid.accepted[0]
    body = json.dumps([sendgrid.event(mail, "delivered")]).encode()
    headers = sendgrid.sign(body)

    assert verify_event_signature(
        public_key=sendgrid.public_key,
        payload=body,
        signature=headers["X-Twilio-Email-Event-Webhook-Signature"],
        timestamp=headers["X-Twilio-Email-Event-Webhook-Timestamp"],
    )
    [event] = parse_events(body)
    assert (event.kind, event.message_id, event.provider_id) == (
        "delivered",
        "msg-1",
        mail.x_message_id,
    )
