"""Signed tokens: the reply address and body marker that name a thread, and portal links.

All are HMAC-SHA256 under COBRO_SECRET_KEY with a purpose label, so one kind of token never
passes for another. Reply tokens go into an email local part (`reply+TOKEN@domain`), which some
mail systems lowercase, so they are lowercase base32. They never expire: a customer may answer a
reminder months later. Portal tokens expire.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from service.types import utcnow

_MAC_BYTES = 10
_TOKEN_LENGTH = 42  # base32 of 16 id bytes + 10 MAC bytes, without padding
_MARKER = re.compile(r"\[ref:([a-z2-7]{42})\]", re.IGNORECASE)
_REPLY_LOCAL = re.compile(r"^reply\+([a-z2-7]{42})$", re.IGNORECASE)
PORTAL_TOKEN_DAYS = 30


def _mac(secret: str, purpose: bytes, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), purpose + b"\x00" + payload, hashlib.sha256).digest()[
        :_MAC_BYTES
    ]


def thread_token(secret: str, thread_id: uuid.UUID) -> str:
    raw = thread_id.bytes + _mac(secret, b"thread", thread_id.bytes)
    return base64.b32encode(raw).decode().rstrip("=").lower()


def read_thread_token(secret: str, token: str) -> uuid.UUID | None:
    """The thread a token names, or None when it is malformed or forged."""
    if len(token) != _TOKEN_LENGTH:
        return None
    try:
        raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8))
    except (ValueError, TypeError):
        return None
    ident, mac = raw[:16], raw[16:]
    if not hmac.compare_digest(mac, _mac(secret, b"thread", ident)):
        return None
    return uuid.UUID(bytes=ident)


def reply_address(secret: str, thread_id: uuid.UUID, domain: str) -> str:
    return f"reply+{thread_token(secret, thread_id)}@{domain}"


def thread_from_address(secret: str, address: str, domain: str) -> uuid.UUID | None:
    local, _, host = address.strip().strip("<>").rpartition("@")
    if host.lower() != domain.lower():
        return None
    match = _REPLY_LOCAL.match(local)
    return read_thread_token(secret, match.group(1)) if match else None


def body_marker(secret: str, thread_id: uuid.UUID) -> str:
    """A short marker put at the foot of outbound text; replies that quote it name the thread."""
    return f"[ref:{thread_token(secret, thread_id)}]"


def thread_from_body(secret: str, text: str) -> uuid.UUID | None:
    for match in _MARKER.finditer(text):
        found = read_thread_token(secret, match.group(1).lower())
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class PortalAccess:
    customer_id: uuid.UUID
    expires_at: datetime


_PORTAL_VERSION = b"\x01"
# The decoder skips characters outside its alphabet; refusing them first keeps one token one
# spelling, so it can be matched (and redacted from logs) as written.
_PORTAL_TOKEN = re.compile(r"^[A-Za-z0-9_-]{40}$")


def portal_token(
    secret: str, customer_id: uuid.UUID, *, days: int = PORTAL_TOKEN_DAYS
) -> tuple[str, datetime]:
    """A compact signed token (40 characters) granting one customer's portal until it expires.

    Compact because it rides in every SMS, where each character counts against the segments.
    """
    expires_at = (utcnow() + timedelta(days=days)).replace(microsecond=0)
    payload = _PORTAL_VERSION + customer_id.bytes + int(expires_at.timestamp()).to_bytes(5, "big")
    raw = payload + _mac(secret, b"portal", payload)[:8]
    return base64.urlsafe_b64encode(raw).decode().rstrip("="), expires_at


def read_portal_token(secret: str, token: str) -> PortalAccess | None:
    """The customer a portal token grants, or None when it is expired, forged or malformed."""
    if not _PORTAL_TOKEN.match(token):
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        return None
    payload, mac = raw[:22], raw[22:]
    if payload[:1] != _PORTAL_VERSION or not hmac.compare_digest(
        mac, _mac(secret, b"portal", payload)[:8]
    ):
        return None
    expires_at = datetime.fromtimestamp(int.from_bytes(payload[17:22], "big"), tz=UTC)
    if expires_at <= utcnow():
        return None
    return PortalAccess(customer_id=uuid.UUID(bytes=payload[1:17]), expires_at=expires_at)
