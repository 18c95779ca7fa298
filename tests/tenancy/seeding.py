"""A tenant with data of every kind, reachable by the ids an API path takes: what the isolation
test and the OpenAPI run call endpoints with."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from sqlalchemy import select
from sqlmodel import col

from service.db import Database
from service.ledger.models import Customer
from service.threads import service as threads
from service.threads.models import Direction, Message, MessageStatus
from service.types import utcnow
from tests.ledger.builders import put_customer, put_invoice
from tests.tenancy.builders import TenantHandle

# Parameters that name no tenant's data: a template's name, a language, an action.
NOT_TENANT_DATA = frozenset({"name", "language", "filename", "action"})
# The owner's data carries this in its names and texts: it must never reach the other tenant.
MARK = "Isolation-Secret-7Q"
OVERRIDE = ("en", "reminder_friendly.sms.j2")


@dataclass
class Owner:
    handle: TenantHandle
    params: dict[str, str] = field(default_factory=dict)

    @property
    def ids(self) -> set[str]:
        return {value for name, value in self.params.items() if name not in NOT_TENANT_DATA}


async def _thread(database: Database, owner: TenantHandle, external_id: str) -> tuple[str, str]:
    async with database.transaction() as session:
        customer = (
            await session.execute(
                select(Customer).where(
                    col(Customer.tenant_id) == owner.tenant.id,
                    col(Customer.external_id) == external_id,
                )
            )
        ).scalar_one()
        thread = await threads.open_thread(
            session, tenant_id=owner.tenant.id, customer_id=customer.id, subject=MARK,
            channel="email", language="en",
        )  # fmt: skip
        thread.team, thread.intent, thread.last_message_at = "sales", "dispute", utcnow()
        message = Message(
            tenant_id=owner.tenant.id, thread_id=thread.id, customer_id=customer.id,
            direction=Direction.inbound, channel="email", body=f"{MARK} the goods were damaged",
            body_clean=f"{MARK} the goods were damaged", status=MessageStatus.processed,
            from_address=customer.email,
        )  # fmt: skip
        session.add(message)
        await session.flush()
        return str(thread.id), str(message.id)


async def _created(client: httpx.AsyncClient, owner: TenantHandle, path: str, body: Any) -> str:
    response = await client.post(path, json=body, headers=owner.headers)
    assert response.status_code in (200, 201, 202), (path, response.text)
    data: dict[str, Any] = response.json()
    return str(data.get("id") or data.get("run_id"))


async def seed_owner(client: httpx.AsyncClient, database: Database, handle: TenantHandle) -> Owner:
    owner = Owner(handle)
    external_id = f"ISO-{uuid.uuid4().hex[:8]}"
    await put_customer(
        client, handle, external_id, name=f"{MARK} Customer", email="ap@iso-secret.example",
        phone="+14155550199",
    )  # fmt: skip
    number = f"{external_id}-INV"
    await put_invoice(client, handle, number, customer=external_id, due_on=date(2026, 1, 1))
    campaign_id = await _created(
        client, handle, "/v1/campaigns",
        {"name": f"{MARK} campaign", "steps": [
            {"name": "friendly", "min_days_past_due": 1, "max_days_past_due": 30,
             "channels": ["email"], "template": "reminder_friendly"}]},
    )  # fmt: skip
    run_id = await _created(client, handle, f"/v1/campaigns/{campaign_id}/runs", {"dry_run": True})
    thread_id, message_id = await _thread(database, handle, external_id)
    rule_id = await _created(
        client, handle, "/v1/routing-rules", {"name": f"{MARK} rule", "team": "legal"}
    )
    agent_id = await _created(
        client, handle, "/v1/agents", {"name": f"{MARK} Agent", "teams": ["sales"]}
    )
    language, filename = OVERRIDE
    override = await client.put(
        f"/v1/templates/overrides/{language}/{filename}",
        json={"source": f"{{# {MARK} #}}{{{{ tenant.name }}}}: please pay at {{{{ portal_url }}}}"},
        headers=handle.headers,
    )
    assert override.status_code in (200, 201), override.text
    owner.params = {
        "external_id": external_id, "number": number, "campaign_id": campaign_id,
        "run_id": run_id, "thread_id": thread_id, "message_id": message_id, "rule_id": rule_id,
        "agent_id": agent_id, "language": language, "filename": filename,
        "name": "reminder_friendly", "action": "pause",
    }  # fmt: skip
    return owner
