"""Auto-reply headers and subjects; delivery-status notifications and informal bounces."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest

from service.inbound.autoreply import detect_bounce, is_auto_reply
from service.inbound.mime import parse_email


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Auto-Submitted", "auto-replied"),
        ("Auto-Submitted", "auto-generated"),
        ("Auto-Submitted", "auto-notified; owner-email=x@example.com"),
        ("X-Autoreply", "yes"),
        ("X-Autorespond", "Vacation message"),
        ("Precedence", "bulk"),
        ("Precedence", "junk"),
        ("Precedence", "list"),
        ("Precedence", "auto_reply"),
        ("X-MS-Exchange-Inbox-Rules-Loop", "mark@example.com"),
        ("X-MS-Exchange-Generated-Message-Source", "Mailbox Rules Agent"),
    ],
)
def test_auto_reply_headers(name: str, value: str) -> None:
    assert is_auto_reply(headers=[(name, value), ("Subject", "Re: Invoice")]) is True


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Auto-Submitted", "no"),
        ("Auto-Submitted", "No"),
        ("X-Autoreply", "no"),
        ("Precedence", "first-class"),
        ("X-MS-Exchange-Generated-Message-Source", "Transport Rule Agent"),
        ("X-Auto-Response-Suppress", "All"),
        ("List-Unsubscribe", "<mailto:u@example.com>"),
    ],
)
def test_not_auto_reply_headers(name: str, value: str) -> None:
    assert is_auto_reply(headers={name: value}, subject="Re: Invoice INV-2031") is False


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: Invoice INV-2031 past due",
        "Auto: Invoice INV-2031",
        "Out of Office: Payment reminder",
        "[Out of office] Re: your balance",
        "Autoreply: Re: statement",
        "Auto-Reply: statement",
        "Respuesta automática: Recordatorio de pago",
        "Respuesta automatica: Recordatorio",
        "Fuera de la oficina: Recordatorio de pago",
        "Fuera de oficina - Re: factura",
        "Your message has been received",
        "Thank you for contacting Accounts Payable [Ticket #AP-1]",
        "Acuse de recibo - Cuentas por pagar",
        "Hemos recibido su mensaje (caso 4411)",
    ],
)
def test_auto_reply_subjects(subject: str) -> None:
    assert is_auto_reply(headers=(), subject=subject) is True


@pytest.mark.parametrize(
    "subject",
    [
        "Re: Invoice INV-2031 past due",
        "Re: I was out of office, paying now",
        "Re: Recordatorio de pago - respuesta",
        "RE: Automatic payments question",
        "Re: Thank you for contacting us - I already paid",
        "Re: Acuse de recibo de la factura F-19",
        "",
    ],
)
def test_human_subjects(subject: str) -> None:
    assert is_auto_reply(headers=(), subject=subject) is False


def test_subject_header_used_when_no_subject_given() -> None:
    assert is_auto_reply(headers=[("Subject", "Out of Office: Re: bill")]) is True


def _dsn(action: str, status: str, diagnostic: str) -> bytes:
    text = f"""Return-Path: <>
Received: by mx.northwind.example (Postfix) id 4F1A2B3C4D; Thu, 12 Mar 2026 10:20:31 +0000
Date: Thu, 12 Mar 2026 10:20:31 +0000 (UTC)
From: MAILER-DAEMON@mx.northwind.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: billing@northwind.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4F1A2B3C4D.1773310831/mx.northwind.example"
Message-Id: <20260312102031.4F1A2B3C4D@mx.northwind.example>

This is a MIME-encapsulated message.

--4F1A2B3C4D.1773310831/mx.northwind.example
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.northwind.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<nobody@customer.example>: host mx.customer.example[203.0.113.7] said:
    {diagnostic}

--4F1A2B3C4D.1773310831/mx.northwind.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.northwind.example
X-Postfix-Queue-ID: 4F1A2B3C4D
Arrival-Date: Thu, 12 Mar 2026 10:20:29 +0000 (UTC)

Final-Recipient: rfc822; nobody@customer.example
Original-Recipient: rfc822;nobody@customer.example
Action: {action}
Status: {status}
Remote-MTA: dns; mx.customer.example
Diagnostic-Code: smtp; {diagnostic}

--4F1A2B3C4D.1773310831/mx.northwind.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Northwind Billing <billing@northwind.example>
To: nobody@customer.example
Subject: Invoice INV-2031 past due
Message-ID: <reminder-77.k3y@northwind.example>
Date: Thu, 12 Mar 2026 10:20:29 +0000

--4F1A2B3C4D.1773310831/mx.northwind.example--
"""
    return text.replace("\n", "\r\n").encode("ascii")


def test_permanent_dsn() -> None:
    parsed = parse_email(
        _dsn("failed", "5.1.1", "550 5.1.1 <nobody@customer.example>: no such user")
    )
    bounce = parsed.bounce
    assert bounce is not None
    assert bounce.permanent is True
    assert bounce.status == "5.1.1"
    assert bounce.action == "failed"
    assert bounce.recipient == "nobody@customer.example"
    assert bounce.original_message_id == "<reminder-77.k3y@northwind.example>"
    assert bounce.diagnostic is not None
    assert "no such user" in bounce.diagnostic
    assert parsed.text.startswith("This is the mail system")
    assert all(item.content_type != "message/delivery-status" for item in parsed.attachments)


def test_transient_dsn_is_not_permanent() -> None:
    bounce = parse_email(_dsn("delayed", "4.2.2", "452 4.2.2 mailbox full")).bounce
    assert bounce is not None
    assert bounce.permanent is False
    assert bounce.status == "4.2.2"
    assert bounce.action == "delayed"


def test_success_dsn_is_not_a_bounce() -> None:
    raw = _dsn("delivered", "2.0.0", "250 2.0.0 Ok: queued")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert detect_bounce(message) is None


def test_dsn_with_returned_full_message() -> None:
    raw = b"""From: postmaster@outlook.example\r
To: billing@northwind.example\r
Subject: Undeliverable: Recordatorio de pago\r
Content-Type: multipart/report; report-type="delivery-status"; boundary="zz"\r
\r
--zz\r
Content-Type: text/plain; charset="utf-8"\r
\r
Delivery has failed to these recipients or groups.\r
--zz\r
Content-Type: message/delivery-status\r
\r
Reporting-MTA: dns;outlook.example\r
\r
Final-Recipient: rfc822;cliente@outlook.example\r
Action: failed\r
Status: 5.2.2\r
Diagnostic-Code: smtp;554 5.2.2 mailbox full\r
--zz\r
Content-Type: message/rfc822\r
\r
From: billing@northwind.example\r
Message-ID: <reminder-9.a@northwind.example>\r
Subject: Recordatorio de pago\r
\r
Estimado cliente\r
--zz--\r
"""
    bounce = parse_email(raw).bounce
    assert bounce is not None
    assert bounce.permanent is True
    assert bounce.status == "5.2.2"
    assert bounce.recipient == "cliente@outlook.example"
    assert bounce.original_message_id == "<reminder-9.a@northwind.example>"


def test_informal_bounce_from_mailer_daemon() -> None:
    raw = b"""From: Mail Delivery Subsystem <mailer-daemon@googlemail.example>\r
To: billing@northwind.example\r
Subject: Delivery Status Notification (Failure)\r
X-Failed-Recipients: gone@example.com\r
Content-Type: text/plain; charset=UTF-8\r
\r
Address not found\r
\r
Your message wasn't delivered to gone@example.com because the address couldn't be found.\r
\r
The response was:\r
550 5.1.1 The email account that you tried to reach does not exist.\r
\r
----- Original message -----\r
Message-ID: <reminder-3.q@northwind.example>\r
"""
    bounce = parse_email(raw).bounce
    assert bounce is not None
    assert bounce.permanent is True
    assert bounce.status == "5.1.1"
    assert bounce.recipient == "gone@example.com"
    assert bounce.original_message_id == "<reminder-3.q@northwind.example>"


def test_informal_transient_bounce() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example\r\nSubject: Delivery delayed\r\n\r\n"
        b"Temporary failure 451 4.4.1 for late@example.com, will retry.\r\n"
    )
    bounce = parse_email(raw).bounce
    assert bounce is not None
    assert bounce.permanent is False
    assert bounce.status == "4.4.1"


def test_empty_return_path_alone_is_not_a_bounce() -> None:
    # RFC 3834 auto-replies are also sent with a null return path.
    raw = (
        b"Return-Path: <>\r\nFrom: mark@example.com\r\nSubject: Automatic reply: bill\r\n"
        b"Auto-Submitted: auto-replied\r\n\r\nI'm away until Monday.\r\n"
    )
    parsed = parse_email(raw)
    assert parsed.bounce is None
    assert parsed.auto_reply is True


def test_human_mail_from_postmaster_without_failure_is_not_a_bounce() -> None:
    raw = b"From: postmaster@example.com\r\nSubject: Question\r\n\r\nWho do I pay?\r\n"
    assert parse_email(raw).bounce is None
