"""Builders for outreach tests: customers with an open invoice, threads and queued messages,
written directly."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from channels.base import ChannelName
from service.config import Settings
from service.db import Database
from service.ledger.models import Customer, Invoice
from service.outreach.service import queue_message
from service.tenancy.models import Tenant
from service.threads.models import Message, Thread
from service.threads.service import open_thread
from service.types import utcnow


def zone_at_hour(hour: int) -> str:
    """A fixed-offset zone where the local time is now within ``hour`` o'clock, so that tests
    of contact windows do not depend on when they run."""
    offset = hour - utcnow().hour  # local = UTC + offset
    if offset < -12:
        offset += 24
    elif offset > 14:
        offset -= 24
    # The Etc zones count the other way round: Etc/GMT-5 is five hours ahead of UTC.
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


@dataclass(frozen=True)
class Debtor:
    customer: Customer
    thread: Thread
    invoice: str  # the number of its open invoice, 30 days past due


async def make_debtor(
    database: Database,
    tenant: Tenant,
    *,
    email: str | None = "ana@example.com",
    phone: str | None = "+15005550009",
    language: str = "en",
    timezone: str | None = None,
) -> Debtor:
    """A customer (by default in a zone where it is midday now) with one open invoice."""
    number = f"INV-{uuid.uuid4().hex[:8].upper()}"
    today = utcnow().date()
    async with database.transaction() as session:
        customer = Customer(
            tenant_id=tenant.id,
            external_id=f"C-{uuid.uuid4().hex[:10]}",
            name="Ana Pérez",
            language=language,
            email=email,
            phone=phone,
            timezone=timezone or zone_at_hour(12),
        )
        session.add(customer)
        await session.flush()
        session.add(
            Invoice(
                tenant_id=tenant.id,
                customer_id=customer.id,
                number=number,
                currency="USD",
                amount=Decimal("120.00"),
                balance=Decimal("120.00"),
                issued_on=today - timedelta(days=60),
                due_on=today - timedelta(days=30),
            )
        )
        thread = await open_thread(
            session,
            tenant_id=tenant.id,
            customer_id=customer.id,
            subject="Invoice INV-7 is past due",
            why="reminder",
        )
    return Debtor(customer=customer, thread=thread, invoice=number)


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
            invoice_numbers=[debtor.invoice],
            fallback_channels=fallback,
            run_id=run_id,
        )


async def reload(database: Database, message_id: uuid.UUID) -> Message:
    async with database.transaction() as session:
        found = await session.get(Message, message_id)
    if found is None:
        raise LookupError(message_id)
    return found
