from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiohttp import web
from twilio.request_validator import RequestValidator

from channels.base import (
    ChannelMisconfigured,
    InvalidRecipient,
    PermanentError,
    RecipientOptedOut,
    TransientError,
)
from channels.twilio import (
    TwilioChannel,
    is_forward,
    parse_status_callback,
    validate_twilio_signature,
)
from tests.channels.builders import TWILIO_SID, TWILIO_TOKEN, make_sms
from tests.emulators import TwilioEmulator
from tests.emulators.faults import LoopbackServer


@pytest.fixture
async def channel(twilio: TwilioEmulator) -> AsyncIterator[TwilioChannel]:
    sms = TwilioChannel(TWILIO_SID, TWILIO_TOKEN, api_url=twilio.url, timeout=2.0)
    yield sms
    await sms.aclose()


async def test_send_from_a_number(twilio: TwilioEmulator, channel: TwilioChannel) -> None:
    result = await channel.send(make_sms(status_callback="https://cobro.test/hooks/twilio/status"))

    [sms] = twilio.accepted
    assert result.message_id == "sms-1"
    assert result.provider_id == sms.sid
    assert result.status == "queued"
    assert sms.sid.startswith("SM")
    assert len(sms.sid) == 34
    assert (sms.to, sms.from_, sms.messaging_service_sid) == ("+15005550009", "+15005550006", None)
    assert sms.body == "Acme: invoice INV-7 is past due. Reply STOP to opt out."
    assert sms.status_callback == "https://cobro.test/hooks/twilio/status"


async def test_send_through_a_messaging_service(
    twilio: TwilioEmulator, channel: TwilioChannel
) -> None:
    service = "MG" + "1" * 32
    result = await channel.send(make_sms(sender=service))
    [sms] = twilio.accepted
    assert (sms.from_, sms.messaging_service_sid, sms.status_callback) == (None, service, None)
    assert result.status == "accepted"


async def test_connection_is_reused_across_sends(
    twilio: TwilioEmulator, channel: TwilioChannel
) -> None:
    for index in range(5):
        await channel.send(make_sms(id=f"sms-{index}"))
    assert twilio.requests == 5
    assert len({sms.sid for sms in twilio.accepted}) == 5


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (21610, RecipientOptedOut),
        (21211, InvalidRecipient),
        (21614, InvalidRecipient),
    ],
)
async def test_recipient_errors_are_permanent(
    twilio: TwilioEmulator, channel: TwilioChannel, code: int, error: type[PermanentError]
) -> None:
    twilio.reject("+15005550001", code=code)
    with pytest.raises(error) as caught:
        await channel.send(make_sms(to="+15005550001"))
    assert caught.value.code == str(code)
    assert twilio.accepted == []


async def test_unreachable_from_this_sender_fails_without_calling_the_number_dead(
    twilio: TwilioEmulator, channel: TwilioChannel
) -> None:
    twilio.reject("+15005550001", code=21612)
    with pytest.raises(PermanentError) as caught:
        await channel.send(make_sms(to="+15005550001"))
    # 21612 is about this sender and that number together, not about the number itself.
    assert caught.value.code == "21612"
    assert not isinstance(caught.value, InvalidRecipient)
    assert not parse_status_callback(
        {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "21612"}
    ).permanent


async def test_malformed_number_is_refused_by_twilio(channel: TwilioChannel) -> None:
    with pytest.raises(InvalidRecipient) as caught:
        await channel.send(make_sms(to="555-0100"))
    assert "not a valid phone number" in caught.value.reason


async def test_missing_body_is_permanent(channel: TwilioChannel) -> None:
    with pytest.raises(PermanentError) as caught:
        await channel.send(make_sms(text=""))
    assert caught.value.code == "21602"
    assert not isinstance(caught.value, InvalidRecipient)


async def test_wrong_credentials_are_a_misconfiguration(twilio: TwilioEmulator) -> None:
    channel = TwilioChannel(TWILIO_SID, "wrong-token", api_url=twilio.url)
    try:
        with pytest.raises(ChannelMisconfigured) as caught:
            await channel.send(make_sms())
    finally:
        await channel.aclose()
    assert caught.value.code == "20003"


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_transient(
    twilio: TwilioEmulator, channel: TwilioChannel, status: int
) -> None:
    twilio.faults.fail_next(status=status)
    with pytest.raises(TransientError):
        await channel.send(make_sms())
    await channel.send(make_sms())
    assert twilio.requests == 2
    assert len(twilio.accepted) == 1


async def test_rate_limit_is_transient_and_carries_retry_after(
    twilio: TwilioEmulator, channel: TwilioChannel
) -> None:
    twilio.faults.rate_limit_next(retry_after=7)
    with pytest.raises(TransientError) as caught:
        await channel.send(make_sms())
    assert caught.value.code == "20429"
    assert caught.value.retry_after == 7.0
    assert not caught.value.unconfirmed


async def test_concurrent_rate_limits_keep_their_own_retry_after(twilio: TwilioEmulator) -> None:
    channel = TwilioChannel(TWILIO_SID, TWILIO_TOKEN, api_url=twilio.url)
    twilio.faults.rate_limit_next(retry_after=3)
    twilio.faults.rate_limit_next(retry_after=9)
    try:
        results = await asyncio.gather(
            channel.send(make_sms(id="a")), channel.send(make_sms(id="b")), return_exceptions=True
        )
    finally:
        await channel.aclose()
    waits = sorted(
        result.retry_after or 0.0 for result in results if isinstance(result, TransientError)
    )
    assert waits == [3.0, 9.0]


async def test_timeout_is_transient(twilio: TwilioEmulator) -> None:
    twilio.faults.delay_next(seconds=1.0)
    channel = TwilioChannel(TWILIO_SID, TWILIO_TOKEN, api_url=twilio.url, timeout=0.2)
    try:
        with pytest.raises(TransientError) as caught:
            await channel.send(make_sms())
    finally:
        await channel.aclose()
    assert caught.value.code == "timeout"
    # The request may have been accepted: a resend waits for the provider to say so.
    assert caught.value.unconfirmed


async def test_a_dropped_connection_is_transient_and_unconfirmed(
    twilio: TwilioEmulator, channel: TwilioChannel
) -> None:
    twilio.faults.drop_next()
    with pytest.raises(TransientError) as caught:
        await channel.send(make_sms())
    assert caught.value.code == "connection_lost"
    assert caught.value.unconfirmed


async def test_unreachable_api_is_transient() -> None:
    async with TwilioEmulator(TWILIO_SID, TWILIO_TOKEN) as url:
        pass
    channel = TwilioChannel(TWILIO_SID, TWILIO_TOKEN, api_url=url)
    try:
        with pytest.raises(TransientError) as caught:
            await channel.send(make_sms())
    finally:
        await channel.aclose()
    assert caught.value.code == "connection"
    assert not caught.value.unconfirmed  # nothing reached Twilio


class _CallbackReceiver(LoopbackServer):
    """Cobro's side of a status callback, as far as the signature check goes."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.verdicts: list[bool] = []
        self.app.router.add_post("/hooks/twilio/status", self._receive)

    async def _receive(self, request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        valid = validate_twilio_signature(
            auth_token=TWILIO_TOKEN,
            url=f"{self.url}/hooks/twilio/status",
            params=form,
            signature=request.headers.get("X-Twilio-Signature", ""),
        )
        self.forms.append(form)
        self.verdicts.append(valid)
        return web.Response(status=204 if valid else 403)


async def test_signed_status_callbacks_round_trip(
    twilio: TwilioEmulator, channel: TwilioChannel
) -> None:
    receiver = _CallbackReceiver()
    async with receiver as receiver_url:
        callback = f"{receiver_url}/hooks/twilio/status"
        result = await channel.send(make_sms(status_callback=callback))
        assert result.provider_id is not None
        assert await twilio.send_status(result.provider_id, "sent") == 204
        assert await twilio.send_status(result.provider_id, "undelivered", error_code=30003) == 204

    assert receiver.verdicts == [True, True]
    sent, undelivered = (parse_status_callback(form) for form in receiver.forms)
    assert (sent.kind, sent.provider_id, sent.event_id) == (
        "sent",
        result.provider_id,
        f"{result.provider_id}:sent",
    )
    assert (undelivered.kind, undelivered.error_code, undelivered.permanent) == (
        "undelivered",
        "30003",
        False,
    )
    assert undelivered.address == "+15005550009"
    assert twilio.messages[result.provider_id].status == "undelivered"


async def test_callback_with_a_wrong_token_is_refused(twilio: TwilioEmulator) -> None:
    forger = TwilioEmulator(TWILIO_SID, "not-the-token")
    receiver = _CallbackReceiver()
    async with receiver as receiver_url, forger as forger_url:
        channel = TwilioChannel(TWILIO_SID, "not-the-token", api_url=forger_url)
        try:
            result = await channel.send(
                make_sms(status_callback=f"{receiver_url}/hooks/twilio/status")
            )
        finally:
            await channel.aclose()
        assert result.provider_id is not None
        assert await forger.send_status(result.provider_id, "delivered") == 403
    assert receiver.verdicts == [False]


URL = "https://cobro.example.com/hooks/twilio/sms?tenant=acme"
FORM = {
    "MessageSid": "SM" + "a" * 32,
    "AccountSid": TWILIO_SID,
    "From": "+15005550009",
    "To": "+15005550006",
    "Body": "Ya pagué, gracias",
    "NumMedia": "0",
}


def _signature(url: str, form: dict[str, str], token: str = TWILIO_TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, form))


def test_signature_good_and_bad() -> None:
    good = _signature(URL, FORM)
    assert validate_twilio_signature(auth_token=TWILIO_TOKEN, url=URL, params=FORM, signature=good)
    assert not validate_twilio_signature(
        auth_token=TWILIO_TOKEN, url=URL, params={**FORM, "Body": "No debo nada"}, signature=good
    )
    assert not validate_twilio_signature(
        auth_token=TWILIO_TOKEN, url=URL, params={**FORM, "Extra": "1"}, signature=good
    )
    assert not validate_twilio_signature(auth_token="other", url=URL, params=FORM, signature=good)
    assert not validate_twilio_signature(
        auth_token=TWILIO_TOKEN, url=URL.replace("acme", "other"), params=FORM, signature=good
    )
    assert not validate_twilio_signature(
        auth_token=TWILIO_TOKEN, url=URL, params=FORM, signature=""
    )


def test_signature_holds_with_or_without_the_default_port() -> None:
    with_port = "https://cobro.example.com:443/hooks/twilio/sms?tenant=acme"
    assert validate_twilio_signature(
        auth_token=TWILIO_TOKEN, url=URL, params=FORM, signature=_signature(with_port, FORM)
    )
    assert validate_twilio_signature(
        auth_token=TWILIO_TOKEN, url=with_port, params=FORM, signature=_signature(URL, FORM)
    )
    other_port = "https://cobro.example.com:8443/hooks/twilio/sms?tenant=acme"
    assert not validate_twilio_signature(
        auth_token=TWILIO_TOKEN, url=URL, params=FORM, signature=_signature(other_port, FORM)
    )


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("queued", "accepted"),
        ("accepted", "accepted"),
        ("sending", "accepted"),
        ("sent", "sent"),
        ("delivered", "delivered"),
        ("undelivered", "undelivered"),
        ("failed", "failed"),
        ("read", "read"),
        ("canceled", "dropped"),
    ],
)
def test_status_callbacks_normalize(status: str, kind: str) -> None:
    received = datetime(2025, 3, 7, 12, 0, tzinfo=UTC)
    event = parse_status_callback(
        {"MessageSid": "SM1", "MessageStatus": status, "To": "+15005550009"},
        received_at=received,
    )
    assert (event.kind, event.event_id, event.occurred_at) == (kind, f"SM1:{status}", received)
    assert event.message_id is None
    assert event.raw["MessageStatus"] == status


@pytest.mark.parametrize(
    ("code", "permanent"), [("30006", True), ("30005", True), ("30003", False)]
)
def test_delivery_error_codes(code: str, permanent: bool) -> None:
    event = parse_status_callback(
        {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": code}
    )
    assert (event.error_code, event.permanent) == (code, permanent)


def test_legacy_sms_fields_are_read_and_empty_error_code_is_none() -> None:
    event = parse_status_callback({"SmsSid": "SM2", "SmsStatus": "delivered", "ErrorCode": ""})
    assert (event.provider_id, event.kind, event.error_code) == ("SM2", "delivered", None)


@pytest.mark.parametrize(
    "form", [{}, {"MessageSid": "SM1"}, {"MessageSid": "SM1", "MessageStatus": "exploded"}]
)
def test_incomplete_callbacks_are_refused(form: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="MessageSid|status"):
        parse_status_callback(form)


@pytest.mark.parametrize(
    ("old", "new", "forward"),
    [
        (None, "queued", True),
        ("queued", "sending", True),
        ("sending", "sent", True),
        ("sent", "delivered", True),
        ("delivered", "read", True),
        ("delivered", "sent", False),
        ("sent", "queued", False),
        ("delivered", "delivered", False),
        ("sent", "undelivered", True),
        ("queued", "failed", True),
        ("failed", "delivered", False),
        ("undelivered", "sent", False),
        ("sent", "exploded", False),
    ],
)
def test_status_only_moves_forward(old: str | None, new: str, forward: bool) -> None:
    assert is_forward(old, new) is forward
