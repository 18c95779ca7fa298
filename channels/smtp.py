"""Email over SMTP (a relay, a local catcher, or a provider's SMTP endpoint) with aiosmtplib.

Connections are kept in a small pool and reused across sends; a pooled connection the server
has since closed is replaced once, transparently. The provider id is the Message-ID.
"""

from __future__ import annotations

import asyncio
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from channels.base import (
    ChannelMisconfigured,
    InvalidRecipient,
    OutboundMessage,
    PermanentError,
    SendResult,
    TransientError,
)

# Headers the channel writes itself from the message's own fields.
_OWN_HEADERS = frozenset({"from", "to", "subject", "date"})
# Enhanced status codes (RFC 3463) that say the mailbox does not exist or cannot exist.
_DEAD_MAILBOX = ("5.1.1", "5.1.2", "5.1.3", "5.1.10")
_DEAD_MAILBOX_WORDS = ("user unknown", "no such user", "does not exist", "mailbox unavailable")


class SmtpChannel:
    """Sends each message in its own mail transaction over pooled connections."""

    name = "smtp"

    def __init__(
        self,
        *,
        hostname: str,
        port: int,
        username: str | None = None,
        password: str | None = None,
        implicit_tls: bool = False,
        require_starttls: bool = False,
        tls_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
        pool_size: int = 4,
    ) -> None:
        """``implicit_tls`` is SMTPS; otherwise STARTTLS is used when the server offers it,
        and demanded when ``require_starttls`` is set. AUTH runs when a username is given."""
        if pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        self.hostname = hostname
        self.port = port
        self._username = username
        self._password = password
        self._implicit_tls = implicit_tls
        self._require_starttls = require_starttls and not implicit_tls
        self._tls_context = tls_context
        self._timeout = timeout
        self._idle: list[aiosmtplib.SMTP] = []
        self._slots = asyncio.Semaphore(pool_size)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        timeout: float = 30.0,
        pool_size: int = 4,
        require_starttls: bool = False,
        tls_context: ssl.SSLContext | None = None,
    ) -> SmtpChannel:
        """Build from ``smtp://user:pass@host:port`` or ``smtps://...``.

        ``?starttls=required`` on an smtp:// URL has the effect of ``require_starttls``.
        Default ports: 25 for smtp://, 465 for smtps://. User and password are URL-decoded.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP URL must look like smtp://user:pass@host:port or smtps://...")
        implicit_tls = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        required = query.get("starttls", [""])[0].lower() in ("required", "require", "true", "1")
        return cls(
            hostname=parts.hostname,
            port=parts.port or (465 if implicit_tls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=implicit_tls,
            require_starttls=require_starttls or required,
            tls_context=tls_context,
            timeout=timeout,
            pool_size=pool_size,
        )

    async def send(self, message: OutboundMessage) -> SendResult:
        """Send over a pooled connection; SMTP 4xx is transient, 5xx permanent."""
        mime = build_mime(message)
        message_id = str(mime["Message-ID"])
        async with self._slots:
            for retry_stale in (True, False):
                smtp, reused = await self._checkout()
                try:
                    await smtp.send_message(mime, sender=message.sender, recipients=[message.to])
                except aiosmtplib.SMTPServerDisconnected as exc:
                    _close(smtp)
                    if reused and retry_stale:
                        continue  # a pooled connection the server had closed while idle
                    raise TransientError(
                        f"SMTP disconnected: {exc}", code="connection", unconfirmed=True
                    ) from exc
                except aiosmtplib.SMTPRecipientsRefused as exc:
                    self._idle.append(smtp)
                    refused = exc.recipients[0]
                    raise _error_for(refused.code, refused.message) from exc
                except aiosmtplib.SMTPSenderRefused as exc:
                    self._idle.append(smtp)
                    if exc.code >= 500:
                        # Every message from this sender would be refused alike.
                        raise ChannelMisconfigured(
                            f"SMTP {exc.code}: sender refused: {exc.message}", code=str(exc.code)
                        ) from exc
                    raise _error_for(exc.code, exc.message) from exc
                except aiosmtplib.SMTPResponseException as exc:
                    if exc.code == 421:
                        _close(smtp)
                    else:
                        self._idle.append(smtp)
                    raise _error_for(exc.code, exc.message) from exc
                except (aiosmtplib.SMTPException, OSError) as exc:
                    # A timeout or reset in the middle of the transaction: the server may
                    # have queued the mail before the connection went.
                    _close(smtp)
                    raise TransientError(
                        f"SMTP failed: {exc!r}", code="connection", unconfirmed=True
                    ) from exc
                except BaseException:
                    _close(smtp)
                    raise
                self._idle.append(smtp)
                return SendResult(message_id=message.id, provider_id=message_id, status="sent")
        raise TransientError("SMTP connection kept dropping", code="connection")

    async def _checkout(self) -> tuple[aiosmtplib.SMTP, bool]:
        while self._idle:
            smtp = self._idle.pop()
            if smtp.is_connected:
                return smtp, True
        return await self._connect(), False

    async def _connect(self) -> aiosmtplib.SMTP:
        # STARTTLS and AUTH are driven here rather than by aiosmtplib's connect(), so that
        # a server lacking a required STARTTLS reads as misconfiguration, not an outage.
        smtp = aiosmtplib.SMTP(
            hostname=self.hostname,
            port=self.port,
            use_tls=self._implicit_tls,
            start_tls=False,
            tls_context=self._tls_context,
            timeout=self._timeout,
        )
        try:
            await smtp.connect()
            if not self._implicit_tls:
                await smtp.ehlo()
                if smtp.supports_extension("starttls"):
                    await smtp.starttls()
                elif self._require_starttls:
                    raise ChannelMisconfigured(
                        "SMTP server does not offer STARTTLS", code="starttls"
                    )
            if self._username is not None:
                await smtp.login(self._username, self._password or "")
        except aiosmtplib.SMTPAuthenticationError as exc:
            _close(smtp)
            if 400 <= exc.code < 500:
                raise TransientError(f"SMTP AUTH deferred: {exc}", code=str(exc.code)) from exc
            raise ChannelMisconfigured(f"SMTP AUTH refused: {exc}", code=str(exc.code)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            _close(smtp)
            raise _error_for(exc.code, exc.message) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            _close(smtp)
            raise TransientError(f"SMTP unreachable: {exc!r}", code="connection") from exc
        except BaseException:
            _close(smtp)
            raise
        return smtp

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for smtp in idle:
            try:
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                _close(smtp)


def build_mime(message: OutboundMessage) -> EmailMessage:
    """The MIME message: plain text, with an HTML alternative when there is one.

    Every given header is kept, except From / To / Subject / Date which come from the
    message's own fields. A Message-ID is made from the sender's domain when none is given.
    """
    mime = EmailMessage()
    mime["From"] = formataddr((message.sender_name or "", message.sender))
    mime["To"] = message.to
    if message.subject is not None:
        mime["Subject"] = message.subject
    mime["Date"] = format_datetime(datetime.now(tz=UTC))
    for name, value in message.headers.items():
        if name.lower() not in _OWN_HEADERS:
            mime[name] = value
    if mime["Message-ID"] is None:
        domain = message.sender.rpartition("@")[2] or None
        mime["Message-ID"] = make_msgid(domain=domain)
    mime.set_content(message.text)
    if message.html:
        mime.add_alternative(message.html, subtype="html")
    return mime


def _error_for(code: int, text: str) -> Exception:
    reason = f"SMTP {code}: {text}"
    if 400 <= code < 500:
        return TransientError(reason, code=str(code))
    if code in (530, 535, 538):
        return ChannelMisconfigured(reason, code=str(code))
    lowered = text.lower()
    if any(text.startswith(status + " ") for status in _DEAD_MAILBOX) or (
        code in (550, 553) and any(marker in lowered for marker in _DEAD_MAILBOX_WORDS)
    ):
        return InvalidRecipient(reason, code=str(code))
    return PermanentError(reason, code=str(code))


def _close(smtp: aiosmtplib.SMTP) -> None:
    if smtp.is_connected:
        smtp.close()
