"""Finding the conversation a reply belongs to.

Email, in this order: the signed ``reply+token`` address among the recipients; then, within the
tenant the mail was written to (a recipient that is one tenant's address), In-Reply-To and
References matching one of our Message-IDs; the signed marker in the body; the sender's address,
to that customer's most recent open thread; else a new thread for that customer. SMS: the tenant
that owns the ``To`` number, then the customer with the ``From`` number. An unknown sender goes to
the tenant's unmatched queue (a thread without customer) for an agent to attach; mail no tenant
can be told apart for stays on its payload for an operator (``cobro inbound unrouted``).

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

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service import security
from service.inbound.mime import ParsedEmail
from service.ledger.models import Customer
from service.tenancy.models import Tenant
from service.threads.models import Direction, Message, Thread, ThreadStatus
from service.threads.service import latest_open_thread


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
    # The customer's row when routing loaded it: held here, the session finds it again without
    # a query (its identity map holds only rows something refers to).
    customer: Customer | None = None


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
            customer=customer,
        )
    return Route(
        tenant_id=tenant_id,
        thread=thread,
        customer_id=customer.id,
        method=RouteMethod.sender,
        customer=customer,
    )


async def _join_unless_other_customer(
    session: AsyncSession, *, thread: Thread, method: RouteMethod, sender: str
) -> Route:
    known = (
        await customers_by_email(session, address=sender, tenant_id=thread.tenant_id)
        if sender
        else []
    )
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
    session: AsyncSession,
    *,
    secret: str,
    inbound_domain: str,
    parsed: ParsedEmail,
    tenant_id: uuid.UUID | None = None,
) -> Route:
    """Route an email; see the module docstring.

    The tenant is decided first, by the mail's own addressing: a signed reply address names a
    thread and so its tenant; else the recipients (To, Cc, envelope) naming exactly one tenant's
    address. Only then is the sender matched, within that tenant alone. With no recipient
    naming a tenant, the sender decides, and a sender known to several tenants is never
    guessed. ``tenant_id`` (an operator's decision for a payload nobody could route) stands
    in for the recipients.
    """
    sender = parsed.from_address or parsed.envelope_from or ""
    signed = await _thread_by_reply_address(
        session, secret=secret, inbound_domain=inbound_domain, parsed=parsed
    )
    if signed is not None and tenant_id in (None, signed.tenant_id):
        return await _join_unless_other_customer(
            session, thread=signed, method=RouteMethod.reply_address, sender=sender
        )
    addressed = (
        {tenant_id}
        if tenant_id is not None
        else await _tenants_by_recipient(session, recipients=_recipients(parsed))
    )
    decided = next(iter(addressed)) if len(addressed) == 1 else None
    named = await _thread_named_in_mail(session, secret=secret, parsed=parsed, tenant_id=decided)
    if named is not None:
        thread, method = named
        return await _join_unless_other_customer(
            session, thread=thread, method=method, sender=sender
        )
    if decided is not None:
        known = (
            await customers_by_email(session, address=sender, tenant_id=decided) if sender else []
        )
        return await _by_customers(session, tenant_id=decided, customers=known)
    everyone = await customers_by_email(session, address=sender) if sender else []
    if addressed:
        # An address several tenants send from: only a tenant that knows the sender may have it.
        everyone = [customer for customer in everyone if customer.tenant_id in addressed]
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
    if addressed:
        return Route(
            tenant_id=None,
            thread=None,
            customer_id=None,
            method=RouteMethod.ambiguous_tenant,
            detail=f"the recipient address belongs to {len(addressed)} tenants",
        )
    return Route(tenant_id=None, thread=None, customer_id=None, method=RouteMethod.no_tenant)


def _recipients(parsed: ParsedEmail) -> list[str]:
    return [*parsed.to, *parsed.cc, *parsed.envelope_to]


async def _thread_by_reply_address(
    session: AsyncSession, *, secret: str, inbound_domain: str, parsed: ParsedEmail
) -> Thread | None:
    for address in _recipients(parsed):
        thread_id = security.thread_from_address(secret, address, inbound_domain)
        thread = await _thread_by_id(session, thread_id) if thread_id else None
        if thread is not None:
            return thread
    return None


async def _thread_named_in_mail(
    session: AsyncSession, *, secret: str, parsed: ParsedEmail, tenant_id: uuid.UUID | None
) -> tuple[Thread, RouteMethod] | None:
    """The thread In-Reply-To / References or the body marker name, within ``tenant_id`` when
    the recipients decided the tenant (a quoted reminder of another tenant is not a reason to
    leave the tenant the customer wrote to)."""
    ids = [value for value in (parsed.in_reply_to, *reversed(parsed.references)) if value]
    thread = await _thread_of_our_message(session, ids)
    if thread is not None and tenant_id in (None, thread.tenant_id):
        return thread, RouteMethod.in_reply_to
    for text in (parsed.text, parsed.html or ""):
        thread_id = security.thread_from_body(secret, text) if text else None
        thread = await _thread_by_id(session, thread_id) if thread_id else None
        if thread is not None and tenant_id in (None, thread.tenant_id):
            return thread, RouteMethod.body_marker
    return None


async def _tenants_by_recipient(
    session: AsyncSession, *, recipients: Sequence[str]
) -> set[uuid.UUID]:
    """The tenants whose sending address the mail was written to."""
    lowered = sorted({address.strip().lower() for address in recipients if address.strip()})
    if not lowered:
        return set()
    memo: dict[object, list[uuid.UUID]] = session.info.setdefault(_TENANTS_MEMO, {})
    key = ("email", *lowered)
    if key not in memo:
        found = await session.execute(
            select(Tenant).where(func.lower(col(Tenant.email_from)).in_(lowered))
        )
        memo[key] = [tenant.id for tenant in _held(session, list(found.scalars()))]
    return set(memo[key])


async def route_sms(
    session: AsyncSession,
    *,
    sender: str,
    to: str | None,
    messaging_service_sid: str | None,
    tenant_id: uuid.UUID | None = None,
) -> Route:
    """Route an SMS: the tenant owning ``to`` (or the Messaging Service), then ``sender``.
    ``tenant_id`` (an operator's decision) stands in for the owners of the number."""
    owners = (
        [tenant_id]
        if tenant_id is not None
        else await _sms_tenants(session, to=to, messaging_service_sid=messaging_service_sid)
    )
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
    memo: dict[object, list[uuid.UUID]] = session.info.setdefault(_TENANTS_MEMO, {})
    key = ("sms", to.strip() if to else None, messaging_service_sid)
    if key not in memo:
        result = await session.execute(
            select(Tenant).where(or_(*clauses)).order_by(col(Tenant.created_at))
        )
        memo[key] = [tenant.id for tenant in _held(session, list(result.scalars()))]
    return list(memo[key])


# The tenants an address or number names, per session: the replies a round processes together
# were mostly written to the same few, and a tenant's addresses do not change while it runs.
_TENANTS_MEMO = "cobro_tenants_by_address"


def _held(session: AsyncSession, tenants: list[Tenant]) -> list[Tenant]:
    """``tenants``, kept referenced as long as the session lives: its identity map holds only
    rows something refers to, and the rest of the reply's processing reads them again."""
    session.info.setdefault("cobro_tenants", []).extend(tenants)
    return tenants


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
