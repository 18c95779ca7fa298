"""Reading stored webhook bodies: Twilio's url-encoded forms and SendGrid's multipart posts.

Both are read from the raw bytes kept in ``InboundPayload``, so that the request and the job that
processes it later see exactly the same fields.
"""

from __future__ import annotations

import hashlib
import re
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
    and only the parser of the post may apply it. Posts shaped as SendGrid and browsers send
    them (CRLF lines, plain ``form-data`` parameters, no transfer encodings) are split by
    searching the boundary; anything else goes through the email package, whose reading of
    such posts is the reference (``read_multipart_email``).
    """
    if not content_type.lower().startswith("multipart/form-data") or "boundary=" not in (
        content_type.lower()
    ):
        raise MalformedPayload("expected multipart/form-data with a boundary")
    fast = _read_plain_multipart(content_type, body)
    return fast if fast is not None else read_multipart_email(content_type=content_type, body=body)


def read_multipart_email(*, content_type: str, body: bytes) -> MultipartForm:
    """``read_multipart`` by the email package: slower, and reads every form a post may take."""
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


# RFC 2046 boundaries: quoted (they may hold spaces) or a plain token.
_BOUNDARY = re.compile(
    r';\s*boundary=(?:"([0-9A-Za-z\'()+_,./:=? -]{1,70})"|([0-9A-Za-z\'()+_,./:=?-]{1,70}))'
    r"\s*(?:;|$)",
    re.IGNORECASE,
)
# form-data and its parameters, quoted or not, without escapes, angle brackets or RFC 2231.
_VALUE = r'(?:"[^"\\<>\r\n]*"|[^"\\<>;\s]+)'
_DISPOSITION = re.compile(rf"form-data((?:\s*;\s*[A-Za-z0-9_-]+={_VALUE})*)\s*;?", re.IGNORECASE)
_PARAMETER = re.compile(r'([A-Za-z0-9_-]+)=(?:"([^"]*)"|([^";\s]+))')
_PLAIN_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+")


def _read_plain_multipart(content_type: str, body: bytes) -> MultipartForm | None:
    """``read_multipart`` for the plain shape (see there), or None for the email package.

    None whenever the post is anything but plain, so that both readings always agree: a
    delimiter not on a CRLF line of its own, a preamble, header lines other than
    Content-Disposition (form-data with plain parameters) and a Content-Type without
    parameters, non-ASCII headers.
    """
    found = _BOUNDARY.search(content_type)
    if found is None:
        return None
    delimiter = b"--" + (found.group(1) or found.group(2)).rstrip().encode("ascii")
    separator = b"\r\n" + delimiter
    if not body.startswith(delimiter + b"\r\n"):
        return None
    fields: dict[str, bytes] = {}
    files: list[tuple[str, str, bytes]] = []
    position, delimiters = len(delimiter) + 2, 1
    while True:
        end = body.find(separator, position)
        if end < 0:
            return None
        delimiters += 1
        named = _plain_part(body, position, end)
        if named is None:
            return None
        name, filename, content = named
        if name and filename is not None:
            files.append((name, filename, content))
        elif name:
            fields.setdefault(name, content)
        position = end + len(separator)
        following = body[position : position + 2]
        if following == b"--":
            break
        if following != b"\r\n":
            return None
        position += 2
    # A delimiter elsewhere (after a bare CR or LF, which the email package reads as a line end)
    # would split the post differently: such posts go the slow way.
    if body.count(delimiter) != delimiters or not fields and not files:
        return None
    return MultipartForm(fields=fields, files=tuple(files))


def _plain_part(body: bytes, start: int, end: int) -> tuple[str, str | None, bytes] | None:
    """(name, filename or None, content) of the part between ``start`` and ``end``; None when
    its headers are not plain."""
    blank = body.find(b"\r\n\r\n", start, end)
    if blank < 0 or blank == start:
        return None
    try:
        head = body[start:blank].decode("ascii")
    except UnicodeDecodeError:
        return None
    name: str | None = None
    filename: str | None = None
    disposed = False
    for line in head.split("\r\n"):
        header, colon, value = line.partition(":")
        header = header.lower()
        if not colon or line[:1] in (" ", "\t") or "\r" in line or "\n" in line:
            return None
        if header == "content-disposition" and not disposed:
            disposed = True
            matched = _DISPOSITION.fullmatch(value.strip())
            if matched is None:
                return None
            parameters: dict[str, str] = {}
            for key, quoted, token in _PARAMETER.findall(matched.group(1)):
                if key.lower() in parameters:
                    return None
                parameters[key.lower()] = quoted if quoted or not token else token
            name = parameters.get("name")
            filename = parameters["filename"].strip() if "filename" in parameters else None
        elif header == "content-type" and _PLAIN_TYPE.fullmatch(value.strip()):
            if value.strip().lower().startswith(("multipart/", "message/")):
                return None
        else:
            return None
    return name or "", filename, body[blank + 4 : end]


def _part_bytes(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def mime_message_id(raw: bytes) -> str | None:
    """The Message-ID of a raw RFC 5322 message, read from its header block only."""
    head, _, _ = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    plain, value = _plain_header(head, b"message-id")
    if not plain:
        value = BytesHeaderParser(policy=policy.compat32).parsebytes(head).get("Message-ID")
    return single_message_id(str(value)) if value else None


_LINES = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)?")
_NAMED = re.compile(rb"([\x21-\x39\x3b-\x7e]+):")


def _plain_header(head: bytes, name: bytes) -> tuple[bool, str | None]:
    """(True, the first value of header ``name`` as the email package's compat32 policy reads
    it, or None) for a header block of plain ASCII lines; (False, None) for any other, which
    only the email package may read (8-bit bytes, a line that is no header, a mbox From line,
    a continuation line with no header before it)."""
    if not head.isascii():
        return False, None
    value: list[bytes] | None = None
    started = complete = False
    for line in _LINES.findall(head):
        if not line:
            continue
        if line[:1] in (b" ", b"\t"):
            if not started:
                return False, None
            if value is not None and not complete:
                value.append(line)
            continue
        named = _NAMED.match(line)
        if named is None:
            return False, None
        started = True
        if value is not None:
            complete = True
        elif named.group(1).lower() == name:
            value = [line[named.end() :].lstrip(b" \t")]
    if value is None:
        return True, None
    return True, b"".join(value).rstrip(b"\r\n").decode("ascii")


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
