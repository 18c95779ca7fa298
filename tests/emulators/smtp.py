"""A loopback SMTP server (aiosmtpd) that records what it receives.

It runs in the caller's event loop on an ephemeral port, optionally with AUTH, STARTTLS or
implicit TLS using a self-signed certificate made on the spot.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
import tempfile
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True, slots=True)
class ReceivedMail:
    """One accepted mail transaction."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes
    tls: bool
    authenticated_as: str | None

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.content, policy=policy.default)
        if not isinstance(parsed, EmailMessage):
            raise TypeError("the default policy parses into EmailMessage")
        return parsed


class SmtpEmulator:
    """``async with SmtpEmulator(...) as smtp``: a server on 127.0.0.1 at ``smtp.port``.

    ``auth=(user, password)`` offers and demands AUTH; ``starttls`` offers STARTTLS;
    ``implicit_tls`` wraps the socket (SMTPS). ``reject(address, code, text)`` refuses a
    recipient at RCPT. ``client_tls_context()`` trusts the server's certificate.
    """

    def __init__(
        self,
        *,
        auth: tuple[str, str] | None = None,
        starttls: bool = False,
        implicit_tls: bool = False,
    ) -> None:
        self.auth = auth
        self.starttls = starttls
        self.implicit_tls = implicit_tls
        self.host = "127.0.0.1"
        self.port = 0
        self.received: list[ReceivedMail] = []
        self.connections = 0
        self.rejected_recipients: dict[str, tuple[int, str]] = {}
        self.rejected_senders: dict[str, tuple[int, str]] = {}
        self._cert_pem = b""
        self._server_context: ssl.SSLContext | None = None
        if starttls or implicit_tls:
            self._cert_pem, self._server_context = _self_signed(self.host)
        self._server: asyncio.AbstractServer | None = None
        self._sessions: list[SMTP] = []

    def url(self, *, scheme: str | None = None) -> str:
        scheme = scheme or ("smtps" if self.implicit_tls else "smtp")
        credentials = f"{self.auth[0]}:{self.auth[1]}@" if self.auth else ""
        return f"{scheme}://{credentials}{self.host}:{self.port}"

    def reject(self, address: str, *, code: int = 550, text: str = "5.1.1 User unknown") -> None:
        self.rejected_recipients[address] = (code, text)

    def reject_sender(
        self, address: str, *, code: int = 553, text: str = "5.7.1 Sender address rejected"
    ) -> None:
        self.rejected_senders[address] = (code, text)

    def client_tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cadata=self._cert_pem.decode("ascii"))

    async def start(self) -> SmtpEmulator:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._protocol,
            host=self.host,
            port=0,
            ssl=self._server_context if self.implicit_tls else None,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    async def __aenter__(self) -> SmtpEmulator:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def hang_up(self) -> None:
        """Close every open session from the server side, as an idle timeout would."""
        sessions, self._sessions = self._sessions, []
        for session in sessions:
            if session.transport is not None:
                session.transport.close()

    def _protocol(self) -> SMTP:
        self.connections += 1
        session = SMTP(
            _Handler(self),
            hostname="emulator.test",
            tls_context=self._server_context if self.starttls else None,
            authenticator=self._authenticate if self.auth else None,
            # With STARTTLS, AUTH is demanded after the upgrade as submission servers do.
            # Otherwise it is only offered: aiosmtpd cannot tell an implicit-TLS socket
            # from plain text, and demanding AUTH in plain text is what it warns about.
            auth_required=self.auth is not None and self.starttls,
            auth_require_tls=self.starttls,
            loop=asyncio.get_running_loop(),
        )
        self._sessions.append(session)
        return session

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword) or self.auth is None:
            return AuthResult(success=False, handled=False)
        login, password = data.login.decode(), data.password.decode()
        if (login, password) != self.auth:
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=login)


class _Handler:
    def __init__(self, emulator: SmtpEmulator) -> None:
        self._emulator = emulator

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        refusal = self._emulator.rejected_senders.get(address)
        if refusal is not None:
            return f"{refusal[0]} {refusal[1]}"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        refusal = self._emulator.rejected_recipients.get(address)
        if refusal is not None:
            return f"{refusal[0]} {refusal[1]}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        self._emulator.received.append(
            ReceivedMail(
                mail_from=str(envelope.mail_from),
                rcpt_tos=tuple(envelope.rcpt_tos),
                content=content if isinstance(content, bytes) else content.encode(),
                tls=session.ssl is not None or _over_tls(server),
                authenticated_as=str(session.auth_data) if session.authenticated else None,
            )
        )
        return "250 2.0.0 Message accepted for delivery"


def _over_tls(server: SMTP) -> bool:
    transport = server.transport
    return transport is not None and transport.get_extra_info("ssl_object") is not None


def _self_signed(host: str) -> tuple[bytes, ssl.SSLContext]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(tz=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(host)), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as folder:
        cert_file, key_file = Path(folder, "cert.pem"), Path(folder, "key.pem")
        cert_file.write_bytes(cert_pem)
        key_file.write_bytes(key_pem)
        context.load_cert_chain(cert_file, key_file)
    return cert_pem, context
