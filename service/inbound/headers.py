"""Header and charset decoding shared by the inbound mail parsers.

Every function here is lenient: a wrong charset, an undeclared 8-bit byte or a broken encoded
word gives a best-effort reading, never an exception.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

# Mail labelled Latin-1 or ASCII is very often Windows-1252 (curly quotes, euro sign) or UTF-8:
# read it the way browsers do rather than produce control characters.
_LATIN1_NAMES = frozenset({"latin-1", "iso8859-1"})
_ASCII_NAMES = frozenset({"ascii"})


def _codec_name(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return codecs.lookup(charset.strip().strip('"')).name
    except LookupError:
        return None


def decode_bytes(data: bytes, *, charset: str | None = None) -> str:
    """Decode ``data`` with its declared ``charset``, falling back when that is wrong or missing.

    Order: the declared charset (Latin-1 read as Windows-1252; ASCII tried as UTF-8 first), then
    UTF-8, then Windows-1252, then Latin-1, which accepts any byte. Never raises.
    """
    codec = _codec_name(charset)
    candidates: list[str] = []
    if codec in _LATIN1_NAMES:
        candidates = ["cp1252"]
    elif codec is not None and codec not in _ASCII_NAMES:
        candidates = [codec]
    candidates += ["utf-8", "cp1252"]
    for candidate in candidates:
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            # LookupError: a codec Python knows that is no text encoding ("base64", "zlib").
            continue
    return data.decode("latin-1")


def unsurrogate(value: str) -> str:
    """Undo the surrogate escapes the parser uses for undeclared 8-bit header bytes."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return decode_bytes(value.encode("utf-8", "surrogateescape"))
    return value


_FOLD = re.compile(r"\r?\n[ \t]+")


def decode_header_value(raw: str) -> str:
    """Decode a raw header value: unfold, repair 8-bit bytes, decode RFC 2047 words leniently."""
    value = unsurrogate(_FOLD.sub(" ", raw)).strip()
    if "=?" not in value:
        return value
    try:
        chunks = decode_header(value)
    except (HeaderParseError, ValueError, UnicodeError):
        return value
    decoded: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            decoded.append(decode_bytes(chunk, charset=charset))
        else:
            decoded.append(chunk)
    return "".join(decoded).strip()


def decoded_headers(message: Message) -> list[tuple[str, str]]:
    """All headers of ``message`` as (name, decoded value), in message order."""
    pairs: list[tuple[str, str]] = []
    for name, value in message.raw_items():
        pairs.append((str(name), decode_header_value(str(value))))
    return pairs


def first_header(headers: Sequence[tuple[str, str]], *, name: str) -> str | None:
    """The first value of header ``name`` (case-insensitive), or None."""
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)


_MSG_ID = re.compile(r"<[^<>\s]+>")


def message_ids(value: str | None) -> tuple[str, ...]:
    """The message ids in a References-style value, each in angle brackets."""
    if not value:
        return ()
    found = _MSG_ID.findall(value)
    if found:
        return tuple(found)
    return tuple(f"<{token.strip('<>')}>" for token in value.split() if token.strip("<>"))


def single_message_id(value: str | None) -> str | None:
    """The first message id in ``value`` (Message-ID, In-Reply-To), in angle brackets."""
    ids = message_ids(value)
    return ids[0] if ids else None


def addresses(values: Sequence[str]) -> tuple[str, ...]:
    """The distinct addresses (without display names) of address-list header values."""
    found: list[str] = []
    for _, address in getaddresses(list(values)):
        address = address.strip()
        if address and address not in found:
            found.append(address)
    return tuple(found)


def sender(value: str | None) -> tuple[str | None, str | None]:
    """(address, display name) of a From value; either is None when absent."""
    if not value:
        return None, None
    name, address = parseaddr(value)
    if not address and "@" in value:
        address = value.strip().strip("<>")
    return (address.strip() or None), (name.strip() or None)


def parse_date(value: str | None) -> datetime | None:
    """An aware datetime from a Date value (UTC when it has no zone), or None if unreadable."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed


def all_headers(headers: Sequence[tuple[str, str]], *, name: str) -> list[str]:
    """Every value of header ``name`` (case-insensitive), in order."""
    wanted = name.lower()
    return [value for key, value in headers if key.lower() == wanted]
