"""The agent console: list, read, reply on the customer's channel and language, notes, changes."""

from __future__ import annotations

from typing import Any

import httpx

from service.db import Database
from service.ledger.models import Customer
from service.threads import service as threads
from service.threads.models import Direction, Message, MessageStatus
from service.types import utcnow
from tests.ledger.builders import put_customer
from tests.tenancy.builders import TenantHandle, make_tenant


async def _thread_with_inbound(
    database: Database, tenant: TenantHandle, external_id: str, *, channel: str, body: str,
    team: str | None = "sales", intent: str | None = "dispute",
) -> str:  # fmt: skip
    from sqlalchemy import select
    from sqlmodel import col

    async with database.transaction() as session:
        customer = (
            await session.execute(
                select(Customer).where(
                    col(Customer.tenant_id) == tenant.tenant.id,
                    col(Customer.external_id) == external_id,
                )
            )
        ).scalar_one()
        thread = await threads.open_thread(
            session, tenant_id=tenant.tenant.id, customer_id=customer.id, subject="Factura",
            channel=channel, language=customer.language,
        )  # fmt: skip
        thread.team, thread.intent = team, intent
        thread.last_message_at = utcnow()
        session.add(
            Message(
                tenant_id=tenant.tenant.id, thread_id=thread.id, customer_id=customer.id,
                direction=Direction.inbound, channel=channel, body=body, body_clean=body,
                status=MessageStatus.processed, from_address=customer.phone or customer.email,
            )
        )  # fmt: skip
        return str(thread.id)


async def test_list_filter_and_read_a_thread(
    client: httpx.AsyncClient, database: Database, tenant: TenantHandle
) -> None:
    await put_customer(client, tenant, "T-ES", language="es", name="Clínica Dental Ibarra",
                       phone="+14155550142", email="ap@ibarra.example")  # fmt: skip
    sales = await _thread_with_inbound(database, tenant, "T-ES", channel="sms",
                                       body="La mercancía llegó dañada")  # fmt: skip
    await _thread_with_inbound(database, tenant, "T-ES", channel="email", body="hola",
                               team="gbs", intent="document_request")  # fmt: skip
    listed = (await client.get("/v1/threads?team=sales", headers=tenant.headers)).json()
    assert [item["id"] for item in listed["items"]] == [sales]
    assert listed["items"][0]["customer"] == "T-ES"
    found = (await client.get("/v1/threads?q=DAÑADA", headers=tenant.headers)).json()
    assert [item["id"] for item in found["items"]] == [sales]
    detail = (await client.get(f"/v1/threads/{sales}", headers=tenant.headers)).json()
    assert detail["messages"][0]["direction"] == "inbound"
    assert detail["messages"][0]["body_clean"] == "La mercancía llegó dañada"
    assert detail["events"][0]["kind"] == "opened"


async def test_pages_follow_the_cursor(
    client: httpx.AsyncClient, database: Database, tenant: TenantHandle
) -> None:
    await put_customer(client, tenant, "PAGES")
    made = {await _thread_with_inbound(database, tenant, "PAGES", channel="email", body=str(i))
            for i in range(5)}  # fmt: skip
    seen: list[str] = []
    url = "/v1/threads?customer=PAGES&limit=2"
    while True:
        page = (await client.get(url, headers=tenant.headers)).json()
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        url = f"/v1/threads?customer=PAGES&limit=2&cursor={page['next_cursor']}"
    assert sorted(seen) == sorted(made)
    assert len(seen) == 5


async def test_reply_goes_on_the_last_inbound_channel_in_the_customers_language(
    client: httpx.AsyncClient, database: Database, tenant: TenantHandle
) -> None:
    await put_customer(client, tenant, "R-ES", language="es", name="Ferretería Núñez",
                       phone="+14155550143", email="ap@nunez.example")  # fmt: skip
    thread_id = await _thread_with_inbound(database, tenant, "R-ES", channel="sms", body="?")
    body = "Hola, ya revisamos su factura {{ 7*7 }} <b>gracias</b>"
    response = await client.post(
        f"/v1/threads/{thread_id}/replies", json={"body": body}, headers=tenant.headers
    )
    assert response.status_code == 201, response.text
    sent = response.json()
    assert sent["channel"] == "sms"
    assert sent["to"] == "+14155550143"
    assert sent["language"] == "es"
    assert "{{ 7*7 }}" in sent["body"]
    assert "49" not in sent["body"]
    by_email = await client.post(
        f"/v1/threads/{thread_id}/replies", json={"body": "<script>x</script>", "channel": "email"},
        headers=tenant.headers,
    )  # fmt: skip
    assert by_email.status_code == 201
    detail = (await client.get(f"/v1/threads/{thread_id}", headers=tenant.headers)).json()
    assert detail["status"] == "pending"
    assert [e["kind"] for e in detail["events"]].count("replied") == 2


async def test_notes_and_changes_are_logged(
    client: httpx.AsyncClient, database: Database, tenant: TenantHandle
) -> None:
    await put_customer(client, tenant, "N-1")
    thread_id = await _thread_with_inbound(database, tenant, "N-1", channel="email", body="x")
    note = await client.post(
        f"/v1/threads/{thread_id}/notes",
        json={"body": "called AP, waiting"},
        headers=tenant.headers,
    )
    assert note.status_code == 201
    assert note.json()["direction"] == "note"
    patched = await client.patch(
        f"/v1/threads/{thread_id}",
        json={"team": "gbs", "assignee": "maria", "intent": "dispute", "reason": "billing_error"},
        headers=tenant.headers,
    )
    assert patched.status_code == 200, patched.text
    detail: dict[str, Any] = patched.json()
    assert (detail["team"], detail["assignee"], detail["reason"]) == (
        "gbs",
        "maria",
        "billing_error",
    )
    kinds = [event["kind"] for event in detail["events"]]
    assert {"note_added", "team_changed", "assignee_changed", "reason_changed"} <= set(kinds)
    bad = await client.patch(
        f"/v1/threads/{thread_id}", json={"intent": "other", "reason": "pricing"},
        headers=tenant.headers,
    )  # fmt: skip
    assert bad.status_code == 422


async def test_threads_are_tenant_scoped(
    client: httpx.AsyncClient, database: Database, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    await put_customer(client, tenant, "ISO")
    thread_id = await _thread_with_inbound(database, tenant, "ISO", channel="email", body="x")
    for method, path, body in [
        ("GET", f"/v1/threads/{thread_id}", None),
        ("PATCH", f"/v1/threads/{thread_id}", {"status": "resolved"}),
        ("POST", f"/v1/threads/{thread_id}/notes", {"body": "x"}),
        ("POST", f"/v1/threads/{thread_id}/replies", {"body": "x"}),
    ]:
        response = await client.request(method, path, json=body, headers=other_tenant.headers)
        assert response.status_code == 404, (method, path)
    listed = (await client.get("/v1/threads?customer=ISO", headers=other_tenant.headers)).json()
    assert listed["items"] == []


async def test_a_long_sms_reply_reports_its_segments_and_an_endless_one_is_refused(
    client: httpx.AsyncClient, database: Database, tenant: TenantHandle
) -> None:
    await put_customer(client, tenant, "LONG-SMS", language="en", phone="+14155550177")
    thread_id = await _thread_with_inbound(database, tenant, "LONG-SMS", channel="sms", body="?")
    words = "We checked invoice 4471 with the warehouse and the pallet count matches. "
    long = await client.post(
        f"/v1/threads/{thread_id}/replies", json={"body": words * 5}, headers=tenant.headers
    )
    assert long.status_code == 201, long.text
    sent = long.json()
    assert sent["sms_segments"] > 2
    assert sent["warnings"], "an SMS over the budget is sent whole, with a warning"
    assert (words * 5).strip() in sent["body"]
    endless = await client.post(
        f"/v1/threads/{thread_id}/replies", json={"body": words * 30}, headers=tenant.headers
    )
    assert endless.status_code == 422
    assert "segments" in endless.json()["detail"]


async def test_no_email_reply_without_the_senders_postal_address(
    client: httpx.AsyncClient, database: Database
) -> None:
    bare = await make_tenant(database, name="No Address Yet LLC", postal_address=None)
    await put_customer(client, bare, "NO-ADDR", email="ap@noaddr.example")
    thread_id = await _thread_with_inbound(database, bare, "NO-ADDR", channel="email", body="?")
    refused = await client.post(
        f"/v1/threads/{thread_id}/replies", json={"body": "Hello"}, headers=bare.headers
    )
    assert refused.status_code == 422
    assert "postal address" in refused.json()["detail"]
    by_portal = await client.post(
        f"/v1/threads/{thread_id}/replies",
        json={"body": "Hello", "channel": "portal"},
        headers=bare.headers,
    )
    assert by_portal.status_code == 201, by_portal.text
