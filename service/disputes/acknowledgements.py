"""Automatic answers to a reply: a dispute acknowledgement, a promise confirmation, or the
statement with the portal link for a customer asking for a copy of an invoice.

Sent on the channel the customer wrote from, in the customer's language, through the outbox.
Never to an opted-out address, a customer on hold, or for a reply that asked to stop. At most
one per thread within the tenant's interval, and every automatic message to an address shares
the hourly cap of consent confirmations, so Cobro never loops with an auto-responder.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from jinja2 import TemplateError
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from channels.base import ChannelName
from service.config import Settings
from service.consent import service as consent
from service.disputes.effects import PromiseTerms
from service.disputes.policy import Policy
from service.disputes.sla import response_time_hours
from service.inbound.consent_replies import (
    AUTOMATIC_AUTHOR,
    AUTOMATIC_PER_HOUR,
    counted_automatic,
    may_send_automatic,
)
from service.ledger.models import Customer, CustomerStatus, Invoice
from service.outreach.service import queue_message
from service.rendering import Renderer, TemplateMissing
from service.templating.service import build_context
from service.tenancy.models import Tenant
from service.threads.models import Direction, Message, Thread
from service.threads.service import add_event

DISPUTE_ACK = "dispute_ack"
PROMISE_CONFIRMATION = "promise_confirmation"
DOCUMENT_ANSWER = "statement"
ANSWER_TEMPLATES = (DISPUTE_ACK, PROMISE_CONFIRMATION, DOCUMENT_ANSWER)
_REACHABLE = (CustomerStatus.active, CustomerStatus.payment_plan)
_CHANNELS: tuple[ChannelName, ...] = ("email", "sms", "portal")

_PAPERS = re.compile(
    r"\b(?:invoices?|bills?|statements?|factura\w*|cfdi|pdf|xml|estado de cuenta|recibo)\b"
)
_OTHER_PAPERS = re.compile(
    r"\b(?:w-?9|w-?8\w*|tax (?:form|certificate|id)|bank\w*|banc\w*|clabe|iban|swift|routing|"
    r"ach|remittance|proof of delivery|pod|delivery (?:note|receipt)|acuse|remision|evidencia|"
    r"constancia|certificat\w*|contract\w*|contrato|purchase order|orden de compra)\b"
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def asks_for_invoice_copy(text: str) -> bool:
    """A document request for an invoice or the statement (which the portal holds), not for a
    tax form, bank details or a proof of delivery (which a person must send)."""
    folded = _fold(text)
    return bool(_PAPERS.search(folded)) and not _OTHER_PAPERS.search(folded)


async def _why_not(
    session: AsyncSession,
    *,
    policy: Policy,
    customer: Customer | None,
    thread: Thread,
    message: Message,
    opt_out: bool,
    now: datetime,
) -> str | None:
    if customer is None:
        return "the sender is no known customer"
    if opt_out:
        return "the reply asks to stop messages"
    if customer.status not in _REACHABLE:
        return f"customer status {customer.status}: no outreach"
    if message.channel not in _CHANNELS:
        return f"no answers on channel {message.channel}"
    address = message.from_address
    if message.channel != "portal":
        if not address:
            return "no address to answer"
        # Consent records are written as soon as they change (no autoflush needed for them).
        with session.no_autoflush:
            opted_out = await consent.is_opted_out(
                session, tenant_id=thread.tenant_id, channel=message.channel, address=address
            )
        if opted_out:
            return f"{message.channel} address opted out"
    capped = message.channel != "portal"
    if policy.ack_interval_hours > 0:
        since = now - timedelta(hours=policy.ack_interval_hours)
        answered, sent = await _automatic_so_far(
            session, thread=thread, since=since, to_address=address or "", capped=capped
        )
        if answered:
            return f"already answered automatically within {policy.ack_interval_hours} hours"
        if capped and sent >= AUTOMATIC_PER_HOUR:
            return "hourly cap of automatic messages to this customer reached"
    elif capped and not await may_send_automatic(
        session,
        tenant_id=thread.tenant_id,
        to_address=address or "",
        customer_id=thread.customer_id,
    ):
        return "hourly cap of automatic messages to this customer reached"
    return None


async def _automatic_so_far(
    session: AsyncSession, *, thread: Thread, since: datetime, to_address: str, capped: bool
) -> tuple[bool, int]:
    """(whether the thread had an automatic answer since ``since``, how many automatic
    messages the hourly cap counts for its customer): the two checks in one query."""
    answers = and_(
        col(Message.thread_id) == thread.id,
        col(Message.template).in_(ANSWER_TEMPLATES),
        col(Message.created_at) >= since,
    )
    counted = counted_automatic(to_address=to_address, customer_id=thread.customer_id)
    found = (
        await session.execute(
            select(func.count().filter(answers), func.count().filter(counted)).where(
                col(Message.tenant_id) == thread.tenant_id,
                col(Message.direction) == Direction.outbound,
                col(Message.author) == AUTOMATIC_AUTHOR,
                or_(answers, counted) if capped else answers,
            )
        )
    ).one()
    return int(found[0]) > 0, int(found[1])


async def answer(
    session: AsyncSession,
    *,
    settings: Settings,
    renderer: Renderer,
    tenant: Tenant,
    policy: Policy,
    customer: Customer | None,
    thread: Thread,
    message: Message,
    template: str,
    invoices: Sequence[Invoice],
    promise: PromiseTerms | None,
    opt_out: bool,
    now: datetime,
) -> Message | None:
    """Queue ``template`` as the automatic answer to ``message``, or log why not."""
    why_not = await _why_not(
        session, policy=policy, customer=customer, thread=thread, message=message,
        opt_out=opt_out, now=now,
    )  # fmt: skip
    if why_not is not None or customer is None:
        add_event(
            session,
            thread=thread,
            kind="acknowledgement_skipped",
            data={"template": template, "why": why_not},
        )
        return None
    channel = cast(ChannelName, message.channel)
    context = build_context(
        settings=settings,
        tenant=tenant,
        customer=customer,
        invoices=invoices,
        now=now,
        language=customer.language or message.language,
        reference=thread.reference,
        team=thread.team,
        response_time_hours=response_time_hours(thread.first_response_due_at, now=now),
        promise_date=promise.date if promise else None,
        promise_amount=promise.amount if promise else None,
        promise_currency=promise.currency if promise else None,
    )
    try:
        rendered = renderer.render(template, channel=channel, context=context)
    except (TemplateMissing, TemplateError, ValueError) as exc:
        # A sender without the details email needs (ValueError), a missing or broken tenant
        # template: the reply is still labeled and routed, and a person sees why nothing went.
        add_event(
            session,
            thread=thread,
            kind="acknowledgement_skipped",
            data={"template": template, "why": f"cannot render: {exc}"[:500]},
        )
        return None
    queued = await queue_message(
        session,
        settings=settings,
        tenant=tenant,
        customer=customer,
        thread=thread,
        channel=channel,
        to=message.from_address if channel != "portal" else None,
        subject=rendered.subject,
        body=rendered.text,
        html=rendered.html,
        language=rendered.language if not rendered.bilingual else None,
        template=template,
        invoice_numbers=[invoice.number for invoice in invoices],
    )
    # Set before the message is written (with the next query or the commit): one INSERT.
    queued.author = AUTOMATIC_AUTHOR
    add_event(
        session,
        thread=thread,
        kind="acknowledged",
        data={
            "template": template,
            "message_id": str(queued.id),
            "channel": channel,
            "language": queued.language,
            "team": thread.team,
            "response_time_hours": context.response_time_hours,
        },
    )
    return queued
