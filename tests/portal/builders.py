"""Builders for portal tests: a customer with open invoices and its portal link, and a thread
holding every kind of message a customer may or may not see."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from service.db import Database
from service.threads.models import Direction, Message, MessageStatus, Thread
from service.threads.service import open_thread
from service.types import utcnow
from tests.ledger.builders import put_customer, put_invoice
from tests.tenancy.builders import TenantHandle


@dataclass(frozen=True)
class PortalCustomer:
    tenant: TenantHandle
    external_id: str
    id: uuid.UUID
    token: str
    invoices: tuple[str, ...]

    @property
    def api(self) -> str:
        return f"/portal/v1/{self.token}"

    @property
    def page(self) -> str:
        return f"/portal/{self.token}"


async def make_portal_customer(
    client: httpx.AsyncClient,
    tenant: TenantHandle,
    *,
    language: str | None = "en",
    name: str | None = None,
    balances: tuple[str, ...] = ("120.00", "80.50"),
    **fields: Any,
) -> PortalCustomer:
    """A customer with one open invoice per balance (the first past due), and a fresh link."""
    external_id = f"P-{secrets.token_hex(4)}"
    stored = await put_customer(
        client, tenant, external_id, name=name or f"Customer {external_id}", language=language,
        **fields,
    )  # fmt: skip
    # The portal counts days past due from the customer's own date, which is not the machine's
    # around midnight.
    zone = ZoneInfo(stored.get("timezone") or tenant.tenant.timezone)
    today = utcnow().astimezone(zone).date()
    numbers = []
    for index, balance in enumerate(balances):
        number = f"{external_id}-{index + 1}"
        due = today + timedelta(days=-20 if index == 0 else 10)
        await put_invoice(client, tenant, number, customer=external_id, due_on=due, balance=balance)
        numbers.append(number)
    link = await client.post(f"/v1/customers/{external_id}/portal-link", headers=tenant.headers)
    assert link.status_code == 201, link.text
    token = link.json()["url"].rsplit("/", 1)[1]
    return PortalCustomer(
        tenant=tenant,
        external_id=external_id,
        id=uuid.UUID(stored["id"]),
        token=token,
        invoices=tuple(numbers),
    )


@dataclass(frozen=True)
class Sentinels:
    """Texts that must never reach the customer, and those that must."""

    shown: tuple[str, ...]
    hidden: tuple[str, ...]


async def make_labelled_thread(
    database: Database, customer: PortalCustomer, *, thread_body: str = "Your invoice is due."
) -> tuple[Thread, Sentinels]:
    """A classified, assigned thread with sent, planned, skipped, queued and failed reminders,
    a reply, an auto-reply and an internal note."""
    tag = secrets.token_hex(3)
    async with database.transaction() as session:
        thread = await open_thread(
            session, tenant_id=customer.tenant.tenant.id, customer_id=customer.id,
            subject="Invoice reminder", channel="email", why="reminder",
        )  # fmt: skip
        thread.intent = "dispute"
        thread.reason = "already_paid"
        thread.team = "gbs"
        thread.intent_confidence = 0.87
        thread.assignee = f"assignee-{tag}@agents.example"

        def add(direction: Direction, status: MessageStatus, body: str, **extra: Any) -> None:
            session.add(
                Message(
                    tenant_id=customer.tenant.tenant.id,
                    thread_id=thread.id,
                    customer_id=customer.id,
                    direction=direction,
                    channel=extra.pop("channel", "email"),
                    body=body,
                    status=status,
                    **extra,
                )  # fmt: skip
            )

        add(Direction.outbound, MessageStatus.delivered, f"{thread_body} sent-{tag}")
        add(Direction.outbound, MessageStatus.planned, f"planned-{tag}")
        add(Direction.outbound, MessageStatus.skipped, f"skipped-{tag}", skip_reason="quiet")
        add(Direction.outbound, MessageStatus.queued, f"queued-{tag}")
        add(Direction.outbound, MessageStatus.failed, f"failed-{tag}")
        add(
            Direction.inbound, MessageStatus.processed, f"reply-{tag}\n\n> quoted-{tag}",
            body_clean=f"reply-{tag}",
        )  # fmt: skip
        add(
            Direction.inbound, MessageStatus.processed, f"autoreply-{tag}",
            body_clean=f"autoreply-{tag}", automatic="auto_reply",
        )  # fmt: skip
        add(Direction.note, MessageStatus.processed, f"note-{tag}", channel="note", author="ana")
    return thread, Sentinels(
        shown=(f"sent-{tag}", f"reply-{tag}"),
        hidden=(
            f"planned-{tag}", f"skipped-{tag}", f"queued-{tag}", f"failed-{tag}",
            f"quoted-{tag}", f"autoreply-{tag}", f"note-{tag}", f"assignee-{tag}",
        ),
    )  # fmt: skip


def keys_of(document: Any) -> set[str]:
    """Every key anywhere in a JSON document."""
    if isinstance(document, dict):
        return set(document) | {key for value in document.values() for key in keys_of(value)}
    if isinstance(document, list):
        return {key for value in document for key in keys_of(value)}
    return set()
