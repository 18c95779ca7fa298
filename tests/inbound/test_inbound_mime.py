"""Raw MIME parsing: headers, charsets, transfer encodings, bodies and attachments."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest

from service.inbound.mime import MalformedEmail, decode_bytes, parse_email


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("ascii")


GMAIL_REPLY_ES = crlf(
    """Return-Path: <jose.perez@example.com>
Received: from mail-sor-f41.google.com (mail-sor-f41.google.com [209.85.220.41])
\tby mx.norte.example with ESMTPS id a1b2c3
\tfor <reply+t0k3n@norte.example>; Thu, 12 Mar 2026 10:20:31 -0700 (PDT)
MIME-Version: 1.0
References: <reminder-1.abc@norte.example>
 <reminder-2.def@norte.example>
In-Reply-To: <reminder-2.def@norte.example>
From: =?UTF-8?Q?Jos=C3=A9_P=C3=A9rez?= <jose.perez@example.com>
Date: Thu, 12 Mar 2026 12:20:19 -0500
Message-ID: <CAF=abc123XyZ@mail.gmail.com>
Subject: =?UTF-8?B?UmU6IFJlY29yZGF0b3JpbyBkZSBwYWdv?=
To: Cobranza Norte <reply+t0k3n@norte.example>
Cc: "Ana Ruiz" <ana@example.com>, contab@example.com
Content-Type: multipart/alternative; boundary="000000000000b1c2"

--000000000000b1c2
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Ya realic=C3=A9 el pago el viernes, adjunto comprobante.

El jue, 12 mar 2026 a las 9:02, Cobranza Norte (<reply+t0k3n@norte.example>)
escribi=C3=B3:

> Estimado Jos=C3=A9:
> Su factura F-0192 est=C3=A1 vencida.

--000000000000b1c2
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr">Ya realic=C3=A9 el pago el viernes, adjunto comprobante.</di=
v><br><div class=3D"gmail_quote"><blockquote>Estimado Jos=C3=A9</blockquote=
></div>

--000000000000b1c2--
"""
)


def test_gmail_reply_headers_and_body() -> None:
    parsed = parse_email(GMAIL_REPLY_ES)
    assert parsed.message_id == "<CAF=abc123XyZ@mail.gmail.com>"
    assert parsed.in_reply_to == "<reminder-2.def@norte.example>"
    assert parsed.references == ("<reminder-1.abc@norte.example>", "<reminder-2.def@norte.example>")
    assert parsed.from_address == "jose.perez@example.com"
    assert parsed.from_name == "José Pérez"
    assert parsed.to == ("reply+t0k3n@norte.example",)
    assert parsed.cc == ("ana@example.com", "contab@example.com")
    assert parsed.subject == "Re: Recordatorio de pago"
    assert parsed.date == datetime(2026, 3, 12, 12, 20, 19, tzinfo=timezone(timedelta(hours=-5)))
    assert parsed.text.startswith("Ya realicé el pago el viernes")
    assert "escribió:" in parsed.text
    assert parsed.html is not None
    assert "gmail_quote" in parsed.html
    assert parsed.body_clean == "Ya realicé el pago el viernes, adjunto comprobante."
    assert parsed.attachments == ()
    assert parsed.auto_reply is False
    assert parsed.bounce is None
    assert parsed.header("subject") == "Re: Recordatorio de pago"
    assert ("Message-ID", "<CAF=abc123XyZ@mail.gmail.com>") in parsed.headers


@pytest.mark.parametrize(
    ("charset", "encoding", "body"),
    [
        ("utf-8", "base64", base64.b64encode("Pagaré el próximo miércoles. Año nuevo €".encode())),
        ("iso-8859-1", "quoted-printable", b"Pagar=E9 el pr=F3ximo mi=E9rcoles. A=F1o nuevo"),
        ("windows-1252", "quoted-printable", b"Pagar=E9 el pr=F3ximo mi=E9rcoles. A=F1o nuevo =80"),
        ("windows-1252", "8bit", "Pagaré el próximo miércoles. Año nuevo €".encode("cp1252")),
        ("iso-8859-1", "8bit", "Pagaré el próximo miércoles. Año nuevo".encode("latin-1")),
    ],
)
def test_text_body_in_any_charset_and_encoding(charset: str, encoding: str, body: bytes) -> None:
    raw = (
        crlf(
            "From: cliente@example.com\nTo: reply@norte.example\nSubject: pago\n"
            "Message-ID: <c1@example.com>\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset={charset}\n"
            f"Content-Transfer-Encoding: {encoding}\n\n"
        )
        + body
        + b"\r\n"
    )
    parsed = parse_email(raw)
    assert parsed.text.startswith("Pagaré el próximo miércoles. Año nuevo")
    if b"=80" in body or "€".encode() in body or "€".encode("cp1252") in body:
        assert parsed.text.endswith("€")


def test_latin1_label_with_windows_1252_quotes_reads_curly_quotes() -> None:
    raw = crlf(
        "From: a@example.com\nSubject: x\nContent-Type: text/plain; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: 8bit\n\n"
    ) + "I \u201cpaid\u201d it \u2013 twice".encode("cp1252")
    assert parse_email(raw).text == "I \u201cpaid\u201d it \u2013 twice"


@pytest.mark.parametrize("charset", ["base64", "zlib", "rot13", "hex"])
def test_a_charset_naming_a_codec_that_is_no_text_encoding_falls_back(charset: str) -> None:
    raw = (
        crlf(
            f"From: a@example.com\nSubject: x\nContent-Type: text/plain; charset={charset}\n"
            "Content-Transfer-Encoding: 8bit\n\n"
        )
        + "Pagué ayer.".encode()
    )
    assert parse_email(raw).text == "Pagué ayer."
    assert decode_bytes(b"paid", charset=charset) == "paid"


def test_undeclared_8bit_utf8_body_and_header() -> None:
    raw = (
        b"From: =?utf-8?q?Mar=C3=ADa?= <maria@example.com>\r\n"
        + "Subject: Re: factura vencida — ya pagué\r\n".encode()
        + b"To: reply@norte.example\r\n\r\n"
        + "Ya pagué, señores.\r\n".encode()
    )
    parsed = parse_email(raw)
    assert parsed.subject == "Re: factura vencida — ya pagué"
    assert parsed.text == "Ya pagué, señores."
    assert parsed.from_name == "María"


def test_undeclared_8bit_latin1_body_falls_back() -> None:
    raw = b"From: a@example.com\r\nSubject: x\r\n\r\n" + "Pagaré mañana".encode("latin-1")
    assert parse_email(raw).text == "Pagaré mañana"


def test_unknown_charset_falls_back_to_utf8() -> None:
    raw = (
        crlf(
            "From: a@example.com\nSubject: x\nContent-Type: text/plain; charset=x-unknown-charset\n"
            "Content-Transfer-Encoding: 8bit\n\n"
        )
        + "Pagaré".encode()
    )
    assert parse_email(raw).text == "Pagaré"


def test_decode_bytes_never_raises() -> None:
    assert decode_bytes(b"\x81\x8d\xff", charset="utf-8") == "\x81\x8d\xff"
    assert decode_bytes("caf\u00e9".encode()) == "café"
    assert decode_bytes("caf\u00e9".encode("latin-1"), charset="us-ascii") == "café"


def test_html_only_mail_becomes_text_kept_whole_and_cleaned() -> None:
    raw = crlf(
        "From: Mark Hill <mark@example.com>\nTo: billing@northwind.example\n"
        "Subject: RE: Invoice INV-2031\nMIME-Version: 1.0\n"
        'Content-Type: text/html; charset="us-ascii"\nContent-Transfer-Encoding: 7bit\n\n'
        '<html><body><p class="MsoNormal">I dispute this charge.</p><p>Mark</p>'
        '<div id="divRplyFwdMsg"><b>From:</b> Northwind Billing</div>'
        "<div>Your invoice is overdue</div></body></html>\n"
    )
    parsed = parse_email(raw)
    assert parsed.html is not None
    # The body is the whole mail as received (for audit); the clean body is the new text.
    assert parsed.text == (
        "I dispute this charge.\nMark\nFrom: Northwind Billing\nYour invoice is overdue"
    )
    assert parsed.body_clean == "I dispute this charge.\nMark"


PDF_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 4
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _mixed_with_attachments() -> bytes:
    pdf = base64.encodebytes(PDF_BYTES).decode("ascii")
    png = base64.encodebytes(PNG_BYTES).decode("ascii")
    return crlf(
        f"""From: Juan <juan@example.com>
To: reply@norte.example
Subject: comprobante
Message-ID: <att-1@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/related; boundary="rel"

--rel
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8

Adjunto el comprobante.

--alt
Content-Type: text/html; charset=utf-8

<p>Adjunto el comprobante.</p><img src="cid:logo@x">

--alt--
--rel
Content-Type: image/png
Content-ID: <logo@x>
Content-Disposition: inline
Content-Transfer-Encoding: base64

{png}
--rel--
--outer
Content-Type: application/pdf; name="comprobante.pdf"
Content-Disposition: attachment; filename*=utf-8''comprobante%20de%20pago%20a%C3%B1o.pdf
Content-Transfer-Encoding: base64

{pdf}
--outer--
"""
    )


def test_attachments_are_listed_with_content() -> None:
    parsed = parse_email(_mixed_with_attachments())
    assert parsed.text == "Adjunto el comprobante."
    assert parsed.body_clean == "Adjunto el comprobante."
    by_type = {attachment.content_type: attachment for attachment in parsed.attachments}
    assert set(by_type) == {"image/png", "application/pdf"}
    pdf = by_type["application/pdf"]
    assert pdf.filename == "comprobante de pago año.pdf"
    assert pdf.content == PDF_BYTES
    assert pdf.size == len(PDF_BYTES)
    assert pdf.too_large is False
    png = by_type["image/png"]
    assert png.inline is True
    assert png.content_id == "<logo@x>"
    assert png.content == PNG_BYTES


def test_oversized_attachment_is_listed_without_content() -> None:
    parsed = parse_email(_mixed_with_attachments(), max_attachment_bytes=500)
    pdf = next(item for item in parsed.attachments if item.content_type == "application/pdf")
    assert pdf.too_large is True
    assert pdf.content is None
    assert pdf.size == len(PDF_BYTES)
    png = next(item for item in parsed.attachments if item.content_type == "image/png")
    assert png.too_large is False
    assert png.content == PNG_BYTES


def test_attached_text_file_is_not_the_body() -> None:
    raw = crlf(
        """From: a@example.com
Subject: x
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

See the attached statement.
--b
Content-Type: text/plain; charset=utf-8
Content-Disposition: attachment; filename="statement.txt"

Line 1 of the statement
--b--
"""
    )
    parsed = parse_email(raw)
    assert parsed.text == "See the attached statement."
    assert [item.filename for item in parsed.attachments] == ["statement.txt"]
    assert parsed.attachments[0].content == b"Line 1 of the statement"


def test_forwarded_message_attachment_stays_one_attachment() -> None:
    raw = crlf(
        """From: a@example.com
Subject: Fwd: bill
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain

Look at this one.
--b
Content-Type: message/rfc822

From: billing@northwind.example
Subject: Invoice
Message-ID: <orig@northwind.example>

Original text that is not the customer's body.
--b--
"""
    )
    parsed = parse_email(raw)
    assert parsed.text == "Look at this one."
    assert [item.content_type for item in parsed.attachments] == ["message/rfc822"]
    content = parsed.attachments[0].content
    assert content is not None
    assert b"<orig@northwind.example>" in content


def test_malformed_headers_do_not_crash() -> None:
    raw = (
        b'From: <<broken@@>> "unterminated\r\n'
        b"To: ,,,;;; <>\r\n"
        b"Cc: undisclosed-recipients:;\r\n"
        b"Date: not a date at all\r\n"
        b"Message-ID: bare-id@example.com\r\n"
        b"References: one@example.com two@example.com\r\n"
        b"Subject: =?utf-8?B?bad*base64?= and =?x-unknown?Q?abc?=\r\n"
        b'Content-Type: text/plain; charset="utf-8\r\n'
        b"\r\n"
        b"Body survives.\r\n"
    )
    parsed = parse_email(raw)
    assert parsed.text == "Body survives."
    assert parsed.date is None
    assert parsed.message_id == "<bare-id@example.com>"
    assert parsed.references == ("<one@example.com>", "<two@example.com>")
    assert "and" in parsed.subject


def test_date_without_zone_is_aware_utc() -> None:
    raw = b"From: a@example.com\r\nDate: Thu, 12 Mar 2026 10:00:00 -0000\r\n\r\nhi\r\n"
    assert parse_email(raw).date == datetime(2026, 3, 12, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("raw", [b"", b"   \r\n  ", b"\r\n\r\njust a body without headers\r\n"])
def test_unparseable_input_raises_malformed_email(raw: bytes) -> None:
    with pytest.raises(MalformedEmail):
        parse_email(raw)


def test_lf_only_line_endings() -> None:
    raw = b"From: a@example.com\nSubject: hi\nContent-Type: text/plain\n\nLine one\nLine two\n"
    assert parse_email(raw).text == "Line one\nLine two"


def test_auto_reply_flag_from_headers() -> None:
    raw = crlf(
        "From: mark@example.com\nSubject: Automatic reply: Invoice INV-2031\n"
        "Auto-Submitted: auto-replied\nX-MS-Exchange-Inbox-Rules-Loop: mark@example.com\n\n"
        "I am out of the office until March 20.\n"
    )
    parsed = parse_email(raw)
    assert parsed.auto_reply is True
    assert parsed.bounce is None
