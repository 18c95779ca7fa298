"""Apple Mail forwards, References-only threading, HTML-only bodies kept whole, and the cap on
automatic messages per customer."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import make_msgid

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import col

from service.inbound.consent_replies import AUTOMATIC_AUTHOR, AUTOMATIC_PER_HOUR
from service.inbound.mime import parse_email
from service.inbound.quotes import html_to_text, strip_reply
from service.runtime import Runtime
from service.threads.models import Message
from tests.inbound.builders import (
    build_email,
    drain,
    make_conversation,
    make_customer,
    make_inbound_tenant,
    post_mime,
    post_sms,
    sms_params,
    unique_email,
    unique_number,
)

APPLE_FORWARDS = [
    (
        "apple_en",
        "Please see below, I think this was paid in March.\n\n"
        "Begin forwarded message:\n\n"
        "From: Northwind Billing <billing@northwind.example>\n"
        "Subject: Invoice INV-2031 is past due\n"
        "Date: March 10, 2026 at 9:02:11 AM EDT\n"
        "To: mark@harper.example\n\n"
        "Hello Mark,\n\nInvoice INV-2031 for $412.50 is now 15 days past due.\n",
        "Please see below, I think this was paid in March.",
    ),
    (
        "apple_es",
        "Le reenvío el aviso; esa factura ya la pagamos.\n\n"
        "Inicio del mensaje reenviado:\n\n"
        "De: Cobranza Norte <cobranza@norte.example>\n"
        "Asunto: Factura F-0192 vencida\n"
        "Fecha: 10 de marzo de 2026, 9:02:11 a.m. CST\n"
        "Para: ana@cliente.example\n\n"
        "Estimada Sra. López:\nLe recordamos que la factura F-0192 está vencida.\n",
        "Le reenvío el aviso; esa factura ya la pagamos.",
    ),
    (
        "apple_es_signature_first",
        "Revisen por favor.\n\nEnviado desde mi iPhone\n\n"
        "Inicio del mensaje reenviado:\n\n"
        "De: Cobranza Norte <cobranza@norte.example>\nFecha: 10 de marzo de 2026\n"
        "Para: ana@cliente.example\nAsunto: Aviso\n\nSu saldo es de $3,200.00 MXN.\n",
        "Revisen por favor.",
    ),
    (
        "apple_en_only_forward",
        "Begin forwarded message:\n\nFrom: Northwind Billing <billing@northwind.example>\n"
        "Subject: Reminder\nDate: March 10, 2026\nTo: mark@harper.example\n\nPay now.\n",
        "",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [case[1:] for case in APPLE_FORWARDS],
    ids=[case[0] for case in APPLE_FORWARDS],
)
def test_apple_mail_forwards_are_cut_at_their_banner(text: str, expected: str) -> None:
    assert strip_reply(text) == expected


def test_apple_mail_forward_through_mime_keeps_the_whole_body() -> None:
    message = EmailMessage()
    message["From"] = "Ana López <ana@cliente.example>"
    message["To"] = "cobranza@norte.example"
    message["Subject"] = "Fwd: Factura F-0192 vencida"
    message["Message-ID"] = make_msgid(domain="cliente.example")
    message.set_content(APPLE_FORWARDS[1][1], charset="iso-8859-1", cte="quoted-printable")
    parsed = parse_email(message.as_bytes())
    assert parsed.body_clean == "Le reenvío el aviso; esa factura ya la pagamos."
    assert "Inicio del mensaje reenviado:" in parsed.text
    assert "la factura F-0192 está vencida" in parsed.text


def test_html_full_text_keeps_quotes_marked() -> None:
    html = (
        '<div dir="ltr">Ya pagamos.<br>Saludos</div><div class="gmail_quote">'
        '<div class="gmail_attr">El mar, 10 mar 2026 a las 9:02, Cobranza '
        "&lt;cobranza@norte.example&gt; escribió:</div>"
        "<blockquote>Estimada Sra. López:<blockquote>Aviso anterior</blockquote>"
        "Gracias</blockquote>"
        "</div><style>p{color:red}</style><script>x()</script>"
    )
    assert html_to_text(html) == "Ya pagamos.\nSaludos"
    assert html_to_text(html, keep_history=True) == (
        "Ya pagamos.\nSaludos\n"
        "El mar, 10 mar 2026 a las 9:02, Cobranza <cobranza@norte.example> escribió:\n"
        "> Estimada Sra. López:\n> > Aviso anterior\n> Gracias"
    )


async def _stored(runtime: Runtime, message_id: str | None) -> Message:
    async with runtime.database.transaction() as session:
        found = await session.get(Message, uuid.UUID(message_id or ""))
    assert found is not None
    return found


async def test_html_only_reply_is_stored_whole_and_clean(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    customer = await make_customer(inbound_runtime.database, tenant, email=unique_email())
    message = EmailMessage()
    message["From"] = customer.email or ""
    message["To"] = tenant.tenant.email_from or ""
    message["Subject"] = "RE: Invoice INV-1"
    message["Message-ID"] = make_msgid(domain="customer.example")
    message.set_content(
        "<p>We paid on Monday.</p><div id='appendonsend'></div><hr>"
        "<div><b>From:</b> Brightwater &lt;ar@brightwater.example&gt;<br>"
        "<b>Sent:</b> Monday, March 9, 2026 9:00 AM</div><div>Invoice INV-1 is due.</div>",
        subtype="html",
    )
    assert (await post_mime(webhooks, message.as_bytes())).status_code == 200
    outcome = (await drain(inbound_runtime))[-1]
    stored = await _stored(inbound_runtime, outcome["message_id"])
    assert stored.body_clean == "We paid on Monday."
    assert stored.body.startswith("We paid on Monday.")
    assert "Invoice INV-1 is due." in stored.body
    assert "Sent: Monday, March 9, 2026 9:00 AM" in stored.body
    assert stored.body_html is not None


async def test_references_alone_thread_the_reply(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    customer = await make_customer(inbound_runtime.database, tenant, email=unique_email())
    conversation = await make_conversation(inbound_runtime.database, tenant, customer)
    newer = await make_conversation(inbound_runtime.database, tenant, customer)
    # No In-Reply-To and no reply address: a client that keeps only References, with our
    # Message-ID among ids of other mail, and written from a colleague's address.
    ours = conversation.outbound.email_message_id or ""
    raw = build_email(
        sender=unique_email("colleague"),
        to=tenant.tenant.email_from or "",
        body="Forwarding the remittance for this one.",
        headers={"References": f"<older@customer.example> {ours} <side@customer.example>"},
    )
    assert b"In-Reply-To" not in raw
    assert (await post_mime(webhooks, raw)).status_code == 200
    outcome = (await drain(inbound_runtime))[-1]
    assert (outcome["method"], outcome["thread_id"]) == ("in_reply_to", str(conversation.thread.id))
    assert outcome["thread_id"] != str(newer.thread.id)


async def _automatic_for(runtime: Runtime, customer_id: uuid.UUID) -> list[Message]:
    async with runtime.database.transaction() as session:
        result = await session.execute(
            select(Message)
            .where(col(Message.customer_id) == customer_id, col(Message.author) == AUTOMATIC_AUTHOR)
            .order_by(col(Message.created_at))
        )
        return list(result.scalars())


async def test_automatic_messages_are_capped_per_customer_across_channels(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    assert AUTOMATIC_PER_HOUR == 3
    tenant = await make_inbound_tenant(inbound_runtime.database)
    phone, email = unique_number(), unique_email()
    customer = await make_customer(
        inbound_runtime.database, tenant, phone=phone, email=email, language="es"
    )

    async def text(body: str) -> None:
        params = sms_params(sender=phone, to=tenant.tenant.sms_from or "", body=body)
        assert (await post_sms(webhooks, params)).status_code == 200
        await drain(inbound_runtime)

    await text("AYUDA")
    await text("AYUDA")
    raw = build_email(sender=email, to=tenant.tenant.email_from or "", body="BAJA")
    assert (await post_mime(webhooks, raw)).status_code == 200
    await drain(inbound_runtime)
    await text("AYUDA")  # a third text would pass a cap per number; the customer's is spent
    replies = await _automatic_for(inbound_runtime, customer.id)
    assert [(reply.channel, reply.to_address) for reply in replies] == [
        ("sms", phone),
        ("sms", phone),
        ("email", email),
    ]


async def test_automatic_messages_to_an_unknown_sender_are_capped_per_number(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_inbound_tenant(inbound_runtime.database)
    stranger, other = unique_number(), unique_number()
    for sender in [stranger] * (AUTOMATIC_PER_HOUR + 1) + [other]:
        params = sms_params(sender=sender, to=tenant.tenant.sms_from or "", body="AYUDA")
        assert (await post_sms(webhooks, params)).status_code == 200
        await drain(inbound_runtime)
    async with inbound_runtime.database.transaction() as session:
        result = await session.execute(
            select(col(Message.to_address)).where(
                col(Message.tenant_id) == tenant.tenant.id,
                col(Message.author) == AUTOMATIC_AUTHOR,
            )
        )
        sent = sorted(result.scalars())
    assert sent == sorted([stranger] * AUTOMATIC_PER_HOUR + [other])
