"""From plan to outbox: the send-time checks, rendering, and hand-over to the senders.

A planned reminder is checked again when its send window opens (an invoice may have been paid,
disputed or promised since planning, the customer may have opted out, the window may have
closed again, another campaign may have reached the customer), rendered in the customer's
language with the invoices still owed, attached to the customer's conversation, and queued for
the outbound workers.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.campaigns.contacts import histories
from service.campaigns.conversations import conversation_for
from service.campaigns.eligibility import under_promise
from service.campaigns.models import Campaign, CampaignRun, ReminderLog
from service.campaigns.schemas import Rules, Step
from service.campaigns.windows import next_send_time
from service.config import Settings
from service.consent.models import ConsentRecord
from service.consent.service import normalize_address
from service.ledger.models import Customer, CustomerStatus, Invoice, InvoiceStatus
from service.outreach import service as outreach
from service.rendering import Channel, Renderer, SenderIncomplete, TemplateMissing
from service.templating.service import build_context, customer_today
from service.tenancy.models import Tenant
from service.threads.models import Message, MessageStatus
from service.types import utcnow


@dataclass(frozen=True)
class Dispatched:
    queued: int
    skipped: int
    postponed: int
    remaining: bool


def _invoice_reason(invoice: Invoice, today: date) -> str | None:
    """Why an invoice listed at planning is no longer to be reminded of, if it is not."""
    if invoice.status == InvoiceStatus.written_off:
        return "written_off"
    if invoice.status != InvoiceStatus.open or invoice.balance <= 0:
        return "paid"
    if invoice.disputed:
        return "in_dispute"
    if under_promise(invoice.promised_until, today):
        return "promise_to_pay"
    return None


# When nothing listed is owed any more, the message is skipped with the reason that still asks
# something of someone first (a dispute to settle, a promise to watch), then the settled ones.
_NOTHING_OWED = ("in_dispute", "promise_to_pay", "written_off", "paid")


def _nothing_owed(invoices: Sequence[Invoice], today: date) -> str:
    reasons = {_invoice_reason(invoice, today) for invoice in invoices}
    return next((reason for reason in _NOTHING_OWED if reason in reasons), "invoice_missing")


async def _opted_out(
    session: AsyncSession, *, tenant_id: uuid.UUID, pairs: set[tuple[str, str]]
) -> set[tuple[str, str]]:
    """The (channel, address) pairs among ``pairs`` whose address has opted out, compared in the
    one form consent records are stored in."""
    if not pairs:
        return set()
    normal = {pair: normalize_address(channel=pair[0], address=pair[1]) for pair in pairs}
    rows = await session.execute(
        select(col(ConsentRecord.channel), col(ConsentRecord.address)).where(
            col(ConsentRecord.tenant_id) == tenant_id,
            col(ConsentRecord.opted_out).is_(True),
            col(ConsentRecord.address).in_(set(normal.values())),
        )
    )
    blocked = {(str(channel), str(address)) for channel, address in rows}
    return {pair for pair, address in normal.items() if (pair[0], address) in blocked}


async def _customers(
    session: AsyncSession, *, tenant_id: uuid.UUID, ids: set[uuid.UUID]
) -> dict[uuid.UUID, Customer]:
    query = (
        select(Customer)
        .where(col(Customer.tenant_id) == tenant_id, col(Customer.id).in_(ids))
        .order_by(col(Customer.id))
    )
    if session.get_bind().dialect.name == "postgresql":
        # Two runs dispatching to one customer at once take turns, so that the second sees the
        # first one's contact when it checks the gap and the cap.
        query = query.with_for_update(of=Customer)
    return {customer.id: customer for customer in (await session.execute(query)).scalars()}


async def dispatch_due(
    session: AsyncSession,
    *,
    settings: Settings,
    renderer: Renderer,
    tenant: Tenant,
    campaign: Campaign,
    rules: Rules,
    run: CampaignRun,
    now: datetime | None = None,
    limit: int = 500,
) -> Dispatched:
    """Check, render and queue up to `limit` of the run's planned messages whose time has come.

    At send time, in this order: a message whose customer is no longer active or opted out of
    its channel, or whose invoices were all paid, disputed or promised since planning, is
    skipped with that reason; one outside the customer's contact window (a run resumed late at
    night) waits for the next window; one too close to another contact, or past the week's cap,
    is skipped. `rules` are the rules in force for the campaign (defaults.rules_for).
    """
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
        return Dispatched(queued=0, skipped=0, postponed=0, remaining=False)
    steps = {step["name"]: Step.model_validate(step) for step in campaign.steps}
    customer_ids = {m.customer_id for m in messages if m.customer_id is not None}
    customers = await _customers(session, tenant_id=tenant.id, ids=customer_ids)
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
    history = await histories(
        session, tenant_id=tenant.id, customer_ids=customer_ids, run_id=run.id, rules=rules,
        now=moment,
    )  # fmt: skip
    queued = postponed = 0
    released: list[tuple[Message, list[Invoice]]] = []
    for message in messages:
        customer = customers.get(message.customer_id) if message.customer_id else None
        listed = [
            invoice
            for invoice in (invoices.get(customer.id, []) if customer else [])
            if invoice.number in message.invoice_numbers
        ]
        today = customer_today(customer, tenant, now=moment) if customer else moment.date()
        owed = [invoice for invoice in listed if _invoice_reason(invoice, today) is None]
        reason = _send_time_reason(message, customer, blocked)
        if reason is None and not owed:
            reason = _nothing_owed(listed, today)
        step = steps.get(message.step or "")
        if reason is None and step is None:
            reason = "step_removed"
        if reason is None and customer is not None:
            opens = next_send_time(moment, zone=customer.timezone or tenant.timezone, rules=rules)
            if opens > moment:
                message.send_after = opens
                message.updated_at = moment
                postponed += 1
                continue
            reason = history[customer.id].reason_at(moment, rules)
        if reason is None and customer is not None and step is not None:
            reason = await _render_into(
                session, message=message, settings=settings, renderer=renderer, tenant=tenant,
                customer=customer, invoices=owed, step=step, rules=rules, now=moment,
            )  # fmt: skip
            if reason is None:
                queued += 1
                continue
        message.status = MessageStatus.skipped
        message.skip_reason = reason or "customer_missing"
        message.updated_at = moment
        released.append((message, listed))
    await _release_reminders(session, campaign_id=campaign.id, skipped=released)
    if queued:
        outreach.request_send(session, run_id=run.id)
    await session.flush()
    return Dispatched(
        queued=queued, skipped=len(released), postponed=postponed,
        remaining=len(messages) == limit,
    )  # fmt: skip


async def _release_reminders(
    session: AsyncSession, *, campaign_id: uuid.UUID, skipped: list[tuple[Message, list[Invoice]]]
) -> None:
    """A reminder skipped at send time did not remind its invoices: forget that it was planned,
    so a later run of the campaign may remind them (once their dispute is settled, say)."""
    invoice_ids = {invoice.id for _message, listed in skipped for invoice in listed}
    if not invoice_ids:
        return
    await session.execute(
        delete(ReminderLog).where(
            col(ReminderLog.campaign_id) == campaign_id,
            col(ReminderLog.invoice_id).in_(invoice_ids),
            col(ReminderLog.message_id).in_({message.id for message, _listed in skipped}),
        )
    )


def _send_time_reason(
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
) -> str | None:
    """Render and queue the message; or the reason it cannot go out."""
    opt_out_url = None
    if message.channel == "email" and message.to_address:
        opt_out_url = outreach.unsubscribe_url(
            settings, tenant_id=tenant.id, address=message.to_address
        )
    context = build_context(
        settings=settings,
        tenant=tenant,
        customer=customer,
        invoices=invoices,
        now=now,
        opt_out_url=opt_out_url,
        referral=rules.referral,
    )
    try:
        rendered = renderer.render(
            step.template, channel=cast(Channel, message.channel), context=context
        )
    except SenderIncomplete:
        # The tenant's sender details are missing (an email must carry a postal address): the
        # reason shows on the run, where the lead sees it, instead of stopping every batch.
        return "sender_incomplete"
    except TemplateMissing:
        return "template_missing"
    thread = await conversation_for(
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
    return None
