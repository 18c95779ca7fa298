"""Builders for outreach tests: customers, threads and queued messages, written directly."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from channels.base import ChannelName
from service.config import Settings
from service.db import Database
from service.ledger.models import Customer
from service.outreach.service import queue_message
from service.tenancy.models import Tenant
from service.threads.models import Message, Thread
from service.threads.service import open_thread


@dataclass(frozen=True)
class Debtor:
    customer: Customer
    thread: Thread


async def make_debtor(
    database: Database,
    tenant: Tenant,
    *,
    email: str | None = "ana@example.com",
    phone: str | None = "+15005550009",
    language: str = "en",
) -> Debtor:
    async with database.transaction() as session:
        customer = Customer(
            tenant_id=tenant.id,
            external_id=f"C-{uuid.uuid4().hex[:10]}",
            name="Ana Pérez",
            language=language,
            email=email,
            phone=phone,
        )
        session.add(customer)
        await session.flush()
        thread = await open_thread(
            session,
            tenant_id=tenant.id,
            customer_id=customer.id,
            subject="Invoice INV-7 is past due",
            why="reminder",
        )
    return Debtor(customer=customer, thread=thread)


async def queue(
    database: Database,
    settings: Settings,
    tenant: Tenant,
    debtor: Debtor,
    *,
    channel: ChannelName = "email",
    to: str | None = None,
    fallback: Sequence[ChannelName] = (),
    run_id: uuid.UUID | None = None,
    body: str = "Hello Ana, invoice INV-7 for $120.00 is past due.",
) -> Message:
    default_to = {"email": debtor.customer.email, "sms": debtor.customer.phone, "portal": None}
    async with database.transaction() as session:
        return await queue_message(
            session,
            settings=settings,
            tenant=tenant,
            customer=debtor.customer,
            thread=debtor.thread,
            channel=channel,
            to=to if to is not None else default_to[channel],
            subject="Invoice INV-7 is past due" if channel == "email" else None,
            body=body,
            html="<p>Hello Ana</p>" if channel == "email" else None,
            language="en",
            template="reminder_friendly",
            invoice_numbers=["INV-7"],
            fallback_channels=fallback,
            run_id=run_id,
        )


async def reload(database: Database, message_id: uuid.UUID) -> Message:
    async with database.transaction() as session:
        found = await session.get(Message, message_id)
    if found is None:
        raise LookupError(message_id)
    return found
