"""Finding the conversation a reply belongs to.

Email, in this order: the signed ``reply+token`` address among the recipients; In-Reply-To and
References matching one of our Message-IDs; the signed marker in the body; the sender's address,
to that customer's most recent open thread; else a new thread for that customer. SMS: the tenant
that owns the ``To`` number, then the customer with the ``From`` number. An unknown sender goes to
the tenant's unmatched queue (a thread without customer) for an agent to attach.

Replies of two customers are never merged: when a token, a Message-ID or a marker names a thread
of one customer but the sender is positively another customer of that tenant (a forwarded
reminder, a shared mailbox), the reply goes to the sender's own conversation instead. A sender
nobody knows (a colleague in the customer's accounts-payable team) may join the named thread.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service import security
from service.errors import Conflict, NotFound
from service.inbound.mime import ParsedEmail
from service.ledger import service as ledger
from service.ledger.models import Customer
from service.tenancy.models import Tenant
from service.threads.models import Direction, Message, Thread, ThreadStatus
from service.threads.service import get_thread, latest_open_thread, record_event


class RouteMethod(enum.StrEnum):
    reply_address = "reply_address"
    in_reply_to = "in_reply_to"
    body_marker = "body_marker"
    portal_thread = "portal_thread"
    bounce = "bounce"  # a delivery report, to the thread of the message it reports
    sender = "sender"
    new_thread = "new_thread"
    unmatched = "unmatched"
    ambiguous_tenant = "ambiguous_tenant"
    no_tenant = "no_tenant"


@dataclass(frozen=True)
class Route:
    """Where a reply goes.

    ``thread`` is the existing thread it joins, or None when a thread must be opened: for
    ``customer_id`` (method ``new_thread``), or unmatched in ``tenant_id`` (``unmatched``). With
    ``tenant_id`` None nobody can be told the reply's owner; it stays on its payload.
    """

    tenant_id: uuid.UUID | None
    thread: Thread | None
    customer_id: uuid.UUID | None
    method: RouteMethod
    detail: str | None = None


# --- Lookups ---------------------------------------------------------------------------------


async def customers_by_email(
    session: AsyncSession, *, address: str, tenant_id: uuid.UUID | None = None
) -> list[Customer]:
    """Customers with this email address (compared without case), in one tenant or in all."""
    query = select(Customer).where(func.lower(col(Customer.email)) == address.strip().lower())
    if tenant_id is not None:
        query = query.where(col(Customer.tenant_id) == tenant_id)
    return list((await session.execute(query.order_by(col(Customer.created_at)))).scalars())


async def customers_by_phone(
    session: AsyncSession, *, phone: str, tenant_id: uuid.UUID
) -> list[Customer]:
    result = await session.execute(
        select(Customer)
        .where(col(Customer.tenant_id) == tenant_id, col(Customer.phone) == phone.strip())
        .order_by(col(Customer.created_at))
    )
    return list(result.scalars())


async def _thread_by_id(session: AsyncSession, thread_id: uuid.UUID) -> Thread | None:
    # Signed tokens name a thread of any tenant; the thread tells which.
    return (
        await session.execute(select(Thread).where(col(Thread.id) == thread_id))
    ).scalar_one_or_none()


async def _thread_of_our_message(session: AsyncSession, ids: Sequence[str]) -> Thread | None:
    """The thread of the newest outbound message whose Message-ID is among ``ids``."""
    wanted = {value for raw in ids for value in (raw, raw.strip("<>"), f"<{raw.strip('<>')}>")}
    if not wanted:
        return None
    row = (
        await session.execute(
            select(Thread)
            .join(Message, col(Message.thread_id) == col(Thread.id))
            .where(
                col(Message.email_message_id).in_(sorted(wanted)),
                col(Message.direction) == Direction.outbound,
            )
            .order_by(col(Message.created_at).desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    return row


# --- Decisions -------------------------------------------------------------------------------


async def _by_customers(
    session: AsyncSession, *, tenant_id: uuid.UUID, customers: Sequence[Customer]
) -> Route:
    if len(customers) > 1:
        return Route(
            tenant_id=tenant_id,
            thread=None,
            customer_id=None,
            method=RouteMethod.unmatched,
            detail=f"the address belongs to {len(customers)} customers",
        )
    if not customers:
        return Route(
            tenant_id=tenant_id, thread=None, customer_id=None, method=RouteMethod.unmatched
        )
    customer = customers[0]
    thread = await latest_open_thread(session, tenant_id=tenant_id, customer_id=customer.id)
    if thread is None:
        return Route(
            tenant_id=tenant_id,
            thread=None,
            customer_id=customer.id,
            method=RouteMethod.new_thread,
        )
    return Route(
        tenant_id=tenant_id, thread=thread, customer_id=customer.id, method=RouteMethod.sender
    )


async def _join_unless_other_customer(
    session: AsyncSession,
    *,
    thread: Thread,
    method: RouteMethod,
    sender_customers: Sequence[Customer],
) -> Route:
    known = [customer for customer in sender_customers if customer.tenant_id == thread.tenant_id]
    ids = {customer.id for customer in known}
    if thread.customer_id is None or not ids or thread.customer_id in ids:
        return Route(
            tenant_id=thread.tenant_id,
            thread=thread,
            customer_id=thread.customer_id,
            method=method,
        )
    diverted = await _by_customers(session, tenant_id=thread.tenant_id, customers=known)
    return replace(
        diverted, detail=f"{method} named a thread of another customer; kept with the sender"
    )


async def route_email(
    session: AsyncSession, *, secret: str, inbound_domain: str, parsed: ParsedEmail
) -> Route:
    sender = parsed.from_address or parsed.envelope_from or ""
    everyone = await customers_by_email(session, address=sender) if sender else []
    named = await _named_thread(
        session, secret=secret, inbound_domain=inbound_domain, parsed=parsed
    )
    if named is not None:
        thread, method = named
        return await _join_unless_other_customer(
            session, thread=thread, method=method, sender_customers=everyone
        )
    tenants = sorted({customer.tenant_id for customer in everyone})
    if len(tenants) == 1:
        return await _by_customers(session, tenant_id=tenants[0], customers=everyone)
    if len(tenants) > 1:
        # Never guess across tenants: one client's reply must not land in another's queue.
        return Route(
            tenant_id=None,
            thread=None,
            customer_id=None,
            method=RouteMethod.ambiguous_tenant,
            detail=f"the sender is a customer of {len(tenants)} tenants",
        )
    tenant_id = await _tenant_by_recipient(session, recipients=_recipients(parsed))
    if tenant_id is None:
        return Route(tenant_id=None, thread=None, customer_id=None, method=RouteMethod.no_tenant)
    return Route(tenant_id=tenant_id, thread=None, customer_id=None, method=RouteMethod.unmatched)


def _recipients(parsed: ParsedEmail) -> list[str]:
    return [*parsed.to, *parsed.cc, *parsed.envelope_to]


async def _named_thread(
    session: AsyncSession, *, secret: str, inbound_domain: str, parsed: ParsedEmail
) -> tuple[Thread, RouteMethod] | None:
    for address in _recipients(parsed):
        thread_id = security.thread_from_address(secret, address, inbound_domain)
        thread = await _thread_by_id(session, thread_id) if thread_id else None
        if thread is not None:
            return thread, RouteMethod.reply_address
    ids = [value for value in (parsed.in_reply_to, *reversed(parsed.references)) if value]
    thread = await _thread_of_our_message(session, ids)
    if thread is not None:
        return thread, RouteMethod.in_reply_to
    for text in (parsed.text, parsed.html or ""):
        thread_id = security.thread_from_body(secret, text) if text else None
        thread = await _thread_by_id(session, thread_id) if thread_id else None
        if thread is not None:
            return thread, RouteMethod.body_marker
    return None


async def _tenant_by_recipient(
    session: AsyncSession, *, recipients: Sequence[str]
) -> uuid.UUID | None:
    """The one tenant whose sending address the mail was written to, if exactly one."""
    lowered = sorted({address.strip().lower() for address in recipients if address.strip()})
    if not lowered:
        return None
    found = (
        await session.execute(
            select(col(Tenant.id)).where(func.lower(col(Tenant.email_from)).in_(lowered))
        )
    ).scalars()
    tenants = set(found)
    return tenants.pop() if len(tenants) == 1 else None


async def route_sms(
    session: AsyncSession, *, sender: str, to: str | None, messaging_service_sid: str | None
) -> Route:
    """Route an SMS: the tenant owning ``to`` (or the Messaging Service), then ``sender``."""
    owners = await _sms_tenants(session, to=to, messaging_service_sid=messaging_service_sid)
    if not owners:
        return Route(tenant_id=None, thread=None, customer_id=None, method=RouteMethod.no_tenant)
    if len(owners) == 1:
        customers = await customers_by_phone(session, phone=sender, tenant_id=owners[0])
        return await _by_customers(session, tenant_id=owners[0], customers=customers)
    # A number shared by several tenants: only the tenant that knows the sender may have it.
    knowing: dict[uuid.UUID, list[Customer]] = {}
    for tenant_id in owners:
        customers = await customers_by_phone(session, phone=sender, tenant_id=tenant_id)
        if customers:
            knowing[tenant_id] = customers
    if len(knowing) == 1:
        ((tenant_id, customers),) = knowing.items()
        return await _by_customers(session, tenant_id=tenant_id, customers=customers)
    return Route(
        tenant_id=None,
        thread=None,
        customer_id=None,
        method=RouteMethod.ambiguous_tenant,
        detail=f"the number is shared by {len(owners)} tenants",
    )


async def _sms_tenants(
    session: AsyncSession, *, to: str | None, messaging_service_sid: str | None
) -> list[uuid.UUID]:
    clauses = []
    if messaging_service_sid:
        clauses.append(col(Tenant.messaging_service_sid) == messaging_service_sid)
    if to:
        clauses.append(col(Tenant.sms_from) == to.strip())
    if not clauses:
        return []
    result = await session.execute(
        select(col(Tenant.id)).where(or_(*clauses)).order_by(col(Tenant.created_at))
    )
    return list(result.scalars())


async def route_portal(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID,
    thread_id: uuid.UUID | None,
) -> Route:
    if thread_id is not None:
        thread = (
            await session.execute(
                select(Thread).where(
                    col(Thread.id) == thread_id,
                    col(Thread.tenant_id) == tenant_id,
                    col(Thread.customer_id) == customer_id,
                )
            )
        ).scalar_one_or_none()
        if thread is not None:
            return Route(
                tenant_id=tenant_id,
                thread=thread,
                customer_id=customer_id,
                method=RouteMethod.portal_thread,
            )
    customer = await session.get(Customer, customer_id)
    return await _by_customers(
        session, tenant_id=tenant_id, customers=[customer] if customer else []
    )


async def unmatched_thread_of(
    session: AsyncSession, *, tenant_id: uuid.UUID, sender: str
) -> Thread | None:
    """The open unmatched thread where this unknown sender already wrote, if any."""
    return (
        await session.execute(
            select(Thread)
            .join(Message, col(Message.thread_id) == col(Thread.id))
            .where(
                col(Thread.tenant_id) == tenant_id,
                col(Thread.customer_id).is_(None),
                col(Thread.status) == ThreadStatus.open,
                col(Message.direction) == Direction.inbound,
                func.lower(col(Message.from_address)) == sender.strip().lower(),
            )
            .order_by(col(Message.created_at).desc())
            .limit(1)
        )
    ).scalar_one_or_none()


# --- The unmatched queue ---------------------------------------------------------------------


@dataclass(frozen=True)
class Attached:
    thread: Thread
    customer: Customer
    messages_moved: int


async def attach_to_customer(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    thread_id: uuid.UUID,
    customer_external_id: str,
    actor: str,
) -> Attached:
    """Give an unmatched thread and its messages to a customer of the same tenant.

    404 for a thread or customer of another tenant; 409 when the thread already has a customer.
    """
    thread = await get_thread(session, tenant_id=tenant_id, thread_id=thread_id)
    customer = await ledger.find_customer(
        session, tenant_id=tenant_id, external_id=customer_external_id
    )
    if customer is None:
        raise NotFound(f"customer {customer_external_id!r} not found")
    if thread.customer_id is not None:
        raise Conflict("the thread already belongs to a customer")
    thread.customer_id = customer.id
    moved: CursorResult[Any] = await session.execute(  # type: ignore[assignment]
        update(Message)
        .where(col(Message.tenant_id) == tenant_id, col(Message.thread_id) == thread.id)
        .values(customer_id=customer.id)
    )
    await record_event(
        session,
        thread=thread,
        kind="attached",
        actor=actor,
        data={"customer_id": str(customer.id), "customer_external_id": customer.external_id},
    )
    return Attached(thread=thread, customer=customer, messages_moved=moved.rowcount)
