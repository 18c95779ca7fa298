"""What inbound routing could not finish on its own.

Two queues. Threads without a customer (a sender nobody knows, in a tenant the mail or text was
addressed to) are the agents' unmatched queue: ``GET /v1/threads?unmatched=true`` lists them and
``attach_to_customer`` gives one to a customer. Payloads that reached no tenant at all (an
address or number several tenants share and none can claim, mail addressed to no tenant from a
sender nobody or several tenants know, a payload unreadable or given up after repeated failures)
belong to no tenant's API: they are the installation operator's, listed by ``unrouted_payloads``
and delivered to a tenant by ``route_payload`` (``cobro inbound unrouted`` / ``route``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.config import Settings
from service.errors import Conflict, NotFound
from service.inbound import forms, processing
from service.inbound.models import InboundPayload
from service.inbound.service import InboundSource
from service.ledger import service as ledger
from service.ledger.models import Customer
from service.tenancy.models import Tenant
from service.threads.models import Message, Thread
from service.threads.service import get_thread, record_event

# --- The agents' unmatched queue -------------------------------------------------------------


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


# --- The operator's queue --------------------------------------------------------------------


@dataclass(frozen=True)
class Unrouted:
    """A payload that reached no conversation, with enough to decide where it belongs."""

    id: uuid.UUID
    source: str
    received_at: datetime
    attempts: int
    error: str
    sender: str | None
    recipient: str | None
    subject: str | None

    def as_document(self) -> dict[str, object]:
        return {
            "id": str(self.id),
            "source": self.source,
            "received_at": self.received_at.isoformat(),
            "attempts": self.attempts,
            "error": self.error,
            "from": self.sender,
            "to": self.recipient,
            "subject": self.subject,
        }


def _envelope(payload: InboundPayload) -> tuple[str | None, str | None, str | None]:
    """(from, to, subject) read from the raw payload without parsing more than headers."""
    try:
        if payload.source == InboundSource.twilio_sms:
            form = forms.read_urlencoded(payload.body)
            return form.get("From"), form.get("To"), None
        if payload.source == InboundSource.portal:
            document = json.loads(payload.body)
            return f"customer {document.get('customer_id')}", None, None
        head = payload.body
        if payload.source == InboundSource.sendgrid_inbound:
            post = forms.read_multipart(content_type=payload.content_type, body=payload.body)
            head = post.fields.get("email") or post.fields.get("headers") or b""
        headers = forms.header_block(head)
        return tuple(  # type: ignore[return-value]
            str(headers[name]) if headers.get(name) is not None else None
            for name in ("From", "To", "Subject")
        )
    except (ValueError, KeyError, TypeError, IndexError, LookupError):
        return None, None, None


async def unrouted_payloads(session: AsyncSession, *, limit: int = 100) -> list[Unrouted]:
    """Payloads processing finished without a message, newest first."""
    rows = (
        await session.execute(
            select(InboundPayload)
            .where(
                col(InboundPayload.processed_at).is_not(None),
                col(InboundPayload.message_id).is_(None),
            )
            .order_by(col(InboundPayload.received_at).desc())
            .limit(limit)
        )
    ).scalars()
    found = []
    for payload in rows:
        sender, recipient, subject = _envelope(payload)
        found.append(
            Unrouted(
                id=payload.id,
                source=payload.source,
                received_at=payload.received_at,
                attempts=payload.attempts,
                error=payload.error or "",
                sender=sender,
                recipient=recipient,
                subject=subject,
            )
        )
    return found


async def reopen_payload(
    session: AsyncSession, *, payload_id: uuid.UUID, tenant_id: uuid.UUID | None
) -> InboundPayload:
    """Make an unrouted payload ready to be processed again, within ``tenant_id`` when given
    (routing then stands in that tenant for the addressing it could not read)."""
    payload = await session.get(InboundPayload, payload_id)
    if payload is None:
        raise NotFound("no such inbound payload")
    if payload.message_id is not None:
        raise Conflict("the payload is already in a conversation")
    if tenant_id is not None:
        if await session.get(Tenant, tenant_id) is None:
            raise NotFound("no such tenant")
        payload.tenant_id = tenant_id
    payload.processed_at = None
    payload.error = None
    payload.attempts = 0
    await session.flush()
    return payload


async def route_payload(
    session: AsyncSession,
    *,
    payload_id: uuid.UUID,
    tenant_id: uuid.UUID | None,
    settings: Settings,
) -> dict[str, str | None]:
    """Process an unrouted payload again now (in ``tenant_id`` when given); its outcome."""
    await reopen_payload(session, payload_id=payload_id, tenant_id=tenant_id)
    outcome = await processing.process_payload(session, payload_id=payload_id, settings=settings)
    return outcome.as_result()
