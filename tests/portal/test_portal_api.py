"""The portal's JSON API: links, what a customer sees, and what a customer sends."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import httpx

from service import security
from service.inbound.models import InboundPayload
from service.portal.limits import SUBMISSIONS_PER_HOUR
from service.portal.service import PROMISE_HORIZON_DAYS
from service.runtime import Runtime
from service.threads.models import Direction, Message, Thread
from service.types import utcnow
from tests.inbound.builders import drain
from tests.ledger.builders import put_invoice
from tests.portal.builders import keys_of, make_labelled_thread, make_portal_customer
from tests.tenancy.builders import TenantHandle

LABELS = {"intent", "reason", "team", "intent_confidence", "confidence", "assignee", "events"}


async def _payload(runtime: Runtime, payload_id: str) -> InboundPayload:
    async with runtime.database.transaction() as session:
        found = await session.get(InboundPayload, uuid.UUID(payload_id))
    assert found is not None
    return found


async def test_staff_get_a_link_for_their_own_customers_only(
    client: httpx.AsyncClient, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    customer = await make_portal_customer(client, tenant)
    answer = await client.post(
        f"/v1/customers/{customer.external_id}/portal-link", headers=tenant.headers
    )
    assert answer.status_code == 201
    link = answer.json()
    assert link["url"].startswith("https://cobro.test/portal/")
    expires = link["expires_at"]
    assert expires > utcnow().isoformat()
    foreign = await client.post(
        f"/v1/customers/{customer.external_id}/portal-link", headers=other_tenant.headers
    )
    assert foreign.status_code == 404
    anonymous = await client.post(f"/v1/customers/{customer.external_id}/portal-link")
    assert anonymous.status_code == 401
    # The link a staff member gets opens the same portal the reminders link to.
    assert (await client.get(link["url"].removeprefix("https://cobro.test"))).status_code == 200


async def test_view_shows_open_invoices_and_only_what_was_meant_for_the_customer(
    client: httpx.AsyncClient, tenant: TenantHandle, runtime: Runtime
) -> None:
    customer = await make_portal_customer(client, tenant, balances=("120.00", "80.50", "0"))
    await put_invoice(
        client, tenant, f"{customer.external_id}-paid", customer=customer.external_id,
        due_on=date.today(), balance="40.00", status="paid",
    )  # fmt: skip
    thread, sentinels = await make_labelled_thread(runtime.database, customer)
    answer = await client.get(customer.api)
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert [invoice["number"] for invoice in view["invoices"]] == list(customer.invoices[:2])
    assert view["invoices"][0]["balance"] == "120.00"
    assert view["invoices"][0]["days_past_due"] == 20
    assert view["totals"] == [{"currency": "USD", "balance": "200.50"}]
    assert [item["id"] for item in view["threads"]] == [str(thread.id)]
    bodies = [message["body"] for message in view["threads"][0]["messages"]]
    text = answer.text
    assert all(any(shown in body for body in bodies) for shown in sentinels.shown)
    assert not [hidden for hidden in sentinels.hidden if hidden in text]
    assert not keys_of(view) & LABELS
    assert [message["direction"] for message in view["threads"][0]["messages"]] == [
        "outbound",
        "inbound",
    ]
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["referrer-policy"] == "no-referrer"


async def test_forged_expired_and_orphan_tokens_are_refused(
    client: httpx.AsyncClient, tenant: TenantHandle, runtime: Runtime
) -> None:
    customer = await make_portal_customer(client, tenant)
    secret = runtime.settings.resolved_secret_key()
    expired, _ = security.portal_token(secret, customer.id, days=-1)
    foreign_key, _ = security.portal_token("another-installation-key-" + "z" * 20, customer.id)
    nobody, _ = security.portal_token(secret, uuid.uuid4())
    tampered = customer.token[:-2] + ("AA" if customer.token[-2:] != "AA" else "BB")
    for token in (expired, foreign_key, nobody, tampered, "x" * 40, "short", customer.token + "="):
        for method, path, body in (
            ("GET", f"/portal/v1/{token}", None),
            ("POST", f"/portal/v1/{token}/messages", {"body": "hi"}),
            ("POST", f"/portal/v1/{token}/disputes", {}),
            ("POST", f"/portal/v1/{token}/promises", {}),
        ):
            answer = await client.request(method, path, json=body)
            assert answer.status_code == 403, (token, path, answer.text)
            assert "expired or is not valid" in answer.json()["detail"]
        page = await client.get(f"/portal/{token}")
        assert page.status_code == 403
        assert "Este enlace venció" in page.text


async def test_a_token_of_one_tenant_never_reveals_another(
    client: httpx.AsyncClient,
    tenant: TenantHandle,
    other_tenant: TenantHandle,
    runtime: Runtime,
) -> None:
    mine = await make_portal_customer(client, tenant)
    theirs = await make_portal_customer(client, other_tenant)
    their_thread, their_texts = await make_labelled_thread(runtime.database, theirs)
    view = (await client.get(mine.api)).json()
    text = json.dumps(view)
    assert not [shown for shown in their_texts.shown if shown in text]
    assert theirs.external_id not in text
    assert view["threads"] == []
    # Naming the other tenant's thread or invoices is refused as unknown.
    posted = await client.post(
        f"{mine.api}/messages", json={"body": "hello", "thread_id": str(their_thread.id)}
    )
    assert posted.status_code == 404
    disputed = await client.post(
        f"{mine.api}/disputes",
        json={"invoice_numbers": [theirs.invoices[0]], "reason": "pricing", "body": "wrong"},
    )
    assert disputed.status_code == 422
    assert theirs.invoices[0] in disputed.json()["detail"]


async def test_message_is_stored_then_threaded_as_a_portal_reply(
    client: httpx.AsyncClient, tenant: TenantHandle, runtime: Runtime
) -> None:
    customer = await make_portal_customer(client, tenant)
    thread, _ = await make_labelled_thread(runtime.database, customer)
    other = await make_portal_customer(client, tenant)
    other_thread, _ = await make_labelled_thread(runtime.database, other)
    refused = await client.post(
        f"{customer.api}/messages", json={"body": "x", "thread_id": str(other_thread.id)}
    )
    assert refused.status_code == 404
    assert (await client.post(f"{customer.api}/messages", json={"body": ""})).status_code == 422
    assert (await client.post(f"{customer.api}/messages", json={"body": "  "})).status_code == 422
    answer = await client.post(
        f"{customer.api}/messages",
        json={"body": "Can we pay in two parts?", "thread_id": str(thread.id)},
    )
    assert answer.status_code == 202, answer.text
    await drain(runtime)
    payload = await _payload(runtime, answer.json()["submission_id"])
    async with runtime.database.transaction() as session:
        message = await session.get(Message, payload.message_id)
    assert message is not None
    assert (message.thread_id, message.direction, message.channel, message.customer_id) == (
        thread.id,
        Direction.inbound,
        "portal",
        customer.id,
    )
    view = (await client.get(customer.api)).json()
    assert "Can we pay in two parts?" in [m["body"] for t in view["threads"] for m in t["messages"]]


async def test_a_new_message_without_thread_opens_the_customers_conversation(
    client: httpx.AsyncClient, tenant: TenantHandle, runtime: Runtime
) -> None:
    customer = await make_portal_customer(client, tenant)
    answer = await client.post(f"{customer.api}/messages", json={"body": "Hello there"})
    assert answer.status_code == 202
    await drain(runtime)
    payload = await _payload(runtime, answer.json()["submission_id"])
    async with runtime.database.transaction() as session:
        message = await session.get(Message, payload.message_id)
        thread = await session.get(Thread, message.thread_id) if message else None
    assert thread is not None
    assert (thread.customer_id, thread.tenant_id) == (customer.id, tenant.tenant.id)


async def test_idempotency_key_makes_a_resubmission_one_message(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    customer = await make_portal_customer(client, tenant)
    headers = {"Idempotency-Key": "form-1"}
    first = await client.post(f"{customer.api}/messages", json={"body": "a"}, headers=headers)
    again = await client.post(f"{customer.api}/messages", json={"body": "a"}, headers=headers)
    other = await client.post(f"{customer.api}/messages", json={"body": "a"})
    assert first.json()["submission_id"] == again.json()["submission_id"]
    assert other.json()["submission_id"] != first.json()["submission_id"]


async def test_dispute_validation_and_declared_labels(
    client: httpx.AsyncClient, tenant: TenantHandle, runtime: Runtime
) -> None:
    customer = await make_portal_customer(client, tenant, balances=("120.00", "80.50"))
    await put_invoice(
        client, tenant, f"{customer.external_id}-paid", customer=customer.external_id,
        due_on=date.today(), balance="0", status="paid",
    )  # fmt: skip
    good = {"invoice_numbers": [customer.invoices[0]], "reason": "already_paid", "body": "Paid"}
    path = f"{customer.api}/disputes"
    for bad in (
        {**good, "reason": "too_expensive"},
        {**good, "reason": "dispute"},
        {**good, "invoice_numbers": []},
        {**good, "body": ""},
        {key: value for key, value in good.items() if key != "reason"},
    ):
        assert (await client.post(path, json=bad)).status_code == 422, bad
    paid = f"{customer.external_id}-paid"
    unknown = await client.post(
        path, json={**good, "invoice_numbers": [customer.invoices[0], "NOPE-1", paid]}
    )
    assert unknown.status_code == 422
    assert "NOPE-1" in unknown.json()["detail"]
    assert paid in unknown.json()["detail"]
    assert customer.invoices[0] not in unknown.json()["detail"]
    answer = await client.post(
        path, json={**good, "invoice_numbers": list(customer.invoices), "body": "We paid both."}
    )
    assert answer.status_code == 202, answer.text
    stored = await _payload(runtime, answer.json()["submission_id"])
    document = json.loads(stored.body)
    assert document["declared"] == {
        "intent": "dispute",
        "reason": "already_paid",
        "invoice_numbers": list(customer.invoices),
        "promise_date": None,
        "promise_amount": None,
    }
    assert document["body"] == "We paid both."
    await drain(runtime)
    async with runtime.database.transaction() as session:
        message = await session.get(Message, (await _payload(runtime, str(stored.id))).message_id)
    assert message is not None
    assert (message.channel, message.customer_id, message.body) == (
        "portal",
        customer.id,
        "We paid both.",
    )


async def test_promise_validation_and_declared_labels(
    client: httpx.AsyncClient, tenant: TenantHandle, runtime: Runtime
) -> None:
    # Far east of UTC: "today" is the customer's date, whatever the server's.
    customer = await make_portal_customer(
        client, tenant, language="es", timezone="Pacific/Kiritimati"
    )
    today = utcnow().astimezone(ZoneInfo("Pacific/Kiritimati")).date()
    path = f"{customer.api}/promises"
    for bad in (
        {"date": (today - timedelta(days=1)).isoformat()},
        {"date": (today + timedelta(days=PROMISE_HORIZON_DAYS + 1)).isoformat()},
        {"date": "next friday"},
        {"date": today.isoformat(), "amount": "0"},
        {"date": today.isoformat(), "amount": "-5"},
        {"date": today.isoformat(), "amount": "12,50"},
        {"date": today.isoformat(), "amount": 100},
        {"date": today.isoformat(), "invoice_numbers": ["NOPE"]},
        {},
    ):
        assert (await client.post(path, json=bad)).status_code == 422, bad
    edge = await client.post(
        path, json={"date": (today + timedelta(days=PROMISE_HORIZON_DAYS)).isoformat()}
    )
    assert edge.status_code == 202, edge.text
    answer = await client.post(
        path,
        json={
            "date": today.isoformat(),
            "amount": "120.00",
            "invoice_numbers": [customer.invoices[0]],
            "body": "Por transferencia",
        },
    )
    assert answer.status_code == 202, answer.text
    document = json.loads((await _payload(runtime, answer.json()["submission_id"])).body)
    assert document["declared"] == {
        "intent": "promise_to_pay",
        "reason": None,
        "invoice_numbers": [customer.invoices[0]],
        "promise_date": today.isoformat(),
        "promise_amount": "120.00",
    }
    # Agents read the promise on the thread in the customer's language.
    assert document["body"].startswith("Me comprometo a pagar")
    assert customer.invoices[0] in document["body"]
    assert document["body"].endswith("Por transferencia")


async def test_oversized_and_malformed_bodies(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    customer = await make_portal_customer(client, tenant)
    huge = json.dumps({"body": "x" * 70_000})
    answer = await client.post(
        f"{customer.api}/messages", content=huge, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    broken = await client.post(
        f"{customer.api}/messages",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert broken.status_code == 422
    extra = await client.post(f"{customer.api}/messages", json={"body": "a", "intent": "legal"})
    assert extra.status_code == 422


async def test_submissions_are_limited_per_customer_and_hour(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    customer = await make_portal_customer(client, tenant)
    neighbour = await make_portal_customer(client, tenant)
    codes = [
        (await client.post(f"{customer.api}/messages", json={"body": f"n{index}"})).status_code
        for index in range(SUBMISSIONS_PER_HOUR + 1)
    ]
    assert codes == [202] * SUBMISSIONS_PER_HOUR + [429]
    assert (await client.post(f"{customer.api}/messages", json={"body": "x"})).status_code == 429
    # Another customer's budget is untouched.
    assert (await client.post(f"{neighbour.api}/messages", json={"body": "x"})).status_code == 202
    # Reading is not limited.
    assert (await client.get(customer.api)).status_code == 200
