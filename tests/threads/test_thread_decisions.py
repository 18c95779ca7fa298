"""What the console shows of a labeled thread, and what follows a person's changes to it."""

from __future__ import annotations

import httpx

from service.runtime import Runtime
from tests.disputes.builders import (
    email_reply,
    events_of,
    invoices_of,
    make_account,
    make_desk_tenant,
    send_reminder,
    thread_of,
)


async def test_the_thread_shows_its_labels_promise_clock_and_why(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    await webhooks.post(
        "/v1/agents", json={"name": "cora", "teams": ["collections"]}, headers=tenant.headers
    )
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    thread_id = await email_reply(
        webhooks, inbound_runtime, account, reminder,
        "We will pay $340.50 next Friday for the second invoice.",
    )  # fmt: skip
    detail = (await webhooks.get(f"/v1/threads/{thread_id}", headers=tenant.headers)).json()
    assert (detail["intent"], detail["team"], detail["assignee"]) == (
        "promise_to_pay", "collections", "cora",
    )  # fmt: skip
    assert detail["needs_review"] is False
    assert detail["intent_confidence"] >= 0.6
    promise = detail["promise"]
    assert promise["date"] is not None
    assert promise["amount"] == "340.50"
    assert promise["status"] == "active"
    assert detail["first_response_due_at"] is not None
    assert detail["resolution_due_at"] is not None
    assert detail["escalation"] is None
    kinds = [e["kind"] for e in detail["events"]]
    for kind in ("classified", "routed", "sla_started", "promise_recorded", "acknowledged",
                 "assigned"):  # fmt: skip
        assert kind in kinds, kind
    classified = next(e for e in detail["events"] if e["kind"] == "classified")
    assert classified["data"]["signals"]
    assigned = next(e for e in detail["events"] if e["kind"] == "assigned")
    assert "round robin" in assigned["data"]["why"]
    [inbound] = [m for m in detail["messages"] if m["direction"] == "inbound"]
    assert inbound["invoices"] == reminder.outbound.invoice_numbers
    listed = (
        await webhooks.get("/v1/threads?intent=promise_to_pay", headers=tenant.headers)
    ).json()
    assert [item["id"] for item in listed["items"]] == [str(thread_id)]
    assert listed["items"][0]["needs_review"] is False


async def test_confirming_a_low_confidence_label_applies_its_effects_and_routes_it(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account, numbers=account.numbers[:1])
    thread_id = await email_reply(webhooks, inbound_runtime, account, reminder, "hmm ok")
    detail = (await webhooks.get(f"/v1/threads/{thread_id}", headers=tenant.headers)).json()
    assert (detail["team"], detail["needs_review"]) == ("collections", True)
    assert "effects_held" in [e["kind"] for e in detail["events"]]
    queue = (await webhooks.get("/v1/threads?needs_review=true", headers=tenant.headers)).json()
    assert [item["id"] for item in queue["items"]] == [str(thread_id)]
    assert not any(i.disputed for i in (await invoices_of(database, account)).values())
    changed = await webhooks.patch(
        f"/v1/threads/{thread_id}", json={"intent": "dispute", "reason": "pricing"},
        headers=tenant.headers,
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["intent"], body["reason"], body["team"], body["needs_review"]) == (
        "dispute", "pricing", "sales", False,
    )  # fmt: skip
    kinds = [e["kind"] for e in body["events"]]
    assert "labels_confirmed" in kinds
    routed = [e for e in body["events"] if e["kind"] == "routed"][-1]
    assert routed["data"]["by"] == "label confirmed by a person"
    invoices = await invoices_of(database, account)
    assert [n for n, invoice in invoices.items() if invoice.disputed] == account.numbers[:1]
    queue = (await webhooks.get("/v1/threads?needs_review=true", headers=tenant.headers)).json()
    assert queue["items"] == []


async def test_a_person_choosing_the_team_is_not_overruled(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    for name, team in (("colm", "collections"), ("gabi", "gbs")):
        await webhooks.post(
            "/v1/agents", json={"name": name, "teams": [team]}, headers=tenant.headers
        )
    thread_id = await email_reply(webhooks, inbound_runtime, account, reminder, "hmm ok")
    assert (await thread_of(database, thread_id)).assignee == "colm"
    changed = await webhooks.patch(
        f"/v1/threads/{thread_id}", json={"intent": "dispute", "reason": "pricing", "team": "gbs"},
        headers=tenant.headers,
    )  # fmt: skip
    assert (changed.json()["team"], changed.json()["assignee"]) == ("gbs", "gabi")
    kept = await webhooks.patch(
        f"/v1/threads/{thread_id}", json={"team": "sales", "assignee": "gabi"},
        headers=tenant.headers,
    )  # fmt: skip
    assert (kept.json()["team"], kept.json()["assignee"]) == ("sales", "gabi")


async def test_resolving_a_dispute_returns_its_invoices_to_the_campaigns(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    first, second = account.numbers
    reminder = await send_reminder(database, tenant, account)
    thread_id = await email_reply(
        webhooks, inbound_runtime, account, reminder,
        f"The price on {first} and {second} is wrong, we agreed on a 10% discount.",
    )  # fmt: skip
    other_reminder = await send_reminder(database, tenant, account, numbers=[second])
    other_id = await email_reply(
        webhooks, inbound_runtime, account, other_reminder,
        f"And {second} was also delivered short, two boxes missing.",
    )  # fmt: skip
    assert other_id != thread_id
    invoices = await invoices_of(database, account)
    assert invoices[first].disputed
    assert invoices[second].disputed
    resolved = await webhooks.patch(
        f"/v1/threads/{thread_id}", json={"status": "resolved"}, headers=tenant.headers
    )
    assert resolved.status_code == 200
    lifted = [e for e in resolved.json()["events"] if e["kind"] == "disputes_lifted"]
    assert lifted[-1]["data"] == {"invoices": [first], "kept_by_other_threads": [second]}
    invoices = await invoices_of(database, account)
    assert (invoices[first].disputed, invoices[second].disputed) == (False, True)


async def test_a_reply_reopening_a_resolved_thread_is_labeled_afresh(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    thread_id = await email_reply(
        webhooks, inbound_runtime, account, reminder,
        "The goods arrived damaged, we are returning them.",
    )  # fmt: skip
    before = await thread_of(database, thread_id)
    await webhooks.post(
        f"/v1/threads/{thread_id}/replies", json={"body": "We will credit you."},
        headers=tenant.headers,
    )  # fmt: skip
    await webhooks.patch(
        f"/v1/threads/{thread_id}", json={"status": "resolved"}, headers=tenant.headers
    )
    await email_reply(
        webhooks, inbound_runtime, account, reminder, "We will pay the full balance next Friday."
    )
    after = await thread_of(database, thread_id)
    assert (after.status, after.intent, after.team) == ("open", "promise_to_pay", "collections")
    assert after.first_responded_at is None
    assert after.first_response_due_at != before.first_response_due_at
    restarted = [e.data for e in await events_of(database, thread_id) if e.kind == "sla_started"]
    assert [(e["team"], e["restarted"]) for e in restarted] == [
        ("sales", False), ("collections", True),
    ]  # fmt: skip


async def test_a_foreign_tenant_cannot_read_the_decisions(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    other = await make_desk_tenant(database, name="Other desk")
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    thread_id = await email_reply(
        webhooks, inbound_runtime, account, reminder, "We already paid this by wire last week."
    )
    assert (
        await webhooks.get(f"/v1/threads/{thread_id}", headers=other.headers)
    ).status_code == 404
    patched = await webhooks.patch(
        f"/v1/threads/{thread_id}", json={"status": "resolved"}, headers=other.headers
    )
    assert patched.status_code == 404
    assert (await invoices_of(database, account))[account.numbers[0]].disputed is True
