"""Agents: the API, round robin inside a team, capacity, language preference, concurrency."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlmodel import col

from service.db import Database
from service.inbound.models import InboundPayload
from service.runtime import Runtime
from service.tenancy.models import Role
from service.threads.models import Thread
from tests.disputes.builders import (
    Account,
    drain,
    event,
    events_of,
    make_account,
    make_desk_tenant,
    send_reminder,
    thread_of,
)
from tests.inbound.builders import post_sms, sms_params
from tests.tenancy.builders import TenantHandle, issue_key
from workers.inbound import process_inbound

_DAMAGED = "The goods arrived damaged, we are returning them."
_DANADO = "La mercancía llegó dañada, la vamos a devolver."


async def _agent(client: httpx.AsyncClient, tenant: TenantHandle, **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/agents", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _texting_customer(
    database: Database, tenant: TenantHandle, *, language: str = "en"
) -> Account:
    account = await make_account(database, tenant, language=language)
    await send_reminder(database, tenant, account, channel="sms")
    return account


async def _text(
    webhooks: httpx.AsyncClient, tenant: TenantHandle, account: Account, body: str
) -> None:
    params = sms_params(
        sender=account.customer.phone or "", to=tenant.tenant.sms_from or "", body=body
    )
    assert (await post_sms(webhooks, params)).status_code == 200


async def _assignee_after_reply(
    webhooks: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle, body: str,
    *, language: str = "en",
) -> str | None:  # fmt: skip
    account = await _texting_customer(runtime.database, tenant, language=language)
    await _text(webhooks, tenant, account, body)
    outcome = (await drain(runtime))[-1]
    thread = await thread_of(runtime.database, _uuid(outcome["thread_id"]))
    return thread.assignee


def _uuid(value: str | None) -> uuid.UUID:
    return uuid.UUID(value or "")


async def test_agents_api_validates_counts_and_isolates(
    client: httpx.AsyncClient, database: Database, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    ana = await _agent(client, tenant, name="ana", teams=["sales", "gbs"], languages=["es", "en"])
    assert (ana["capacity"], ana["available"], ana["open_threads"]) == (20, True, 0)
    duplicate = await client.post(
        "/v1/agents", json={"name": "ana", "teams": ["sales"]}, headers=tenant.headers
    )
    assert duplicate.status_code == 409
    for bad in [
        {"name": "bob", "teams": []},
        {"name": "bob", "teams": ["marketing"]},
        {"name": "bob", "teams": ["sales"], "capacity": -1},
        {"name": "bob", "teams": ["sales"], "languages": ["spanish"]},
    ]:
        response = await client.post("/v1/agents", json=bad, headers=tenant.headers)
        assert response.status_code == 422, bad
    changed = await client.patch(
        f"/v1/agents/{ana['id']}", json={"available": False, "capacity": 3},
        headers=tenant.headers,
    )  # fmt: skip
    assert (changed.json()["available"], changed.json()["capacity"]) == (False, 3)
    listed = (await client.get("/v1/agents?team=gbs", headers=tenant.headers)).json()["items"]
    assert [agent["name"] for agent in listed] == ["ana"]
    assert (await client.get("/v1/agents?team=legal", headers=tenant.headers)).json() == {
        "items": []
    }
    for method, body in [("GET", None), ("PATCH", {"capacity": 9}), ("DELETE", None)]:
        response = await client.request(
            method, f"/v1/agents/{ana['id']}", json=body, headers=other_tenant.headers
        )
        assert response.status_code == 404, method
    assert (await client.get("/v1/agents", headers=other_tenant.headers)).json() == {"items": []}
    agent_key = await issue_key(database, tenant.tenant, Role.agent)
    refused = await client.post(
        "/v1/agents", json={"name": "eve", "teams": ["sales"]},
        headers={"Authorization": f"Bearer {agent_key}"},
    )  # fmt: skip
    assert refused.status_code == 403
    assert (
        await client.delete(f"/v1/agents/{ana['id']}", headers=tenant.headers)
    ).status_code == 204


async def test_round_robin_among_agents_with_room(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_desk_tenant(inbound_runtime.database)
    for name in ("ana", "bea", "cruz"):
        await _agent(webhooks, tenant, name=name, teams=["sales"], capacity=2)
    await _agent(webhooks, tenant, name="dora", teams=["sales"], available=False)
    await _agent(webhooks, tenant, name="eli", teams=["gbs"])
    got = [
        await _assignee_after_reply(webhooks, inbound_runtime, tenant, _DAMAGED) for _ in range(7)
    ]
    assert sorted(got[:3]) == ["ana", "bea", "cruz"]
    assert got[3:6] == got[:3]  # the same order again
    assert got[6] is None  # everyone holds two open threads: capacity
    listed = (await webhooks.get("/v1/agents?team=sales", headers=tenant.headers)).json()
    assert {a["name"]: a["open_threads"] for a in listed["items"]} == {
        "ana": 2, "bea": 2, "cruz": 2, "dora": 0,
    }  # fmt: skip


async def test_a_resolved_thread_frees_room_and_the_log_says_why_nobody_got_one(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    await _agent(webhooks, tenant, name="solo", teams=["sales"], capacity=1)
    account = await _texting_customer(database, tenant)
    await _text(webhooks, tenant, account, _DAMAGED)
    first = _uuid((await drain(inbound_runtime))[-1]["thread_id"])
    assert (await thread_of(database, first)).assignee == "solo"
    account = await _texting_customer(database, tenant)
    await _text(webhooks, tenant, account, _DAMAGED)
    second = _uuid((await drain(inbound_runtime))[-1]["thread_id"])
    assert (await thread_of(database, second)).assignee is None
    why = event(await events_of(database, second), "assigned")["why"]
    assert "capacity" in str(why)
    resolved = await webhooks.patch(
        f"/v1/threads/{first}", json={"status": "resolved"}, headers=tenant.headers
    )
    assert resolved.status_code == 200
    assert await _assignee_after_reply(webhooks, inbound_runtime, tenant, _DAMAGED) == "solo"


async def test_spanish_threads_go_to_spanish_speakers_when_the_team_has_any(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    tenant = await make_desk_tenant(inbound_runtime.database)
    await _agent(webhooks, tenant, name="ana", teams=["sales"], languages=["en", "es"])
    await _agent(webhooks, tenant, name="bill", teams=["sales"], languages=["en"])
    await _agent(webhooks, tenant, name="carl", teams=["sales"], languages=["en"])
    spanish = [
        await _assignee_after_reply(webhooks, inbound_runtime, tenant, _DANADO, language="es")
        for _ in range(3)
    ]
    assert spanish == ["ana", "ana", "ana"]
    english = [
        await _assignee_after_reply(webhooks, inbound_runtime, tenant, _DAMAGED) for _ in range(3)
    ]
    assert sorted(english[:2]) == ["bill", "carl"]  # ana got threads most recently
    # A team without a Spanish speaker still works Spanish threads.
    await _agent(webhooks, tenant, name="gus", teams=["gbs"], languages=["en"])
    copy = "¿Me pueden enviar una copia de la factura? No la encuentro."
    assert await _assignee_after_reply(webhooks, inbound_runtime, tenant, copy, language="es") == (
        "gus"
    )


async def test_two_workers_never_overfill_an_agent(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    await _agent(webhooks, tenant, name="only", teams=["sales"], capacity=1)
    accounts = [await _texting_customer(database, tenant) for _ in range(4)]
    for account in accounts:
        await _text(webhooks, tenant, account, _DAMAGED)
    async with database.transaction() as session:
        waiting = list(
            (
                await session.execute(
                    select(col(InboundPayload.id)).where(col(InboundPayload.processed_at).is_(None))
                )
            ).scalars()
        )
    ctx = {"runtime": inbound_runtime}
    # A job that loses a lock race fails and is retried, as arq would: drain runs it again.
    await asyncio.gather(
        *(process_inbound(ctx, str(payload_id)) for payload_id in waiting),
        return_exceptions=True,
    )
    await drain(inbound_runtime)
    agents = (await webhooks.get("/v1/agents", headers=tenant.headers)).json()["items"]
    assert [(a["name"], a["open_threads"]) for a in agents] == [("only", 1)]
    assigned = []
    for account in accounts:
        async with database.transaction() as session:
            threads = (
                await session.execute(
                    select(Thread).where(col(Thread.customer_id) == account.customer.id)
                )
            ).scalars()
            assigned += [thread.assignee for thread in threads]
    assert len(assigned) == 4
    assert assigned.count("only") == 1
    assert assigned.count(None) == 3
