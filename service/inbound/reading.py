"""Reading stored payloads: a Twilio form, a SendGrid Inbound Parse post, raw MIME or a portal
submission turned into one ``Incoming`` message, and the conversation it belongs to found."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col
from starlette.datastructures import ImmutableMultiDict

from service.config import Settings
from service.inbound import forms
from service.inbound import threading as routing
from service.inbound.mime import (
    Attachment as ParsedAttachment,
)
from service.inbound.mime import (
    Bounce,
    ParsedEmail,
    parse_email,
    parse_sendgrid_inbound,
)
from service.inbound.models import InboundPayload
from service.inbound.service import Declared, InboundSource
from service.threads.models import Direction, Message, Thread

ATTACHMENT_MAX_BYTES = 10_000_000
_HEADER_VALUE_MAX = 2000


@dataclass(frozen=True)
class Incoming:
    """One inbound message, read from its payload, before it is threaded."""

    channel: str  # email, sms, portal
    sender: str | None
    recipient: str | None
    subject: str | None
    body: str
    body_html: str | None
    body_clean: str
    headers: dict[str, str]
    dedupe_key: str
    email_message_id: str | None = None
    provider_id: str | None = None
    attachments: tuple[ParsedAttachment, ...] = ()
    automatic: str | None = None  # "auto_reply" or "bounce"
    bounce: Bounce | None = None
    provider_opt_out: str | None = None  # Twilio's OptOutType, lower case
    declared: Declared | None = None  # labels the customer stated in the portal


def _email_headers(parsed: ParsedEmail) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name, value in parsed.headers:
        kept.setdefault(name, value[:_HEADER_VALUE_MAX])
    return kept


def incoming_from_email(parsed: ParsedEmail, *, fallback_key: str) -> Incoming:
    automatic = (
        "bounce" if parsed.bounce is not None else "auto_reply" if parsed.auto_reply else None
    )
    return Incoming(
        channel="email",
        sender=parsed.from_address or parsed.envelope_from,
        recipient=(parsed.to or parsed.envelope_to or (None,))[0],
        subject=parsed.subject[:1000] or None,
        body=parsed.text,
        body_html=parsed.html,
        body_clean=parsed.body_clean,
        headers=_email_headers(parsed),
        dedupe_key="email:" + (parsed.message_id or fallback_key),
        email_message_id=parsed.message_id,
        attachments=parsed.attachments,
        automatic=automatic,
        bounce=parsed.bounce,
    )


def _sms_media(form: ImmutableMultiDict[str, str]) -> tuple[ParsedAttachment, ...]:
    count = int(form.get("NumMedia") or 0) if (form.get("NumMedia") or "0").isdigit() else 0
    media = []
    for index in range(min(count, 10)):
        url = form.get(f"MediaUrl{index}")
        if url:
            media.append(
                ParsedAttachment(
                    filename=url[:500],
                    content_type=form.get(f"MediaContentType{index}") or "application/octet-stream",
                    size=0,
                    content=None,
                )
            )
    return tuple(media)


def incoming_from_sms(form: ImmutableMultiDict[str, str], *, fallback_key: str) -> Incoming:
    sid = form.get("MessageSid") or form.get("SmsSid")
    body = form.get("Body") or ""
    return Incoming(
        channel="sms",
        sender=form.get("From"),
        recipient=form.get("To"),
        subject=None,
        body=body,
        body_html=None,
        body_clean=body.strip(),
        headers={name: value[:_HEADER_VALUE_MAX] for name, value in form.items() if name != "Body"},
        dedupe_key="sms:" + (sid or fallback_key),
        provider_id=sid,
        attachments=_sms_media(form),
        provider_opt_out=(form.get("OptOutType") or "").strip().lower() or None,
    )


@dataclass(frozen=True)
class Read:
    incoming: Incoming
    route: routing.Route


async def read_payload(session: AsyncSession, payload: InboundPayload, settings: Settings) -> Read:
    """What ``payload`` says and where it belongs: its message read, its conversation found
    (see ``service.inbound.threading``); bounces go to the thread of the message they report."""
    secret = settings.resolved_secret_key()
    fallback = forms.content_hash(payload.body)
    if payload.source == InboundSource.twilio_sms:
        form = forms.read_urlencoded(payload.body)
        incoming = incoming_from_sms(form, fallback_key=fallback)
        route = await routing.route_sms(
            session,
            sender=incoming.sender or "",
            to=form.get("To"),
            messaging_service_sid=form.get("MessagingServiceSid"),
            tenant_id=payload.tenant_id,
        )
        return Read(incoming, route)
    if payload.source == InboundSource.portal:
        return await _read_portal(session, payload)
    if payload.source == InboundSource.sendgrid_inbound:
        post = forms.read_multipart(content_type=payload.content_type, body=payload.body)
        parsed = parse_sendgrid_inbound(
            post.fields, files=post.files, max_attachment_bytes=ATTACHMENT_MAX_BYTES
        )
    else:
        parsed = parse_email(payload.body, max_attachment_bytes=ATTACHMENT_MAX_BYTES)
    incoming = incoming_from_email(parsed, fallback_key=fallback)
    bounced = await _route_bounce(session, parsed.bounce)
    if bounced is not None:
        return Read(incoming, bounced)
    # A tenant set before processing is an operator's choice for a payload nobody could route.
    route = await routing.route_email(
        session,
        secret=secret,
        inbound_domain=settings.inbound_domain,
        parsed=parsed,
        tenant_id=payload.tenant_id,
    )
    return Read(incoming, route)


async def _read_portal(session: AsyncSession, payload: InboundPayload) -> Read:
    document = json.loads(payload.body)
    tenant_id = uuid.UUID(document["tenant_id"])
    customer_id = uuid.UUID(document["customer_id"])
    thread_id = uuid.UUID(document["thread_id"]) if document.get("thread_id") else None
    body = str(document.get("body") or "")
    declared = document.get("declared")
    incoming = Incoming(
        channel="portal",
        sender=None,
        recipient=None,
        subject=None,
        body=body,
        body_html=None,
        body_clean=body.strip(),
        headers={},
        dedupe_key=f"portal:{payload.id}",
        declared=Declared.from_document(declared) if isinstance(declared, dict) else None,
    )
    route = await routing.route_portal(
        session, tenant_id=tenant_id, customer_id=customer_id, thread_id=thread_id
    )
    return Read(incoming, route)


async def original_of(session: AsyncSession, message_id: str | None) -> Message | None:
    if not message_id:
        return None
    bare = message_id.strip().strip("<>")
    return (
        await session.execute(
            select(Message)
            .where(
                col(Message.email_message_id).in_([f"<{bare}>", bare]),
                col(Message.direction) == Direction.outbound,
            )
            .order_by(col(Message.created_at).desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def _route_bounce(session: AsyncSession, bounce: Bounce | None) -> routing.Route | None:
    """A bounce goes to the thread of the message it reports, in that message's tenant."""
    original = await original_of(session, bounce.original_message_id if bounce else None)
    if original is None:
        return None
    thread = await session.get(Thread, original.thread_id) if original.thread_id else None
    return routing.Route(
        tenant_id=original.tenant_id,
        thread=thread,
        customer_id=original.customer_id,
        method=routing.RouteMethod.bounce,
    )
