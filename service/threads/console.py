"""The agent console: finding threads, reading them, replying on the customer's channel and in
the customer's language, notes, and changes of status, team or assignee, each logged."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from channels.base import ChannelName
from service.config import Settings
from service.disputes.confirmation import after_person_change
from service.disputes.promises_ledger import latest_promise
from service.errors import BadRequest, Conflict, Unprocessable
from service.ledger.models import Customer
from service.ledger.service import format_money
from service.outreach import service as outreach
from service.rendering import MAX_SMS_SEGMENTS, Channel, Renderer
from service.rendering.sms import count_segments
from service.templating.service import build_context, open_invoices, require_sender
from service.tenancy.models import Tenant
from service.threads import service as threads
from service.threads.models import (
    Attachment,
    Direction,
    Message,
    MessageStatus,
    Thread,
    ThreadEvent,
    ThreadStatus,
)
from service.threads.schemas import (
    AttachmentPublic,
    Promise,
    ThreadDetail,
    ThreadEventPublic,
    ThreadItem,
    ThreadMessage,
    ThreadPage,
    ThreadUpdate,
)
from service.types import utcnow


def _sort_key() -> Any:
    return func.coalesce(col(Thread.last_message_at), col(Thread.created_at))


def _encode_cursor(moment: datetime, thread_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{moment.isoformat()}|{thread_id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        moment, ident = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(moment), uuid.UUID(ident)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("cursor: not a cursor of this list") from exc


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_threads(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    team: str | None = None,
    status: str | None = None,
    intent: str | None = None,
    customer: str | None = None,
    assignee: str | None = None,
    needs_review: bool | None = None,
    escalated: bool | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    unmatched: bool | None = None,
) -> ThreadPage:
    """Newest activity first. `team=none` lists threads no team works (opt-outs, auto-replies,
    reminders still waiting for an answer); `unmatched=True` the threads of senders no customer
    is known for, waiting for an agent to attach them (False: only threads with a customer)."""
    query: Select[Thread, Customer] = (
        select(Thread, Customer)
        .join(Customer, col(Customer.id) == col(Thread.customer_id), isouter=True)
        .where(col(Thread.tenant_id) == tenant_id)
    )
    if team == "none":
        query = query.where(col(Thread.team).is_(None))
    elif team:
        query = query.where(col(Thread.team) == team)
    if status:
        query = query.where(col(Thread.status) == status)
    if intent:
        query = query.where(col(Thread.intent) == intent)
    if needs_review is not None:
        query = query.where(col(Thread.needs_review).is_(needs_review))
    if escalated is not None:
        is_set = col(Thread.escalated_at).is_not(None)
        query = query.where(is_set if escalated else ~is_set)
    if assignee:
        query = query.where(col(Thread.assignee) == assignee)
    if customer:
        query = query.where(col(Customer.external_id) == customer)
    if unmatched is not None:
        no_customer = col(Thread.customer_id).is_(None)
        query = query.where(no_customer if unmatched else col(Thread.customer_id).is_not(None))
    if q:
        pattern = f"%{_escape_like(q.lower())}%"
        in_messages = exists().where(
            col(Message.tenant_id) == tenant_id,
            col(Message.thread_id) == col(Thread.id),
            func.lower(col(Message.body)).like(pattern, escape="\\"),
        )
        query = query.where(
            or_(
                func.lower(col(Thread.reference)).like(pattern, escape="\\"),
                func.lower(func.coalesce(col(Thread.subject), "")).like(pattern, escape="\\"),
                func.lower(func.coalesce(col(Customer.name), "")).like(pattern, escape="\\"),
                in_messages,
            )
        )
    key = _sort_key()
    if cursor:
        moment, ident = _decode_cursor(cursor)
        query = query.where(or_(key < moment, and_(key == moment, col(Thread.id) < ident)))
    rows = (
        await session.execute(query.order_by(key.desc(), col(Thread.id).desc()).limit(limit + 1))
    ).all()
    items = [_item(thread, found) for thread, found in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last: Thread = rows[limit - 1][0]
        next_cursor = _encode_cursor(last.last_message_at or last.created_at, last.id)
    return ThreadPage(items=items, next_cursor=next_cursor)


def _item(thread: Thread, customer: Customer | None) -> ThreadItem:
    return ThreadItem(
        id=thread.id,
        reference=thread.reference,
        customer=customer.external_id if customer else None,
        team=thread.team,
        status=thread.status,
        intent=thread.intent,
        reason=thread.reason,
        language=thread.language,
        assignee=thread.assignee,
        needs_review=thread.needs_review,
        last_message_at=thread.last_message_at,
    )


async def thread_detail(session: AsyncSession, *, thread: Thread) -> ThreadDetail:
    customer = await session.get(Customer, thread.customer_id) if thread.customer_id else None
    events = (
        await session.execute(
            select(ThreadEvent)
            .where(
                col(ThreadEvent.tenant_id) == thread.tenant_id,
                col(ThreadEvent.thread_id) == thread.id,
            )
            .order_by(col(ThreadEvent.created_at), col(ThreadEvent.id))
        )
    ).scalars()
    messages = list(
        (
            await session.execute(
                select(Message)
                .where(
                    col(Message.tenant_id) == thread.tenant_id,
                    col(Message.thread_id) == thread.id,
                )
                .order_by(col(Message.created_at), col(Message.id))
            )
        ).scalars()
    )
    attachments: dict[uuid.UUID, list[AttachmentPublic]] = {}
    if messages:
        for attachment in (
            await session.execute(
                select(Attachment).where(
                    col(Attachment.tenant_id) == thread.tenant_id,
                    col(Attachment.message_id).in_([m.id for m in messages]),
                )
            )
        ).scalars():
            attachments.setdefault(attachment.message_id, []).append(
                AttachmentPublic(
                    id=attachment.id,
                    filename=attachment.filename,
                    content_type=attachment.content_type,
                    size=attachment.size,
                    too_large=attachment.too_large,
                )
            )
    promise = None
    if thread.promise_date is not None or thread.promise_amount is not None:
        recorded = await latest_promise(session, thread=thread)
        promise = Promise(
            date=thread.promise_date,
            amount=(
                format_money(thread.promise_amount, thread.promise_currency or "USD")
                if thread.promise_amount is not None
                else None
            ),
            currency=thread.promise_currency,
            status=recorded.status if recorded else None,
            reminders_paused_until=recorded.grace_until if recorded else None,
        )
    return ThreadDetail(
        **_item(thread, customer).model_dump(),
        subject=thread.subject,
        channel=thread.channel,
        intent_confidence=thread.intent_confidence,
        opt_out=thread.opt_out,
        invoices=list(thread.invoice_numbers),
        promise=promise,
        first_response_due_at=thread.first_response_due_at,
        resolution_due_at=thread.resolution_due_at,
        first_responded_at=thread.first_responded_at,
        escalation=thread.escalation,
        escalated_at=thread.escalated_at,
        disputed_at=thread.disputed_at,
        created_at=thread.created_at,
        events=[
            ThreadEventPublic(kind=e.kind, actor=e.actor, data=e.data, created_at=e.created_at)
            for e in events
        ],
        messages=[
            ThreadMessage(
                id=m.id,
                direction=m.direction,
                channel=m.channel,
                language=m.language,
                subject=m.subject,
                body=m.body,
                body_clean=m.body_clean,
                status=m.status,
                author=m.author,
                to=m.to_address,
                sender=m.from_address if m.direction == Direction.inbound else None,
                invoices=list(m.invoice_numbers),
                attachments=attachments.get(m.id, []),
                created_at=m.created_at,
                sms_segments=count_segments(m.body).segments if m.channel == "sms" else None,
            )
            for m in messages
        ],
    )


async def add_note(session: AsyncSession, *, thread: Thread, body: str, actor: str) -> Message:
    """An internal note: kept on the thread, never sent, never shown to the customer."""
    note = Message(
        tenant_id=thread.tenant_id,
        thread_id=thread.id,
        customer_id=thread.customer_id,
        direction=Direction.note,
        channel="note",
        body=body,
        status=MessageStatus.processed,
        author=actor,
    )
    session.add(note)
    await threads.record_event(session, thread=thread, kind="note_added", actor=actor)
    return note


async def update_thread(
    session: AsyncSession, *, thread: Thread, changes: ThreadUpdate, actor: str
) -> Thread:
    """Apply the changes a person asked for, logging each one with its old and new value."""
    fields = changes.model_dump(exclude_unset=True)
    was_under_review = thread.needs_review
    if "reason" in fields and fields["reason"] is not None:
        intent = fields.get("intent", thread.intent)
        if intent != "dispute":
            raise Unprocessable("reason: only a dispute has a reason")
    for name, value in fields.items():
        old = getattr(thread, name)
        if old == value:
            continue
        setattr(thread, name, value)
        await threads.record_event(
            session,
            thread=thread,
            kind=f"{name}_changed",
            actor=actor,
            data={"from": old, "to": value, "by": "person"},
        )
    if fields.get("intent") not in (None, "dispute") and "reason" not in fields:
        thread.reason = None
    thread.needs_review = False if fields else thread.needs_review
    thread.updated_at = utcnow()
    await session.flush()
    await after_person_change(
        session, thread=thread, fields=fields, was_under_review=was_under_review, actor=actor
    )
    return thread


async def _last_inbound_channel(session: AsyncSession, *, thread: Thread) -> str | None:
    return cast(
        str | None,
        await session.scalar(
            select(col(Message.channel))
            .where(
                col(Message.tenant_id) == thread.tenant_id,
                col(Message.thread_id) == thread.id,
                col(Message.direction) == Direction.inbound,
            )
            .order_by(col(Message.created_at).desc())
            .limit(1)
        ),
    )


async def reply(
    session: AsyncSession,
    *,
    settings: Settings,
    renderer: Renderer,
    tenant: Tenant,
    thread: Thread,
    body: str,
    channel: str | None,
    actor: str,
) -> tuple[Message, tuple[str, ...]]:
    """Send an agent's words to the customer, on the channel they last wrote from (or the one
    asked for), wrapped in the customer's language. The text is data: never a template.

    Returns the queued message and the renderer's warnings for the agent (an SMS over the
    tenant's budget goes out whole, in more segments)."""
    if thread.customer_id is None:
        raise Conflict("attach this thread to a customer before replying")
    customer = await session.get(Customer, thread.customer_id)
    if customer is None or customer.tenant_id != tenant.id:
        raise Conflict("the thread's customer is gone")
    chosen = channel or await _last_inbound_channel(session, thread=thread) or thread.channel
    chosen = chosen or ("email" if customer.email else "sms" if customer.phone else "portal")
    address = {"email": customer.email, "sms": customer.phone, "portal": None}.get(chosen)
    if chosen in ("email", "sms") and not address:
        raise Unprocessable(f"channel: the customer has no {chosen} address")
    require_sender(tenant, channel=chosen)
    context = build_context(
        settings=settings,
        tenant=tenant,
        customer=customer,
        invoices=await open_invoices(session, tenant_id=tenant.id, customer_id=customer.id),
        language=customer.language or thread.language,
        reference=thread.reference,
        body=body,
    )
    rendered = renderer.render("agent_reply", channel=cast(Channel, chosen), context=context)
    if rendered.sms is not None and rendered.sms.segments > MAX_SMS_SEGMENTS:
        # Past ten segments (Twilio's 1,600 characters) a text is refused by the provider;
        # the agent shortens it or writes by email instead. Never cut the agent's words.
        raise Unprocessable(
            f"body: this reply takes {rendered.sms.segments} SMS segments and an SMS carries "
            f"at most {MAX_SMS_SEGMENTS}; shorten it or reply by email"
        )
    message = await outreach.queue_message(
        session,
        settings=settings,
        tenant=tenant,
        customer=customer,
        thread=thread,
        channel=cast(ChannelName, chosen),
        to=address,
        subject=rendered.subject,
        body=rendered.text,
        html=rendered.html,
        language=rendered.language,
        template="agent_reply",
    )
    message.author = actor
    now = utcnow()
    first = thread.first_responded_at is None
    if first:
        thread.first_responded_at = now
    if thread.status == ThreadStatus.open:
        thread.status = ThreadStatus.pending
    data: dict[str, Any] = {"channel": chosen, "message_id": str(message.id)}
    if first and thread.first_response_due_at is not None:
        data["first_response"] = True
        data["within_sla"] = now <= thread.first_response_due_at
    await threads.record_event(session, thread=thread, kind="replied", actor=actor, data=data)
    return message, rendered.warnings
