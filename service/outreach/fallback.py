"""Fallbacks: when a message fails, bounces or is undelivered, the next channel of its step.

The fallback is the same reminder made for its own channel: the step's template rendered
again for that channel (an SMS gets the SMS text, within its segment budget, not the email's
body), with the invoices still owed, and sent within the customer's contact window (a
fallback decided at night waits for the morning, in the customer's time zone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from channels.base import ChannelName
from service.campaigns.defaults import merge, rules_for, tenant_overrides
from service.campaigns.models import Campaign, CampaignRun
from service.campaigns.schemas import Rules
from service.campaigns.windows import next_send_time
from service.config import Settings
from service.consent.service import normalize_address
from service.ledger.models import Customer, Invoice, InvoiceStatus
from service.outreach.service import (
    CHANNELS,
    email_headers,
    request_send,
    sender_for,
    unsubscribe_url,
)
from service.outreach.suppression import AddressKey, blocked_addresses
from service.rendering import RenderedMessage, TemplateMissing
from service.templating.service import TemplateCatalog, build_context
from service.tenancy.models import Tenant
from service.threads.models import Direction, Message, MessageStatus, Thread
from service.threads.service import record_event
from service.types import utcnow

_UNPLANNED = {"send_on_weekends": True}


@dataclass(frozen=True, slots=True)
class _Target:
    channel: ChannelName
    address: str | None
    remaining: tuple[ChannelName, ...]


async def queue_fallback(
    session: AsyncSession,
    *,
    settings: Settings,
    templates: TemplateCatalog,
    failed: Message,
    why: str,
) -> Message | None:
    """Queue the next channel's message for ``failed``, if its step has one.

    The new row joins the same thread and run and carries the remaining fallbacks. Channels
    the customer has no address for, or has opted out of, are passed over. At most one
    fallback is written per message (its dedupe key), however many reports say it failed.
    No fallback is written when the invoices it was about are no longer owed, or when its
    template cannot be rendered for the channel (the thread's log says why).
    """
    if failed.customer_id is None or not failed.fallback_channels:
        return None
    dedupe_key = f"fallback:{failed.id}"
    exists = await session.execute(
        select(col(Message.id)).where(
            col(Message.tenant_id) == failed.tenant_id, col(Message.dedupe_key) == dedupe_key
        )
    )
    if exists.first() is not None:
        return None
    customer = await session.get(Customer, failed.customer_id)
    tenant = await session.get(Tenant, failed.tenant_id)
    thread = await session.get(Thread, failed.thread_id) if failed.thread_id else None
    if customer is None or tenant is None or thread is None or customer.tenant_id != tenant.id:
        return None
    target = await _next_reachable(
        session, customer, [_channel(c) for c in failed.fallback_channels]
    )
    if target is None:
        return None
    now = utcnow()
    invoices = await _still_owed(session, failed=failed, customer=customer)
    if failed.invoice_numbers and not invoices:
        await _skipped(session, thread, failed, target, "the invoices are no longer owed")
        return None
    rules = await _rules_of(session, failed)
    try:
        rendered = await _render(
            session,
            settings=settings,
            templates=templates,
            tenant=tenant,
            customer=customer,
            failed=failed,
            target=target,
            invoices=invoices,
            rules=rules,
            now=now,
        )
    except TemplateMissing as exc:
        await _skipped(session, thread, failed, target, f"no template for {target.channel}: {exc}")
        return None
    zone = customer.timezone or tenant.timezone
    opens = next_send_time(now, zone=zone, rules=rules)
    headers: dict[str, str] = {}
    if target.channel == "email" and target.address:
        headers = email_headers(
            settings=settings, tenant_id=tenant.id, thread_id=thread.id, to=target.address
        )
    message = Message(
        tenant_id=failed.tenant_id,
        thread_id=failed.thread_id,
        customer_id=failed.customer_id,
        run_id=failed.run_id,
        direction=Direction.outbound,
        channel=target.channel,
        language=rendered.language if not rendered.bilingual else None,
        template=failed.template,
        step=failed.step,
        to_address=target.address,
        from_address=sender_for(tenant, target.channel),
        subject=rendered.subject,
        body=rendered.text,
        body_html=rendered.html,
        headers=headers,
        invoice_numbers=[invoice.number for invoice in invoices] or list(failed.invoice_numbers),
        status=MessageStatus.queued,
        dedupe_key=dedupe_key,
        fallback_channels=list(target.remaining),
        email_message_id=headers.get("Message-ID"),
        send_after=opens if opens > now else None,
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    await session.flush()
    await record_event(
        session,
        thread=thread,
        kind="fallback",
        data={
            "from_message": str(failed.id),
            "from_channel": failed.channel,
            "to_message": str(message.id),
            "to_channel": target.channel,
            "send_after": message.send_after.isoformat() if message.send_after else None,
            "why": why[:300],
        },
    )
    request_send(session, run_id=failed.run_id, message_id=message.id)
    return message


async def _render(
    session: AsyncSession,
    *,
    settings: Settings,
    templates: TemplateCatalog,
    tenant: Tenant,
    customer: Customer,
    failed: Message,
    target: _Target,
    invoices: Sequence[Invoice],
    rules: Rules,
    now: datetime,
) -> RenderedMessage:
    if not failed.template:
        raise TemplateMissing("the failed message names no template")
    opt_out_url = None
    if target.channel == "email" and target.address:
        opt_out_url = unsubscribe_url(settings, tenant_id=tenant.id, address=target.address)
    context = build_context(
        settings=settings,
        tenant=tenant,
        customer=customer,
        invoices=invoices,
        now=now,
        language=failed.language,
        opt_out_url=opt_out_url,
        referral=rules.referral,
    )
    renderer = await templates.for_tenant(session, tenant_id=tenant.id)
    return renderer.render(failed.template, channel=target.channel, context=context)


async def _rules_of(session: AsyncSession, failed: Message) -> Rules:
    """The contact rules in force for the campaign that planned ``failed`` (its own over the
    tenant's). A message no campaign planned keeps to the tenant's hours (Regulation F's
    8 a.m. to 9 p.m. by default) but not to working days: it answers something happening
    now."""
    campaign = None
    if failed.run_id is not None:
        campaign = (
            await session.execute(
                select(Campaign)
                .join(CampaignRun, col(CampaignRun.campaign_id) == col(Campaign.id))
                .where(
                    col(CampaignRun.id) == failed.run_id,
                    col(Campaign.tenant_id) == failed.tenant_id,
                )
            )
        ).scalar_one_or_none()
    if campaign is not None:
        return await rules_for(session, campaign=campaign)
    tenant = await tenant_overrides(session, tenant_id=failed.tenant_id)
    return merge(_UNPLANNED, tenant)


async def _still_owed(
    session: AsyncSession, *, failed: Message, customer: Customer
) -> list[Invoice]:
    if not failed.invoice_numbers:
        return []
    rows = await session.execute(
        select(Invoice).where(
            col(Invoice.tenant_id) == failed.tenant_id,
            col(Invoice.customer_id) == customer.id,
            col(Invoice.number).in_(list(failed.invoice_numbers)),
            col(Invoice.status) == InvoiceStatus.open,
            col(Invoice.balance) > 0,
            col(Invoice.disputed).is_(False),
        )
    )
    return list(rows.scalars())


async def _skipped(
    session: AsyncSession, thread: Thread, failed: Message, target: _Target, why: str
) -> None:
    await record_event(
        session,
        thread=thread,
        kind="fallback_skipped",
        data={"from_message": str(failed.id), "to_channel": target.channel, "why": why[:300]},
    )


def _channel(value: str) -> ChannelName:
    for channel in CHANNELS:
        if channel == value:
            return channel
    raise ValueError(f"unknown channel {value!r}")


async def _next_reachable(
    session: AsyncSession, customer: Customer, channels: list[ChannelName]
) -> _Target | None:
    addresses: dict[ChannelName, str | None] = {
        "email": normalize_address(channel="email", address=customer.email)
        if customer.email
        else None,
        "sms": normalize_address(channel="sms", address=customer.phone) if customer.phone else None,
        "portal": None,
    }
    blocked = await blocked_addresses(
        session,
        keys=[
            AddressKey(customer.tenant_id, channel, address)
            for channel, address in addresses.items()
            if address
        ],
    )
    for index, channel in enumerate(channels):
        address = addresses[channel]
        if channel == "portal":
            return _Target(channel, None, tuple(channels[index + 1 :]))
        if address and AddressKey(customer.tenant_id, channel, address) not in blocked:
            return _Target(channel, address, tuple(channels[index + 1 :]))
    return None
