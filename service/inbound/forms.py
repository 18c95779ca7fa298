"""Reading stored webhook bodies: Twilio's url-encoded forms and SendGrid's multipart posts.

Both are read from the raw bytes kept in ``InboundPayload``, so that the request and the job that
processes it later see exactly the same fields.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from urllib.parse import parse_qsl

from starlette.datastructures import ImmutableMultiDict

from service.inbound.headers import single_message_id


class MalformedPayload(ValueError):
    """The body cannot be read as the form or message its endpoint expects."""


def read_urlencoded(body: bytes) -> ImmutableMultiDict[str, str]:
    """The fields of an ``application/x-www-form-urlencoded`` body, every value kept.

    Twilio signs every field it posts, repeated ones included, so none may be dropped.
    """
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
    except (UnicodeDecodeError, ValueError) as error:
        raise MalformedPayload(f"not a url-encoded form: {error}") from error
    return ImmutableMultiDict(pairs)


@dataclass(frozen=True)
class MultipartForm:
    """A ``multipart/form-data`` body: text fields as undecoded bytes, and uploaded files."""

    fields: dict[str, bytes]
    files: tuple[tuple[str, str, bytes], ...]


def read_multipart(*, content_type: str, body: bytes) -> MultipartForm:
    """Split a ``multipart/form-data`` body into fields and files.

    Field values stay bytes: SendGrid declares each field's charset in its ``charsets`` field,
    and only the parser of the post may apply it.
    """
    if not content_type.lower().startswith("multipart/form-data") or "boundary=" not in (
        content_type.lower()
    ):
        raise MalformedPayload("expected multipart/form-data with a boundary")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=policy.default).parsebytes(head + body)
    parts = message.get_payload()
    if not message.is_multipart() or not isinstance(parts, list) or not parts:
        raise MalformedPayload("the multipart body has no parts")
    fields: dict[str, bytes] = {}
    files: list[tuple[str, str, bytes]] = []
    for part in parts:
        if not isinstance(part, Message):
            continue
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            continue
        content = _part_bytes(part)
        filename = part.get_filename()
        if filename is not None:
            files.append((name, str(filename), content))
        else:
            fields.setdefault(name, content)
    if not fields and not files:
        raise MalformedPayload("the multipart body has no named fields")
    return MultipartForm(fields=fields, files=tuple(files))


def _part_bytes(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def mime_message_id(raw: bytes) -> str | None:
    """The Message-ID of a raw RFC 5322 message, read from its header block only."""
    head, _, _ = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(head)
    value = headers.get("Message-ID")
    return single_message_id(str(value)) if value else None


def header_block(raw: bytes) -> Message:
    """The headers of a raw RFC 5322 message, decoded; its body is not read."""
    head, _, _ = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    return BytesHeaderParser(policy=policy.default).parsebytes(head.lstrip(b"\r\n"))


def has_header_block(raw: bytes) -> bool:
    """Whether ``raw`` starts with at least one ``Name: value`` header line."""
    first = raw.lstrip(b"\r\n").split(b"\n", 1)[0]
    name, colon, _ = first.partition(b":")
    return bool(colon) and bool(name.strip()) and b" " not in name.strip()


def sendgrid_message_id(form: MultipartForm) -> str | None:
    """The Message-ID of a SendGrid post: from the ``email`` field (raw mode) or ``headers``."""
    source = form.fields.get("email") or form.fields.get("headers")
    if not source:
        return None
    return mime_message_id(source.lstrip(b"\r\n") + b"\r\n\r\n")


def content_hash(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()
