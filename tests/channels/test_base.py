from __future__ import annotations

import random

import pytest

from channels import (
    Channel,
    InvalidRecipient,
    PermanentError,
    RecipientOptedOut,
    SandboxChannel,
    TransientError,
    advances,
    build_email_channel,
    build_sms_channel,
    retry_delay,
)
from channels.sendgrid import SendGridChannel
from channels.smtp import SmtpChannel
from channels.twilio import TwilioChannel
from tests.channels.builders import make_email, make_sms


def test_retry_delay_grows_exponentially_under_the_cap() -> None:
    rng = random.Random(7)
    for attempt, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (4, 16.0), (5, 30.0), (40, 30.0)]:
        delays = [retry_delay(attempt, base=2.0, cap=30.0, rng=rng) for _ in range(200)]
        assert all(0.0 <= delay <= ceiling for delay in delays)
        # Full jitter spreads retries over the whole window, not just near its top.
        assert min(delays) < ceiling * 0.1
        assert max(delays) > ceiling * 0.9


def test_retry_delay_honours_the_provider_hint() -> None:
    rng = random.Random(1)
    assert retry_delay(1, base=1.0, cap=10.0, retry_after=45.0, rng=rng) == 45.0
    hinted = [retry_delay(6, base=1.0, cap=10.0, retry_after=3.0, rng=rng) for _ in range(200)]
    assert min(hinted) == 3.0
    assert max(hinted) > 3.0


def test_retry_delay_has_no_overflow_on_huge_attempts() -> None:
    assert 0.0 <= retry_delay(10_000, base=1.0, cap=60.0) <= 60.0


def test_retry_delay_refuses_attempt_zero() -> None:
    with pytest.raises(ValueError, match="attempt"):
        retry_delay(0, base=1.0, cap=10.0)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (None, "accepted", True),
        ("accepted", "delivered", True),
        ("deferred", "delivered", True),
        ("delivered", "opened", True),
        ("opened", "clicked", False),
        ("delivered", "bounced", True),
        ("delivered", "sent", False),
        ("sent", "accepted", False),
        ("bounced", "delivered", False),
        ("failed", "read", False),
        ("delivered", "spam_report", False),
        ("delivered", "unsubscribed", False),
    ],
)
def test_advances(old: str | None, new: str, expected: bool) -> None:
    assert advances(old, new) is expected


def test_opted_out_and_invalid_recipient_are_permanent() -> None:
    assert issubclass(RecipientOptedOut, PermanentError)
    assert issubclass(InvalidRecipient, PermanentError)
    assert not issubclass(TransientError, PermanentError)


async def test_sandbox_records_and_fails_on_request() -> None:
    sandbox = SandboxChannel(
        "sms", failures={"+15005550001": RecipientOptedOut("opted out", code="21610")}
    )
    first = await sandbox.send(make_sms(id="a"))
    second = await sandbox.send(make_sms(id="b"))
    with pytest.raises(RecipientOptedOut):
        await sandbox.send(make_sms(id="c", to="+15005550001"))
    await sandbox.aclose()
    assert [message.id for message in sandbox.sent] == ["a", "b"]
    assert first.provider_id != second.provider_id
    assert first.message_id == "a"


async def test_factories_build_the_chosen_channel() -> None:
    channels: list[Channel] = [
        build_email_channel(backend="sendgrid", sendgrid_api_key="SG.k"),
        build_email_channel(backend="smtp", smtp_url="smtp://localhost:2525"),
        build_email_channel(backend="sandbox"),
        build_sms_channel(backend="twilio", twilio_account_sid="AC1", twilio_auth_token="t"),
        build_sms_channel(backend="sandbox"),
    ]
    kinds = [type(channel) for channel in channels]
    assert kinds == [SendGridChannel, SmtpChannel, SandboxChannel, TwilioChannel, SandboxChannel]
    assert all(isinstance(channel, Channel) for channel in channels)
    for channel in channels:
        await channel.aclose()
    await channels[2].send(make_email())


def test_factories_refuse_missing_settings() -> None:
    with pytest.raises(ValueError, match="API key"):
        build_email_channel(backend="sendgrid")
    with pytest.raises(ValueError, match="URL"):
        build_email_channel(backend="smtp")
    with pytest.raises(ValueError, match="auth token"):
        build_sms_channel(backend="twilio", twilio_account_sid="AC1")
