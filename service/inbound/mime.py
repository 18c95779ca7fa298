"""Parsing inbound email: raw MIME and SendGrid Inbound Parse posts into one ``ParsedEmail``.

Mail from the wild is messy: wrong or missing charsets, broken encoded words, headers that do
not follow the grammar. Parsing is lenient everywhere and falls back to a best-effort reading;
only input that is not an email at all raises ``MalformedEmail``.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from email import policy
from email.errors import HeaderParseError, MessageError
from email.message import Message
from email.parser import BytesParser, HeaderParser

from service.inbound.autoreply import Bounce, detect_bounce, is_auto_reply
from service.inbound.headers import (
    addresses,
    all_headers,
    decode_bytes,
    decode_header_value,
    decoded_headers,
    first_header,
    message_ids,
    parse_date,
    sender,
    single_message_id,
    unsurrogate,
)
from service.inbound.quotes import html_to_text, strip_reply, strip_reply_html

__all__ = [
    "Attachment",
    "Bounce",
    "MalformedEmail",
    "ParsedEmail",
    "decode_bytes",
    "parse_email",
    "parse_sendgrid_inbound",
]

DEFAULT_MAX_ATTACHMENT_BYTES = 10_000_000


class MalformedEmail(ValueError):
    """The input cannot be read as an email message at all."""


@dataclass(frozen=True)
class Attachment:
    """A file carried by the message; ``content`` is None when it exceeded the size limit."""

    filename: str | None
    content_type: str
    size: int
    content: bytes | None
    too_large: bool = False
    content_id: str | None = None
    inline: bool = False


@dataclass(frozen=True)
class ParsedEmail:
    """One inbound email, decoded.

    Message ids keep their angle brackets (``<abc@host>``), as they are written in headers and
    as ``email.utils.make_msgid`` makes them. ``text`` is the plain body (made from the HTML when
    the message has no plain part); ``body_clean`` is what the customer wrote, without quoted
    history or signature. ``date`` is aware (UTC when the header carried no zone). ``headers``
    are decoded, in message order. ``envelope_*`` are only known for SendGrid posts.
    """

    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    from_address: str | None
    from_name: str | None
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    date: datetime | None
    text: str
    html: str | None
    body_clean: str
    attachments: tuple[Attachment, ...]
    headers: tuple[tuple[str, str], ...]
    auto_reply: bool
    bounce: Bounce | None
    envelope_from: str | None = None
    envelope_to: tuple[str, ...] = ()

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


# --- Raw MIME -------------------------------------------------------------------------------


def parse_email(
    raw: bytes, *, max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
) -> ParsedEmail:
    """Parse a raw RFC 5322 message (any charset, any transfer encoding) into a ``ParsedEmail``.

    Attachments larger than ``max_attachment_bytes`` are listed with ``content=None`` and
    ``too_large=True``. Raises ``MalformedEmail`` when ``raw`` is empty or has no header at all.
    """
    if not raw or not raw.strip():
        raise MalformedEmail("empty message")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except (TypeError, ValueError, IndexError, LookupError) as error:
        raise MalformedEmail(f"unreadable message: {error}") from error
    headers = decoded_headers(message)
    if not headers:
        raise MalformedEmail("no header found: not an email message")
    text_parts: list[str] = []
    html_parts: list[str] = []
    attachments: list[Attachment] = []
    for part in _leaf_parts(message):
        _collect(part, text_parts, html_parts, attachments, max_attachment_bytes)
    subject = first_header(headers, name="Subject") or ""
    from_address, from_name = sender(first_header(headers, name="From"))
    return _build(
        headers=headers,
        text="\n".join(text_parts).strip() or None,
        html="\n".join(html_parts) or None,
        subject=subject,
        from_address=from_address,
        from_name=from_name,
        to=addresses(all_headers(headers, name="To")),
        cc=addresses(all_headers(headers, name="Cc")),
        attachments=tuple(attachments),
        bounce=_safe_bounce(message),
    )


def _safe_bounce(message: Message) -> Bounce | None:
    # A broken delivery report must not lose the message itself.
    try:
        return detect_bounce(message)
    except (TypeError, ValueError, IndexError, LookupError, AttributeError, MessageError):
        return None


def _build(
    *,
    headers: Sequence[tuple[str, str]],
    text: str | None,
    html: str | None,
    subject: str,
    from_address: str | None,
    from_name: str | None,
    to: tuple[str, ...],
    cc: tuple[str, ...],
    attachments: tuple[Attachment, ...],
    bounce: Bounce | None,
    envelope_from: str | None = None,
    envelope_to: tuple[str, ...] = (),
) -> ParsedEmail:
    if text is not None:
        plain, clean = text, strip_reply(text)
    elif html is not None:
        # The body kept for audit is the whole mail as received; only the clean body drops
        # the quoted history.
        plain, clean = html_to_text(html, keep_history=True), strip_reply_html(html)
    else:
        plain, clean = "", ""
    return ParsedEmail(
        message_id=single_message_id(first_header(headers, name="Message-ID")),
        in_reply_to=single_message_id(first_header(headers, name="In-Reply-To")),
        references=message_ids(first_header(headers, name="References")),
        from_address=from_address,
        from_name=from_name,
        to=to,
        cc=cc,
        subject=subject,
        date=parse_date(first_header(headers, name="Date")),
        text=plain,
        html=html,
        body_clean=clean,
        attachments=attachments,
        headers=tuple(headers),
        auto_reply=is_auto_reply(headers=headers, subject=subject),
        bounce=bounce,
        envelope_from=envelope_from,
        envelope_to=envelope_to,
    )


def _leaf_parts(message: Message) -> Iterator[Message]:
    """Non-multipart parts in order; an attached message (message/*) counts as one leaf."""
    if message.get_content_maintype() == "message" or not message.is_multipart():
        yield message
        return
    payload = message.get_payload()
    if not isinstance(payload, list):
        yield message
        return
    for part in payload:
        if isinstance(part, Message):
            yield from _leaf_parts(part)


def _collect(
    part: Message,
    text_parts: list[str],
    html_parts: list[str],
    attachments: list[Attachment],
    max_bytes: int,
) -> None:
    content_type = part.get_content_type()
    filename = _filename(part)
    disposition = (part.get_content_disposition() or "").lower()
    is_body = disposition != "attachment" and filename is None
    if is_body and content_type == "text/plain":
        text_parts.append(decode_bytes(_payload_bytes(part), charset=part.get_content_charset()))
        return
    if is_body and content_type == "text/html":
        html_parts.append(decode_bytes(_payload_bytes(part), charset=part.get_content_charset()))
        return
    if content_type == "message/delivery-status" or (
        part.is_multipart() and part.get_content_maintype() != "message"
    ):
        return
    content = _payload_bytes(part)
    too_large = len(content) > max_bytes
    content_id = part.get("Content-ID")
    attachments.append(
        Attachment(
            filename=filename,
            content_type=content_type,
            size=len(content),
            content=None if too_large else content,
            too_large=too_large,
            content_id=decode_header_value(str(content_id)) if content_id else None,
            inline=disposition == "inline",
        )
    )


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except (HeaderParseError, ValueError, IndexError, LookupError):
        return None
    if not name:
        return None
    return decode_header_value(unsurrogate(str(name))) or None


def _payload_bytes(part: Message) -> bytes:
    if part.get_content_maintype() == "message":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            try:
                return inner[0].as_bytes()
            except (TypeError, ValueError, LookupError, UnicodeError):
                return b""
    try:
        data = part.get_payload(decode=True)
    except (ValueError, LookupError, UnicodeError):
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


# --- SendGrid Inbound Parse -----------------------------------------------------------------

FormValue = str | bytes


def parse_sendgrid_inbound(
    form: Mapping[str, FormValue],
    *,
    files: Sequence[tuple[str, str, bytes]] = (),
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
) -> ParsedEmail:
    """Parse a SendGrid Inbound Parse post (raw or parsed mode) into a ``ParsedEmail``.

    ``form`` holds the text fields, as str or as undecoded bytes (then read with the charset
    declared for that field in the ``charsets`` JSON). ``files`` holds the uploaded files as
    ``(field name, filename, content)``, e.g. ``("attachment1", "invoice.pdf", b"...")``; their
    content type comes from ``attachment-info``. In raw mode (an ``email`` field) the whole MIME
    message is parsed with ``parse_email``. The envelope's sender and recipients are kept.
    """
    charsets = _json_object(form.get("charsets"))
    envelope = _json_object(form.get("envelope"))
    envelope_from = envelope.get("from")
    envelope_to_raw = envelope.get("to")
    envelope_to = (
        tuple(str(item) for item in envelope_to_raw) if isinstance(envelope_to_raw, list) else ()
    )
    if "email" in form:
        raw_email = form["email"]
        raw = raw_email if isinstance(raw_email, bytes) else raw_email.encode("utf-8")
        parsed = parse_email(raw, max_attachment_bytes=max_attachment_bytes)
        return _with_envelope(parsed, envelope_from, envelope_to)

    def field(name: str) -> str | None:
        value = form.get(name)
        if value is None:
            return None
        if isinstance(value, bytes):
            declared = charsets.get(name)
            return decode_bytes(value, charset=declared if isinstance(declared, str) else None)
        return value

    header_block = field("headers") or ""
    headers = _headers_from_block(header_block)
    subject_field = field("subject")
    subject = (
        subject_field
        if subject_field is not None
        else (first_header(headers, name="Subject") or "")
    )
    from_address, from_name = sender(field("from") or first_header(headers, name="From"))
    to_field = field("to")
    cc_field = field("cc")
    text = field("text")
    html = field("html")
    attachments = _sendgrid_attachments(form, files, max_attachment_bytes)
    return _build(
        headers=headers,
        text=text if text and text.strip() else None,
        html=html if html and html.strip() else None,
        subject=subject,
        from_address=from_address,
        from_name=from_name,
        to=addresses([to_field] if to_field is not None else all_headers(headers, name="To")),
        cc=addresses([cc_field] if cc_field is not None else all_headers(headers, name="Cc")),
        attachments=attachments,
        bounce=_sendgrid_bounce(header_block, text or "", attachments),
        envelope_from=str(envelope_from) if envelope_from else None,
        envelope_to=envelope_to,
    )


def _json_object(value: FormValue | None) -> dict[str, object]:
    if value is None:
        return {}
    text = decode_bytes(value) if isinstance(value, bytes) else value
    try:
        loaded = json.loads(text)
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _with_envelope(
    parsed: ParsedEmail, envelope_from: object, envelope_to: tuple[str, ...]
) -> ParsedEmail:
    return replace(
        parsed,
        envelope_from=str(envelope_from) if envelope_from else None,
        envelope_to=envelope_to,
    )


def _headers_from_block(block: str) -> list[tuple[str, str]]:
    message = HeaderParser(policy=policy.default).parsestr(block.lstrip("\r\n"), headersonly=True)
    return decoded_headers(message)


def _sendgrid_attachments(
    form: Mapping[str, FormValue],
    files: Sequence[tuple[str, str, bytes]],
    max_bytes: int,
) -> tuple[Attachment, ...]:
    info = _json_object(form.get("attachment-info"))
    found: list[Attachment] = []
    for field_name, filename, content in files:
        details = info.get(field_name)
        meta = details if isinstance(details, dict) else {}
        declared_type = meta.get("type")
        content_type = (
            declared_type
            if isinstance(declared_type, str) and declared_type
            else (mimetypes.guess_type(filename)[0] or "application/octet-stream")
        )
        name = meta.get("filename")
        content_id = meta.get("content-id")
        too_large = len(content) > max_bytes
        found.append(
            Attachment(
                filename=name if isinstance(name, str) and name else (filename or None),
                content_type=content_type.lower(),
                size=len(content),
                content=None if too_large else content,
                too_large=too_large,
                content_id=content_id if isinstance(content_id, str) else None,
                inline=isinstance(content_id, str) and bool(content_id),
            )
        )
    return tuple(found)


def _sendgrid_bounce(
    header_block: str, text: str, attachments: Sequence[Attachment]
) -> Bounce | None:
    """Rebuild enough of the message for bounce detection from the parsed-mode fields."""
    message = Message()
    parsed_headers = HeaderParser().parsestr(header_block.lstrip("\r\n"), headersonly=True)
    for name, value in parsed_headers.items():
        if name.lower() not in {"content-type", "content-transfer-encoding", "mime-version"}:
            message[name] = value
    status_blocks = [
        item.content
        for item in attachments
        if item.content_type == "message/delivery-status" and item.content is not None
    ]
    if status_blocks:
        message["Content-Type"] = 'multipart/report; report-type="delivery-status"'
        body = Message()
        body.set_payload(text, "utf-8")
        status = Message()
        status["Content-Type"] = "message/delivery-status"
        status.set_payload(decode_bytes(status_blocks[0]))
        message.attach(body)
        message.attach(status)
    else:
        message.set_payload(text, "utf-8")
    try:
        return detect_bounce(message)
    except (TypeError, ValueError, IndexError, LookupError, AttributeError, MessageError):
        return None
