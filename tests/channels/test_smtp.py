from __future__ import annotations

import asyncio
import ssl

import pytest

from channels.base import (
    ChannelMisconfigured,
    InvalidRecipient,
    PermanentError,
    TransientError,
)
from channels.smtp import SmtpChannel, build_mime
from tests.channels.builders import make_email
from tests.emulators import SmtpEmulator

HEADERS = {
    "Message-ID": "<msg-1.abc@mail.acme.test>",
    "Reply-To": "reply+tok123@reply.acme.test",
    "List-Unsubscribe": "<https://acme.test/u/tok123>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "Auto-Submitted": "auto-generated",
    "X-Auto-Response-Suppress": "OOF, AutoReply",
    "To": "someone-else@example.com",
}


async def test_plain_send_carries_headers_and_both_bodies() -> None:
    async with SmtpEmulator() as server:
        channel = SmtpChannel.from_url(server.url())
        try:
            result = await channel.send(make_email(headers=HEADERS))
        finally:
            await channel.aclose()

    [mail] = server.received
    message = mail.message
    assert result.provider_id == "<msg-1.abc@mail.acme.test>"
    assert result.status == "sent"
    assert (mail.mail_from, mail.rcpt_tos, mail.tls) == (
        "billing@acme.test",
        ("ana@example.com",),
        False,
    )
    assert message["Message-ID"] == "<msg-1.abc@mail.acme.test>"
    assert message["To"] == "ana@example.com"
    assert message["From"] == "Acme Billing <billing@acme.test>"
    assert message["Reply-To"] == "reply+tok123@reply.acme.test"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    assert message["Date"] is not None
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None
    assert "INV-7 for $120.00" in plain.get_content()
    assert html is not None
    assert "<p>Hola Ana</p>" in html.get_content()


def test_message_id_is_made_when_missing() -> None:
    mime = build_mime(make_email(html=None, subject="Recordatorio: ñandú"))
    assert str(mime["Message-ID"]).endswith("@acme.test>")
    assert mime.get_content_type() == "text/plain"
    assert mime["Subject"] == "Recordatorio: ñandú"


@pytest.mark.parametrize("noticed", [True, False], ids=["noticed", "found-at-send"])
async def test_connection_is_reused_and_replaced_when_the_server_hung_up(noticed: bool) -> None:
    async with SmtpEmulator() as server:
        channel = SmtpChannel.from_url(server.url(), pool_size=1)
        try:
            for index in range(3):
                await channel.send(make_email(id=f"m{index}"))
            assert server.connections == 1
            server.hang_up()
            if noticed:
                await asyncio.sleep(0.01)
            await channel.send(make_email(id="after-hang-up"))
        finally:
            await channel.aclose()
    assert len(server.received) == 4
    assert server.connections == 2


async def test_concurrent_sends_share_a_small_pool() -> None:
    async with SmtpEmulator() as server:
        channel = SmtpChannel.from_url(server.url(), pool_size=3)
        try:
            await asyncio.gather(*(channel.send(make_email(id=f"m{i}")) for i in range(20)))
        finally:
            await channel.aclose()
    assert len(server.received) == 20
    assert server.connections <= 3


async def test_starttls_and_auth() -> None:
    async with SmtpEmulator(auth=("cobro", "s3cret/pw"), starttls=True) as server:
        url = f"smtp://cobro:s3cret%2Fpw@{server.host}:{server.port}?starttls=required"
        channel = SmtpChannel.from_url(url, tls_context=server.client_tls_context())
        try:
            await channel.send(make_email())
        finally:
            await channel.aclose()
    [mail] = server.received
    assert (mail.tls, mail.authenticated_as) == (True, "cobro")


async def test_starttls_is_used_when_offered_without_being_required() -> None:
    async with SmtpEmulator(starttls=True) as server:
        channel = SmtpChannel.from_url(server.url(), tls_context=server.client_tls_context())
        try:
            await channel.send(make_email())
        finally:
            await channel.aclose()
    assert server.received[0].tls is True


async def test_required_starttls_on_a_server_without_it_is_a_misconfiguration() -> None:
    async with SmtpEmulator() as server:
        channel = SmtpChannel.from_url(server.url(), require_starttls=True)
        try:
            with pytest.raises(ChannelMisconfigured):
                await channel.send(make_email())
        finally:
            await channel.aclose()
    assert server.received == []


async def test_implicit_tls() -> None:
    async with SmtpEmulator(implicit_tls=True, auth=("cobro", "pw")) as server:
        channel = SmtpChannel.from_url(server.url(), tls_context=server.client_tls_context())
        try:
            await channel.send(make_email())
        finally:
            await channel.aclose()
    assert (server.received[0].tls, server.received[0].authenticated_as) == (True, "cobro")
    assert server.url().startswith("smtps://")


async def test_untrusted_certificate_is_not_accepted() -> None:
    async with SmtpEmulator(implicit_tls=True) as server:
        channel = SmtpChannel.from_url(server.url(), tls_context=ssl.create_default_context())
        try:
            with pytest.raises(TransientError):
                await channel.send(make_email())
        finally:
            await channel.aclose()
    assert server.received == []


async def test_wrong_password_is_a_misconfiguration() -> None:
    async with SmtpEmulator(auth=("cobro", "pw")) as server:
        channel = SmtpChannel.from_url(f"smtp://cobro:nope@{server.host}:{server.port}")
        try:
            with pytest.raises(ChannelMisconfigured) as caught:
                await channel.send(make_email())
        finally:
            await channel.aclose()
    assert caught.value.code == "535"


@pytest.mark.parametrize(
    ("code", "text", "error"),
    [
        (550, "5.1.1 User unknown", InvalidRecipient),
        (550, "Requested action not taken: mailbox unavailable", InvalidRecipient),
        (552, "5.2.2 Mailbox full", PermanentError),
        (554, "5.7.1 Rejected by policy", PermanentError),
        (450, "4.2.1 Try again later", TransientError),
        (451, "4.3.0 Local error", TransientError),
    ],
)
async def test_recipient_refusals_map_by_class(
    code: int, text: str, error: type[Exception]
) -> None:
    async with SmtpEmulator() as server:
        server.reject("nope@example.com", code=code, text=text)
        channel = SmtpChannel.from_url(server.url(), pool_size=1)
        try:
            with pytest.raises(error) as caught:
                await channel.send(make_email(to="nope@example.com"))
            # The connection survives a refused recipient.
            await channel.send(make_email(to="ana@example.com"))
        finally:
            await channel.aclose()
    assert str(code) in str(caught.value)
    if error is PermanentError:
        assert not isinstance(caught.value, InvalidRecipient)
    assert [mail.rcpt_tos for mail in server.received] == [("ana@example.com",)]
    assert server.connections == 1


async def test_refused_sender_is_a_misconfiguration() -> None:
    async with SmtpEmulator() as server:
        server.reject_sender("billing@acme.test")
        channel = SmtpChannel.from_url(server.url())
        try:
            with pytest.raises(ChannelMisconfigured) as caught:
                await channel.send(make_email())
        finally:
            await channel.aclose()
    assert caught.value.code == "553"
    assert server.received == []


async def test_unreachable_server_is_transient() -> None:
    async with SmtpEmulator() as server:
        url = server.url()
    channel = SmtpChannel.from_url(url, timeout=2.0)
    try:
        with pytest.raises(TransientError) as caught:
            await channel.send(make_email())
    finally:
        await channel.aclose()
    assert caught.value.code == "connection"


@pytest.mark.parametrize(
    ("url", "host", "port", "implicit"),
    [
        ("smtp://mail.acme.test", "mail.acme.test", 25, False),
        ("smtps://u:p@mail.acme.test", "mail.acme.test", 465, True),
        ("smtp://u:p@127.0.0.1:2525", "127.0.0.1", 2525, False),
    ],
)
def test_from_url(url: str, host: str, port: int, implicit: bool) -> None:
    channel = SmtpChannel.from_url(url)
    assert (channel.hostname, channel.port) == (host, port)


@pytest.mark.parametrize("url", ["http://mail.acme.test", "smtp://", "mail.acme.test:25"])
def test_from_url_refuses_other_urls(url: str) -> None:
    with pytest.raises(ValueError, match="SMTP URL"):
        SmtpChannel.from_url(url)
