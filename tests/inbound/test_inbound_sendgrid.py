"""SendGrid Inbound Parse posts, parsed mode and raw mode."""

from __future__ import annotations

import json

from service.inbound.mime import parse_sendgrid_inbound

HEADERS = (
    "Received: by mx0047p1mdw1.sendgrid.net with SMTP id 6WCVv7KAWn Thu, 12 Mar 2026 17:20:31"
    " +0000 (UTC)\n"
    "MIME-Version: 1.0\n"
    "From: =?UTF-8?Q?Mar=C3=ADa_G=C3=B3mez?= <maria@example.com>\n"
    "Date: Thu, 12 Mar 2026 12:20:19 -0500\n"
    "Message-ID: <CAM=maria42@mail.gmail.com>\n"
    "In-Reply-To: <reminder-5.x@norte.example>\n"
    "References: <reminder-4.w@norte.example> <reminder-5.x@norte.example>\n"
    "Subject: =?UTF-8?Q?Re:_Recordatorio_de_pago?=\n"
    "To: reply+abc123@inbound.norte.example\n"
    'Content-Type: multipart/alternative; boundary="0000000000001234"\n'
)

TEXT_ES = (
    "No puedo pagar este mes, perdí mi empleo.\n\n"
    "El jue, 12 mar 2026 a las 9:02, Cobranza Norte (<reply+abc123@inbound.norte.example>)"
    " escribió:\n> Estimada María:\n"
)


def _parsed_form() -> dict[str, str]:
    return {
        "headers": HEADERS,
        "text": TEXT_ES,
        "html": "<div>No puedo pagar este mes, perdí mi empleo.</div>",
        "from": "María Gómez <maria@example.com>",
        "to": "reply+abc123@inbound.norte.example",
        "cc": "",
        "subject": "Re: Recordatorio de pago",
        "envelope": json.dumps(
            {"to": ["reply+abc123@inbound.norte.example"], "from": "maria@example.com"}
        ),
        "charsets": json.dumps(
            {"to": "UTF-8", "html": "UTF-8", "subject": "UTF-8", "from": "UTF-8", "text": "UTF-8"}
        ),
        "dkim": "{@gmail.com : pass}",
        "SPF": "pass",
        "spam_score": "0.1",
        "attachments": "0",
    }


def test_parsed_mode_fields() -> None:
    parsed = parse_sendgrid_inbound(_parsed_form())
    assert parsed.message_id == "<CAM=maria42@mail.gmail.com>"
    assert parsed.in_reply_to == "<reminder-5.x@norte.example>"
    assert parsed.references == ("<reminder-4.w@norte.example>", "<reminder-5.x@norte.example>")
    assert parsed.from_address == "maria@example.com"
    assert parsed.from_name == "María Gómez"
    assert parsed.to == ("reply+abc123@inbound.norte.example",)
    assert parsed.cc == ()
    assert parsed.subject == "Re: Recordatorio de pago"
    assert parsed.date is not None
    assert parsed.date.utcoffset() is not None
    assert parsed.body_clean == "No puedo pagar este mes, perdí mi empleo."
    assert parsed.envelope_from == "maria@example.com"
    assert parsed.envelope_to == ("reply+abc123@inbound.norte.example",)
    assert parsed.auto_reply is False
    assert parsed.bounce is None


def test_parsed_mode_bytes_fields_use_declared_charsets() -> None:
    form: dict[str, str | bytes] = dict(_parsed_form())
    form["text"] = "Pagaré el lunes, señorita.".encode("iso-8859-1")
    form["subject"] = "Re: Señal de pago".encode("windows-1252")
    form["from"] = b"maria@example.com"
    form["charsets"] = json.dumps(
        {"text": "iso-8859-1", "subject": "windows-1252", "from": "UTF-8", "to": "UTF-8"}
    )
    parsed = parse_sendgrid_inbound(form)
    assert parsed.text == "Pagaré el lunes, señorita."
    assert parsed.subject == "Re: Señal de pago"
    assert parsed.from_address == "maria@example.com"
    assert parsed.from_name is None


def test_parsed_mode_html_only() -> None:
    form = _parsed_form()
    del form["text"]
    form["html"] = (
        "<div>Ya pagué.</div><div class='gmail_quote'><blockquote>Estimada</blockquote></div>"
    )
    parsed = parse_sendgrid_inbound(form)
    assert parsed.text == "Ya pagué.\n> Estimada"
    assert parsed.body_clean == "Ya pagué."


def test_parsed_mode_attachments() -> None:
    form = _parsed_form()
    form["attachments"] = "2"
    form["attachment-info"] = json.dumps(
        {
            "attachment1": {
                "filename": "recibo.pdf",
                "name": "recibo.pdf",
                "type": "application/pdf",
            },
            "attachment2": {
                "filename": "foto.jpg",
                "name": "foto.jpg",
                "type": "image/jpeg",
                "content-id": "ii_abc",
            },
        }
    )
    files = [
        ("attachment1", "recibo.pdf", b"%PDF-1.4 receipt"),
        ("attachment2", "foto.jpg", b"\xff\xd8\xff" + b"\x00" * 100),
    ]
    parsed = parse_sendgrid_inbound(form, files=files, max_attachment_bytes=50)
    first, second = parsed.attachments
    assert (first.filename, first.content_type, first.content) == (
        "recibo.pdf",
        "application/pdf",
        b"%PDF-1.4 receipt",
    )
    assert second.content_type == "image/jpeg"
    assert second.too_large is True
    assert second.content is None
    assert second.size == 103
    assert second.content_id == "ii_abc"


def test_parsed_mode_unknown_attachment_type_is_guessed() -> None:
    parsed = parse_sendgrid_inbound(_parsed_form(), files=[("attachment1", "scan.pdf", b"%PDF")])
    assert parsed.attachments[0].content_type == "application/pdf"


def test_parsed_mode_auto_reply_from_headers() -> None:
    form = _parsed_form()
    form["headers"] = HEADERS + "Auto-Submitted: auto-replied\n"
    form["subject"] = "Respuesta automática: Recordatorio de pago"
    assert parse_sendgrid_inbound(form).auto_reply is True


def test_parsed_mode_bounce_with_delivery_status_attachment() -> None:
    form = {
        "headers": "From: MAILER-DAEMON@mx.example\nSubject: Undelivered Mail Returned to Sender\n"
        "Return-Path: <>\n",
        "text": "Your message could not be delivered.\n",
        "from": "MAILER-DAEMON@mx.example",
        "to": "billing@norte.example",
        "subject": "Undelivered Mail Returned to Sender",
        "attachment-info": json.dumps({"attachment1": {"type": "message/delivery-status"}}),
    }
    status = (
        b"Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; gone@example.com\n"
        b"Action: failed\nStatus: 5.1.1\n"
    )
    parsed = parse_sendgrid_inbound(form, files=[("attachment1", "details.txt", status)])
    assert parsed.bounce is not None
    assert parsed.bounce.permanent is True
    assert parsed.bounce.recipient == "gone@example.com"


def test_raw_mode() -> None:
    raw = (
        "From: Mark Hill <mark@example.com>\r\n"
        "To: reply+z9@inbound.norte.example\r\n"
        "Subject: Re: Invoice\r\n"
        "Message-ID: <raw-1@example.com>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Paid in full — thanks.\r\n\r\n"
        "On Thu, Mar 12, 2026 at 9:02 AM Northwind <billing@northwind.example> wrote:\r\n"
        "> Reminder\r\n"
    )
    form = {
        "email": raw,
        "envelope": json.dumps({"to": ["reply+z9@inbound.norte.example"], "from": "m@x.example"}),
    }
    parsed = parse_sendgrid_inbound(form)
    assert parsed.message_id == "<raw-1@example.com>"
    assert parsed.body_clean == "Paid in full — thanks."
    assert parsed.envelope_to == ("reply+z9@inbound.norte.example",)
    as_bytes = parse_sendgrid_inbound({"email": raw.encode()})
    assert as_bytes.body_clean == parsed.body_clean
