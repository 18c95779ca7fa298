"""Properties: trimming keeps any marker-free reply whole; parsing never fails unexpectedly."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.inbound.mime import MalformedEmail, parse_email
from service.inbound.quotes import html_to_text, strip_reply

WORDS = st.sampled_from(
    [
        "pago", "factura", "el", "viernes", "ya", "pagué", "paid", "invoice", "on", "Monday",
        "from", "de", "para", "please", "call", "me", "$120.50", "15", "gracias", "thanks",
        "wrote", "escribió", "sent", "enviado", "no", "reconozco", "this", "charge", "El", "On",
    ]
)  # fmt: skip
LINES = st.lists(WORDS, min_size=1, max_size=10).map(" ".join)
REPLIES = st.lists(LINES, min_size=1, max_size=6).map("\n".join)

QUOTES = [
    "On Tue, Mar 10, 2026 at 9:02 AM Northwind Billing <billing@northwind.example> wrote:\n"
    "> Hello,\n> your invoice is overdue.\n",
    "El mar, 10 mar 2026 a las 9:02, Cobranza Norte (<cobranza@norte.example>) escribió:\n"
    "> Estimado cliente:\n> su factura está vencida.\n",
    "-----Original Message-----\nFrom: Northwind Billing <billing@northwind.example>\n"
    "Sent: Tuesday, March 10, 2026 9:02 AM\nTo: you@example.com\nSubject: Invoice\n\nHello\n",
    "________________________________\nDe: Cobranza Norte <cobranza@norte.example>\n"
    "Enviado: martes, 10 de marzo de 2026 9:02\nPara: usted@example.com\nAsunto: Aviso\n",
    "Enviado desde mi iPhone\n\n> El 10 mar 2026, a las 9:02, Cobranza Norte escribió:\n> Hola\n",
    "Sent from my iPhone\n",
]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(reply=REPLIES, quote=st.sampled_from(QUOTES))
def test_reply_above_any_quote_is_kept_exactly(reply: str, quote: str) -> None:
    assert strip_reply(f"{reply}\n\n{quote}") == reply.strip()


@settings(max_examples=150)
@given(reply=REPLIES)
def test_marker_free_reply_is_unchanged(reply: str) -> None:
    assert strip_reply(reply) == reply.strip()


HEADER_NAMES = st.sampled_from(
    ["From", "To", "Cc", "Subject", "Date", "Message-ID", "References", "Content-Type",
     "Content-Transfer-Encoding", "Content-Disposition", "Return-Path", "Auto-Submitted"]
)  # fmt: skip
PIECES = st.sampled_from(
    ["<", ">", '"', "=?", "?=", "=?utf-8?B?", "=?utf-8?Q?", "@", ",", ";", ":", "(", " ", "é",
     "\x80", "multipart/mixed", "multipart/report", "boundary=b", "report-type=delivery-status",
     "text/html", "charset=", "base64", "quoted-printable", "filename*=", "''", "%", "--b",
     "\r\n", "message/rfc822", "message/delivery-status", "5.1.1", "a"]
)  # fmt: skip
VALUES = st.lists(PIECES, max_size=10).map("".join)
BODIES = st.lists(PIECES | st.binary(max_size=8).map(lambda b: b.decode("latin-1")), max_size=30)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers=st.lists(st.tuples(HEADER_NAMES, VALUES), max_size=8), body=BODIES)
def test_parse_email_raises_only_malformed_email(
    headers: list[tuple[str, str]], body: list[str]
) -> None:
    text = "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n" + "".join(body)
    try:
        parsed = parse_email(text.encode("utf-8", "surrogateescape"))
    except MalformedEmail:
        return
    assert isinstance(parsed.body_clean, str)
    html_to_text("".join(body))
