"""Builders for disputes tests: a customer with invoices, the reminder we sent them, their reply
through a real webhook and the processing job, and reads of what came of it."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from email.utils import make_msgid

import httpx
from sqlalchemy import select
from sqlmodel import col

from service import security
from service.db import Database
from service.disputes.acknowledgements import ANSWER_TEMPLATES
from service.inbound.models import InboundPayload
from service.ledger.models import Customer, Invoice
from service.runtime import Runtime
from service.tenancy.models import Tenant
from service.threads.models import Direction, Message, MessageStatus, Thread, ThreadEvent
from service.threads.service import open_thread
from tests.inbound.builders import (
    build_email,
    make_inbound_tenant,
    post_mime,
    post_sms,
    sms_params,
    unique_email,
    unique_number,
)
from tests.tenancy.builders import TenantHandle
from workers.inbound import process_inbound


async def make_desk_tenant(database: Database, *, name: str = "Brightwater") -> TenantHandle:
    """A tenant with its own number and address, and the postal address email must carry."""
    handle = await make_inbound_tenant(database, name=name)
    async with database.transaction() as session:
        tenant = await session.get(Tenant, handle.tenant.id)
        if tenant is None:
            raise LookupError("tenant vanished")
        tenant.postal_address = "100 Harbor Way, Oakland CA 94607"
    return TenantHandle(tenant=tenant, api_key=handle.api_key)


@dataclass(frozen=True)
class Account:
    customer: Customer
    invoices: list[Invoice]

    @property
    def numbers(self) -> list[str]:
        return [invoice.number for invoice in self.invoices]


async def make_account(
    database: Database,
    tenant: TenantHandle,
    *,
    language: str | None = "en",
    timezone: str | None = None,
    locale: str | None = None,
    tags: tuple[str, ...] = (),
    balances: tuple[str, ...] = ("120.00", "340.50"),
    currency: str = "USD",
) -> Account:
    """A customer with an email address, a phone number and open invoices past due."""
    tag = secrets.token_hex(3).upper()
    today = date.today()
    async with database.transaction() as session:
        customer = Customer(
            tenant_id=tenant.tenant.id,
            external_id=f"C-{tag}",
            name="Acme Supply LLC" if language != "es" else "Ferretería Hernández",
            email=unique_email(),
            phone=unique_number(),
            language=language,
            timezone=timezone,
            locale=locale,
            tags=list(tags),
        )
        session.add(customer)
        await session.flush()
        invoices = [
            Invoice(
                tenant_id=tenant.tenant.id,
                customer_id=customer.id,
                number=f"INV-{tag}{index}",
                currency=currency,
                amount=Decimal(balance),
                balance=Decimal(balance),
                issued_on=today - timedelta(days=60),
                due_on=today - timedelta(days=20 + index),
            )
            for index, balance in enumerate(balances, start=1)
        ]
        session.add_all(invoices)
    return Account(customer=customer, invoices=invoices)


@dataclass(frozen=True)
class Reminder:
    thread: Thread
    outbound: Message


async def send_reminder(
    database: Database,
    tenant: TenantHandle,
    account: Account,
    *,
    channel: str = "email",
    numbers: list[str] | None = None,
) -> Reminder:
    """A thread holding one reminder we sent about ``numbers`` (default: all invoices)."""
    carried = account.numbers if numbers is None else numbers
    customer = account.customer
    async with database.transaction() as session:
        thread = await open_thread(
            session,
            tenant_id=tenant.tenant.id,
            customer_id=customer.id,
            subject="Payment reminder",
            channel=channel,
            language=customer.language,
            invoice_numbers=carried,
            why="reminder",
        )
        outbound = Message(
            tenant_id=tenant.tenant.id,
            thread_id=thread.id,
            customer_id=customer.id,
            direction=Direction.outbound,
            channel=channel,
            to_address=customer.email if channel == "email" else customer.phone,
            subject="Payment reminder" if channel == "email" else None,
            body="Your invoices are past due.",
            email_message_id=make_msgid(domain="cobro.test") if channel == "email" else None,
            invoice_numbers=carried,
            status=MessageStatus.sent,
        )
        session.add(outbound)
    return Reminder(thread=thread, outbound=outbound)


async def drain(runtime: Runtime) -> list[dict[str, str | None]]:
    """Run the processing job on every stored payload still waiting, oldest first."""
    async with runtime.database.transaction() as session:
        waiting = list(
            (
                await session.execute(
                    select(col(InboundPayload.id))
                    .where(col(InboundPayload.processed_at).is_(None))
                    .order_by(col(InboundPayload.received_at))
                )
            ).scalars()
        )
    return [await process_inbound({"runtime": runtime}, str(item)) for item in waiting]


async def email_reply(
    webhooks: httpx.AsyncClient,
    runtime: Runtime,
    account: Account,
    reminder: Reminder | None,
    body: str,
    *,
    subject: str = "Re: Payment reminder",
    headers: dict[str, str] | None = None,
    to: str | None = None,
) -> uuid.UUID:
    """The customer answers the reminder by email; returns the thread it landed in."""
    settings = runtime.settings
    address = to or (
        security.reply_address(
            settings.resolved_secret_key(), reminder.thread.id, settings.inbound_domain
        )
        if reminder
        else "ar@unknown.example"
    )
    raw = build_email(
        sender=account.customer.email or "",
        to=address,
        body=body,
        subject=subject,
        in_reply_to=reminder.outbound.email_message_id if reminder else None,
        headers=headers,
    )
    response = await post_mime(webhooks, raw)
    assert response.status_code == 200, response.text
    outcome = (await drain(runtime))[-1]
    assert outcome["thread_id"], outcome
    return uuid.UUID(outcome["thread_id"])


async def sms_reply(
    webhooks: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle, account: Account, body: str
) -> uuid.UUID:
    params = sms_params(
        sender=account.customer.phone or "", to=tenant.tenant.sms_from or "", body=body
    )
    response = await post_sms(webhooks, params)
    assert response.status_code == 200, response.text
    outcome = (await drain(runtime))[-1]
    assert outcome["thread_id"], outcome
    return uuid.UUID(outcome["thread_id"])


async def thread_of(database: Database, thread_id: uuid.UUID) -> Thread:
    async with database.transaction() as session:
        thread = await session.get(Thread, thread_id)
    if thread is None:
        raise LookupError(thread_id)
    return thread


async def events_of(database: Database, thread_id: uuid.UUID) -> list[ThreadEvent]:
    async with database.transaction() as session:
        result = await session.execute(
            select(ThreadEvent)
            .where(col(ThreadEvent.thread_id) == thread_id)
            .order_by(col(ThreadEvent.created_at), col(ThreadEvent.id))
        )
        return list(result.scalars())


def kinds(events: list[ThreadEvent]) -> list[str]:
    return [event.kind for event in events]


def event(events: list[ThreadEvent], kind: str) -> dict[str, object]:
    found = [e for e in events if e.kind == kind]
    assert found, f"no {kind} event in {kinds(events)}"
    return found[-1].data


async def answers_of(database: Database, thread_id: uuid.UUID) -> list[Message]:
    """The automatic answers to replies Cobro queued in the thread (consent confirmations and
    the builder's reminder left out)."""
    async with database.transaction() as session:
        result = await session.execute(
            select(Message)
            .where(
                col(Message.thread_id) == thread_id,
                col(Message.direction) == Direction.outbound,
                col(Message.template).in_(ANSWER_TEMPLATES),
            )
            .order_by(col(Message.created_at))
        )
        return list(result.scalars())


async def invoices_of(database: Database, account: Account) -> dict[str, Invoice]:
    async with database.transaction() as session:
        result = await session.execute(
            select(Invoice).where(col(Invoice.customer_id) == account.customer.id)
        )
        return {invoice.number: invoice for invoice in result.scalars()}


async def customer_of(database: Database, account: Account) -> Customer:
    async with database.transaction() as session:
        customer = await session.get(Customer, account.customer.id)
    if customer is None:
        raise LookupError(account.customer.id)
    return customer
