"""From plan to outbox: the send-time checks, rendering, and hand-over to the senders.

A planned reminder is checked again when its send window opens (an invoice may have been paid,
disputed or promised since planning, the customer may have opted out), rendered in the
customer's language with the invoices still owed, attached to the customer's conversation, and
queued for the outbound workers.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.campaigns.models import Campaign, CampaignRun
from service.campaigns.schemas import Rules, Step
from service.config import Settings
from service.consent.models import ConsentRecord
from service.ledger.models import Customer, CustomerStatus, Invoice, InvoiceStatus
from service.outreach import service as outreach
from service.rendering import Channel, Renderer
from service.templating.service import build_context, customer_today
from service.tenancy.models import Tenant
from service.threads import service as threads
from service.threads.models import Message, MessageStatus, Thread, ThreadStatus
from service.types import utcnow


@dataclass(frozen=True)
class Dispatched:
    queued: int
    skipped: int
    remaining: bool


def _skip_reason_for(invoices: Sequence[Invoice], today: object) -> str:
    if any(invoice.disputed for invoice in invoices):
        return "in_dispute"
    if any(invoice.promised_until is not None for invoice in invoices):
        return "promise_to_pay"
    return "paid"


def _still_owed(invoice: Invoice, today: object) -> bool:
    return (
        invoice.status == InvoiceStatus.open
        and invoice.balance > 0
        and not invoice.disputed
        and (invoice.promised_until is None or invoice.promised_until < today)  # type: ignore[operator]
    )


async def _opted_out(
    session: AsyncSession, *, tenant_id: uuid.UUID, pairs: set[tuple[str, str]]
) -> set[tuple[str, str]]:
    if not pairs:
        return set()
    addresses = {address for _channel, address in pairs}
    rows = await session.execute(
        select(col(ConsentRecord.channel), col(ConsentRecord.address)).where(
            col(ConsentRecord.tenant_id) == tenant_id,
            col(ConsentRecord.opted_out).is_(True),
            col(ConsentRecord.address).in_(addresses),
        )
    )
    return {(str(channel), str(address)) for channel, address in rows} & pairs


async def _conversation(
    session: AsyncSession, *, tenant: Tenant, customer: Customer, step: Step, subject: str | None
) -> Thread:
    thread = await threads.latest_open_thread(session, tenant_id=tenant.id, customer_id=customer.id)
    if thread is None:
        thread = await threads.open_thread(
            session,
            tenant_id=tenant.id,
            customer_id=customer.id,
            subject=subject,
            language=customer.language,
            why=f"reminder step {step.name}",
        )
        # A reminder thread waits for the customer; no team works it until they answer.
        thread.status = ThreadStatus.pending
    if step.opens_thread and thread.team is None:
        thread.team = "collections"
        thread.status = ThreadStatus.open
        await threads.record_event(
            session,
            thread=thread,
            kind="routed",
            data={"team": "collections", "rule": f"campaign step {step.name} opens a thread"},
        )
    return thread


async def dispatch_due(
    session: AsyncSession,
    *,
    settings: Settings,
    renderer: Renderer,
    tenant: Tenant,
    campaign: Campaign,
    run: CampaignRun,
    now: datetime | None = None,
    limit: int = 500,
) -> Dispatched:
    """Check, render and queue up to `limit` of the run's planned messages whose time has come."""
    moment = now or utcnow()
    due = select(Message).where(
        col(Message.tenant_id) == tenant.id,
        col(Message.run_id) == run.id,
        col(Message.status) == MessageStatus.planned,
        or_(col(Message.send_after).is_(None), col(Message.send_after) <= moment),
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    messages = list((await session.execute(due.limit(limit))).scalars())
    if not messages:
        return Dispatched(queued=0, skipped=0, remaining=False)
    steps = {step["name"]: Step.model_validate(step) for step in campaign.steps}
    rules = Rules.model_validate(campaign.rules)
    customer_ids = {m.customer_id for m in messages if m.customer_id is not None}
    customers = {
        c.id: c
        for c in (
            await session.execute(
                select(Customer).where(
                    col(Customer.tenant_id) == tenant.id, col(Customer.id).in_(customer_ids)
                )
            )
        ).scalars()
    }
    invoices: dict[uuid.UUID, list[Invoice]] = defaultdict(list)
    numbers = {number for m in messages for number in m.invoice_numbers}
    for invoice in (
        await session.execute(
            select(Invoice).where(
                col(Invoice.tenant_id) == tenant.id,
                col(Invoice.customer_id).in_(customer_ids),
                col(Invoice.number).in_(numbers),
            )
        )
    ).scalars():
        invoices[invoice.customer_id].append(invoice)
    blocked = await _opted_out(
        session,
        tenant_id=tenant.id,
        pairs={(m.channel, m.to_address) for m in messages if m.to_address},
    )
    queued = skipped = 0
    for message in messages:
        customer = customers.get(message.customer_id) if message.customer_id else None
        reason = await _send_time_reason(message, customer, blocked)
        listed = [
            invoice
            for invoice in (invoices.get(customer.id, []) if customer else [])
            if invoice.number in message.invoice_numbers
        ]
        today = customer_today(customer, tenant, now=moment) if customer else moment.date()
        owed = [invoice for invoice in listed if _still_owed(invoice, today)]
        if reason is None and not owed:
            reason = _skip_reason_for(listed, today)
        if reason is not None or customer is None:
            message.status = MessageStatus.skipped
            message.skip_reason = reason or "customer_missing"
            message.updated_at = moment
            skipped += 1
            continue
        step = steps.get(message.step or "")
        if step is None:
            message.status = MessageStatus.skipped
            message.skip_reason = "step_removed"
            skipped += 1
            continue
        await _render_into(
            session, message=message, settings=settings, renderer=renderer, tenant=tenant,
            customer=customer, invoices=owed, step=step, rules=rules, now=moment,
        )  # fmt: skip
        queued += 1
    if queued:
        outreach.request_send(session, run_id=run.id)
    await session.flush()
    return Dispatched(queued=queued, skipped=skipped, remaining=len(messages) == limit)


async def _send_time_reason(
    message: Message, customer: Customer | None, blocked: set[tuple[str, str]]
) -> str | None:
    if customer is None:
        return "customer_missing"
    if customer.status != CustomerStatus.active:
        return str(customer.status)
    if message.to_address and (message.channel, message.to_address) in blocked:
        return "opted_out"
    return None


async def _render_into(
    session: AsyncSession,
    *,
    message: Message,
    settings: Settings,
    renderer: Renderer,
    tenant: Tenant,
    customer: Customer,
    invoices: list[Invoice],
    step: Step,
    rules: Rules,
    now: datetime,
) -> None:
    opt_out_url = None
    if message.channel == "email" and message.to_address:
        token = outreach.unsubscribe_token(
            secret=settings.resolved_secret_key(), tenant_id=tenant.id, address=message.to_address
        )
        opt_out_url = f"{settings.public_url}/unsubscribe/{token}"
    context = build_context(
        settings=settings,
        tenant=tenant,
        customer=customer,
        invoices=invoices,
        now=now,
        opt_out_url=opt_out_url,
        referral=rules.referral,
    )
    rendered = renderer.render(
        step.template, channel=cast(Channel, message.channel), context=context
    )
    thread = await _conversation(
        session, tenant=tenant, customer=customer, step=step, subject=rendered.subject
    )
    message.thread_id = thread.id
    message.subject = rendered.subject
    message.body = rendered.text
    message.body_html = rendered.html
    message.language = rendered.language if not rendered.bilingual else None
    message.invoice_numbers = [invoice.number for invoice in invoices]
    message.from_address = outreach.sender_for(tenant, message.channel)
    if message.channel == "email" and message.to_address:
        message.headers = outreach.email_headers(
            settings=settings, tenant_id=tenant.id, thread_id=thread.id, to=message.to_address
        )
        message.email_message_id = message.headers.get("Message-ID")
    message.status = MessageStatus.queued
    message.updated_at = now
    thread.last_message_at = now
