"""The ``process_inbound`` pipeline: one stored payload in, one threaded inbound message out.

parse -> route (threading) -> record the message, its attachments and a ``message_received``
event -> bounces -> for messages a person wrote: language, consent keywords and requests, then
``classify_and_route``; for mail no person wrote, ``handle_automatic`` (a thread with no label
yet becomes ``auto_reply``, with no team). Running it twice for the same payload changes
nothing: a processed payload is skipped, and a message already stored under the same dedupe key
is linked, not copied. Reading a payload and finding its conversation is
``service.inbound.reading``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.config import Settings
from service.consent import service as consent
from service.disputes.handling import handle_automatic, handle_reply
from service.inbound import forms
from service.inbound import threading as routing
from service.inbound.consent_handling import handle_consent
from service.inbound.language import detect_language
from service.inbound.lookups import TenantLookups
from service.inbound.mime import (
    Bounce,
    MalformedEmail,
)
from service.inbound.models import InboundPayload
from service.inbound.reading import Incoming, original_of, read_payload
from service.inbound.service import Declared
from service.ledger.models import Customer
from service.templating.service import TemplateCatalog
from service.tenancy.models import Tenant
from service.threads.models import (
    Attachment,
    Direction,
    Message,
    MessageStatus,
    Thread,
    ThreadStatus,
)
from service.threads.service import add_event, open_thread
from service.types import new_id, utcnow

_log = structlog.get_logger("cobro.inbound")


@dataclass(frozen=True)
class Outcome:
    payload_id: uuid.UUID
    message_id: uuid.UUID | None
    thread_id: uuid.UUID | None
    method: str
    error: str | None = None

    def as_result(self) -> dict[str, str | None]:
        """What a job or an operator's request answers: the ids as text."""
        return {
            "method": self.method,
            "message_id": str(self.message_id) if self.message_id else None,
            "thread_id": str(self.thread_id) if self.thread_id else None,
            "error": self.error,
        }


# --- The pipeline ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Routed:
    """A payload read and routed, its message not yet recorded."""

    payload: InboundPayload
    incoming: Incoming
    route: routing.Route


async def process_payload(
    session: AsyncSession,
    *,
    payload_id: uuid.UUID,
    settings: Settings,
    templates: TemplateCatalog | None = None,
    lookups: TenantLookups | None = None,
    payload: InboundPayload | None = None,
) -> Outcome:
    """Parse, thread and record one stored payload; see the module docstring.

    ``templates`` renders the automatic answers to disputes and promises (the process's catalog;
    a fresh one when not given); ``lookups`` holds what the job read of tenants already;
    ``payload`` is the payload's row when the caller locked it already."""
    routed = await read_and_route(
        session, payload_id=payload_id, settings=settings, payload=payload
    )
    if isinstance(routed, Outcome):
        return routed
    return await record_routed(
        session, routed=routed, settings=settings, templates=templates, lookups=lookups
    )


async def process_payloads(
    session: AsyncSession,
    *,
    payload_ids: Sequence[uuid.UUID],
    settings: Settings,
    templates: TemplateCatalog | None = None,
    lookups: TenantLookups | None = None,
) -> list[Outcome]:
    """``process_payload`` for several payloads in one transaction, in the order given.

    Their rows are locked in one statement (in id order, as every batch locks them), and what
    one payload's processing reads (its tenant, customer, thread) is in the session for the
    next. A failure fails them all: the caller then processes each on its own.
    """
    locked = await session.execute(
        select(InboundPayload)
        .where(col(InboundPayload.id).in_(payload_ids))
        .order_by(col(InboundPayload.id))
        .with_for_update()
    )
    payloads = {payload.id: payload for payload in locked.scalars()}
    # Out of the session: what each processing sets on its row is written for all of them at
    # the end, in one statement, instead of with the autoflush of the next payload's queries.
    for payload in payloads.values():
        session.expunge(payload)
    templates = templates or TemplateCatalog()
    lookups = lookups or TenantLookups()
    outcomes: list[Outcome] = []
    for payload_id in payload_ids:
        outcome = await process_payload(
            session,
            payload_id=payload_id,
            settings=settings,
            templates=templates,
            lookups=lookups,
            payload=payloads.get(payload_id),
        )
        outcomes.append(outcome)
    if payloads:
        await session.execute(
            update(InboundPayload),
            [
                {
                    "id": payload.id,
                    "tenant_id": payload.tenant_id,
                    "message_id": payload.message_id,
                    "processed_at": payload.processed_at,
                    "error": payload.error,
                }
                for payload in payloads.values()
            ],
        )
    return outcomes


async def read_and_route(
    session: AsyncSession,
    *,
    payload_id: uuid.UUID,
    settings: Settings,
    payload: InboundPayload | None = None,
) -> Routed | Outcome:
    """The first half of ``process_payload``: read the payload and find its conversation.

    ``payload`` is its row when the caller locked it already. Ends the payload (an ``Outcome``)
    when it is processed already, unreadable, of no tenant, or a copy of a message stored
    before. Writes nothing otherwise, so that another job's transaction never waits on this one
    before its message is recorded.
    """
    if payload is None:
        payload = (
            await session.execute(
                select(InboundPayload).where(col(InboundPayload.id) == payload_id).with_for_update()
            )
        ).scalar_one_or_none()
    if payload is None:
        return Outcome(payload_id=payload_id, message_id=None, thread_id=None, method="missing")
    if payload.processed_at is not None:
        return Outcome(
            payload_id=payload_id,
            message_id=payload.message_id,
            thread_id=None,
            method="already_processed",
            error=payload.error,
        )
    try:
        read = await read_payload(session, payload, settings)
    except (MalformedEmail, forms.MalformedPayload, ValueError, KeyError) as error:
        return _give_up(payload, method="malformed", error=f"unreadable payload: {error}")
    route = read.route
    if route.tenant_id is None:
        # Nobody can be told whose reply this is; it stays here, with the reason, for an operator.
        _log.warning("inbound_unrouted", payload_id=str(payload.id), method=str(route.method))
        return _give_up(
            payload, method=str(route.method), error=f"{route.method}: {route.detail or ''}"
        )
    existing = await _stored_message(session, route.tenant_id, read.incoming.dedupe_key)
    if existing is not None:
        payload.tenant_id = route.tenant_id
        return _finish(payload, existing, method="duplicate")
    return Routed(payload=payload, incoming=read.incoming, route=route)


async def record_routed(
    session: AsyncSession,
    *,
    routed: Routed,
    settings: Settings,
    templates: TemplateCatalog | None = None,
    lookups: TenantLookups | None = None,
) -> Outcome:
    """The second half of ``process_payload``: record the message in its conversation.

    Two copies of one message (the same mail posted by SendGrid and as raw MIME) processed at
    once both pass the duplicate check; the second insert then fails on the messages' unique
    (tenant, dedupe key) and its transaction rolls back. The job retries shortly and finds the
    first copy to link (workers/inbound.py).
    """
    payload, route = routed.payload, routed.route
    message = await record_message(
        session,
        incoming=routed.incoming,
        route=route,
        settings=settings,
        templates=templates,
        lookups=lookups,
    )
    # Set last, so that the payload's row is written once, with its outcome.
    payload.tenant_id = route.tenant_id
    return _finish(payload, message, method=str(route.method))


def _give_up(payload: InboundPayload, *, method: str, error: str) -> Outcome:
    payload.error = error[:1000]
    payload.processed_at = utcnow()
    return Outcome(
        payload_id=payload.id, message_id=None, thread_id=None, method=method, error=payload.error
    )


def _finish(payload: InboundPayload, message: Message, *, method: str) -> Outcome:
    payload.message_id = message.id
    payload.processed_at = utcnow()
    return Outcome(
        payload_id=payload.id, message_id=message.id, thread_id=message.thread_id, method=method
    )


async def _stored_message(
    session: AsyncSession, tenant_id: uuid.UUID, dedupe_key: str
) -> Message | None:
    return (
        await session.execute(
            select(Message).where(
                col(Message.tenant_id) == tenant_id, col(Message.dedupe_key) == dedupe_key
            )
        )
    ).scalar_one_or_none()


async def thread_for(session: AsyncSession, *, route: routing.Route, incoming: Incoming) -> Thread:
    """The thread ``route`` names, else a new one (for its customer, or unmatched)."""
    if route.tenant_id is None:
        raise ValueError("a route without tenant has no thread")
    if route.thread is not None:
        thread = route.thread
        if thread.status in (ThreadStatus.resolved, ThreadStatus.closed) and not incoming.automatic:
            previous = thread.status
            thread.status = ThreadStatus.open
            add_event(session, thread=thread, kind="reopened", data={"from_status": str(previous)})
        return thread
    if route.customer_id is None and incoming.sender:
        waiting = await routing.unmatched_thread_of(
            session, tenant_id=route.tenant_id, sender=incoming.sender
        )
        if waiting is not None:
            return waiting
    return await open_thread(
        session,
        tenant_id=route.tenant_id,
        customer_id=route.customer_id,
        subject=incoming.subject,
        channel=incoming.channel,
        why=f"inbound {incoming.channel}: {route.method}",
    )


async def record_message(
    session: AsyncSession,
    *,
    incoming: Incoming,
    route: routing.Route,
    settings: Settings,
    templates: TemplateCatalog | None = None,
    lookups: TenantLookups | None = None,
) -> Message:
    """Store ``incoming`` in its thread, then apply bounces, language, consent and labels."""
    reopens = (
        route.thread is not None
        and route.thread.status in (ThreadStatus.resolved, ThreadStatus.closed)
        and not incoming.automatic
    )
    thread = await thread_for(session, route=route, incoming=incoming)
    now = utcnow()
    human = incoming.automatic is None
    message = Message(
        # Every field with a default factory given: SQLModel inspects the signature of each one
        # it calls, which costs more than building the row.
        id=new_id(),
        invoice_numbers=[],
        fallback_channels=[],
        tenant_id=thread.tenant_id,
        thread_id=thread.id,
        customer_id=thread.customer_id,
        direction=Direction.inbound,
        channel=incoming.channel,
        from_address=(incoming.sender or "")[:320] or None,
        to_address=(incoming.recipient or "")[:320] or None,
        subject=incoming.subject,
        body=incoming.body,
        body_html=incoming.body_html,
        body_clean=incoming.body_clean,
        headers=incoming.headers,
        email_message_id=(incoming.email_message_id or "")[:998] or None,
        provider_id=incoming.provider_id,
        dedupe_key=incoming.dedupe_key[:512],
        automatic=incoming.automatic,
        status=MessageStatus.processed,
        # Known before the message is written, so that it is written once.
        language=detect_language(incoming.body_clean) if human and incoming.body_clean else None,
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    # Written now: rows that refer to it (attachments, promises) may come before the next query,
    # and without relationships the unit of work does not order their INSERTs after its own.
    await session.flush()
    for item in incoming.attachments:
        session.add(
            Attachment(
                tenant_id=thread.tenant_id,
                message_id=message.id,
                filename=item.filename[:500] if item.filename else None,
                content_type=item.content_type[:200],
                size=item.size,
                too_large=item.too_large,
                content=item.content,
            )
        )
    if thread.channel is None:
        thread.channel = incoming.channel
    thread.last_message_at = now
    add_event(
        session,
        thread=thread,
        kind="message_received",
        data={
            "message_id": str(message.id),
            "channel": incoming.channel,
            "routed_by": str(route.method),
            "detail": route.detail,
            "automatic": incoming.automatic,
            "attachments": len(incoming.attachments),
        },
    )
    if incoming.bounce is not None:
        await apply_bounce(session, thread=thread, bounce=incoming.bounce)
    if human:
        await _after_human_message(
            session, thread=thread, message=message, incoming=incoming, route=route,
            settings=settings, templates=templates or TemplateCatalog(), reopened=reopens,
            lookups=lookups or TenantLookups(),
        )  # fmt: skip
    else:
        await handle_automatic(session, thread=thread, message=message)
    return message


async def _after_human_message(
    session: AsyncSession,
    *,
    thread: Thread,
    message: Message,
    incoming: Incoming,
    route: routing.Route,
    settings: Settings,
    templates: TemplateCatalog,
    reopened: bool,
    lookups: TenantLookups,
) -> None:
    customer = route.customer if route.customer is not None else (
        await session.get(Customer, thread.customer_id) if thread.customer_id else None
    )  # fmt: skip
    await update_language(session, thread=thread, message=message, customer=customer)
    tenant = await session.get(Tenant, thread.tenant_id)
    if tenant is not None:
        await handle_consent(
            session,
            settings=settings,
            tenant=tenant,
            thread=thread,
            customer=customer,
            message=message,
            provider_opt_out=incoming.provider_opt_out,
        )
    await classify_and_route(
        session, settings=settings, templates=templates, thread=thread, message=message,
        declared=incoming.declared, reopened=reopened, lookups=lookups,
    )  # fmt: skip


async def classify_and_route(
    session: AsyncSession,
    *,
    settings: Settings,
    templates: TemplateCatalog,
    thread: Thread,
    message: Message,
    declared: Declared | None,
    reopened: bool = False,
    lookups: TenantLookups | None = None,
) -> None:
    """The one place where a reply a person wrote is classified and its thread routed to a team.

    ``declared`` holds the labels of a dispute or promise filed through the portal; they stand
    in for the classifier's. ``reopened`` says this reply reopened a resolved thread, whose old
    labels and clocks then start afresh. Auto-replies and bounces never reach this function:
    ``handle_automatic`` labels them without reading them.
    """
    await handle_reply(
        session, settings=settings, templates=templates, thread=thread, message=message,
        declared=declared, reopened=reopened, lookups=lookups,
    )  # fmt: skip


# --- Bounces and language --------------------------------------------------------------------


async def apply_bounce(session: AsyncSession, *, thread: Thread, bounce: Bounce) -> None:
    """Mark the reported outbound message bounced; a permanent failure ends email consent.

    Only a 5.x.x status is permanent: a 4.x.x failure says nothing about the address, and a
    "delayed" report leaves the message as it is (it may still be delivered).
    """
    original = await original_of(session, bounce.original_message_id)
    if original is not None and original.tenant_id != thread.tenant_id:
        original = None
    delayed = bounce.action == "delayed"
    if original is not None and not delayed:
        original.status = MessageStatus.bounced
        original.last_error = (
            " ".join(part for part in (bounce.status, bounce.diagnostic) if part)[:1000]
            or "bounced"
        )
        original.updated_at = utcnow()
    add_event(
        session,
        thread=thread,
        kind="delivery_delayed" if delayed else "bounced",
        data={
            "message_id": str(original.id) if original else None,
            "status": bounce.status,
            "permanent": bounce.permanent,
            "recipient": bounce.recipient,
        },
    )
    address = bounce.recipient or (original.to_address if original else None)
    if bounce.permanent and address:
        await consent.record_opt_out(
            session,
            tenant_id=thread.tenant_id,
            channel="email",
            address=address,
            source="bounce",
            detail=f"permanent failure {bounce.status}",
        )


async def update_language(
    session: AsyncSession, *, thread: Thread, message: Message, customer: Customer | None
) -> None:
    """The reply's language (detected when it was recorded); two replies in a row in another
    language change the customer's preferred language (one may be a quote, a name or a copied
    phrase)."""
    detected = message.language
    if detected is None:
        return
    if thread.language is None:
        thread.language = detected
    if customer is None or customer.language == detected:
        return
    if customer.language is not None:
        # Earlier replies only: nothing waiting in the session is one (the events logged so far
        # are written later, with others, instead of now for this query).
        with session.no_autoflush:
            previous = (
                await session.execute(
                    select(col(Message.language))
                    .where(
                        col(Message.tenant_id) == customer.tenant_id,
                        col(Message.customer_id) == customer.id,
                        col(Message.direction) == Direction.inbound,
                        col(Message.automatic).is_(None),
                        col(Message.language).is_not(None),
                        col(Message.id) != message.id,
                    )
                    .order_by(col(Message.created_at).desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
        if previous != detected:
            return
    old = customer.language
    customer.language = detected
    customer.updated_at = utcnow()
    add_event(
        session,
        thread=thread,
        kind="language_changed",
        data={"from": old, "to": detected, "message_id": str(message.id)},
    )
