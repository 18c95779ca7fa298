"""Per-tenant routing rules: the API, their order, each condition, and replies routed by them."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx

from service.db import Database
from service.disputes import routing
from service.disputes.models import RoutingRule
from service.runtime import Runtime
from service.tenancy.models import Role
from tests.disputes.builders import (
    email_reply,
    event,
    events_of,
    make_account,
    make_desk_tenant,
    send_reminder,
    sms_reply,
    thread_of,
)
from tests.tenancy.builders import TenantHandle, issue_key


def _rule(position: int, team: str, **conditions: object) -> RoutingRule:
    return RoutingRule(
        id=uuid.uuid4(), tenant_id=uuid.uuid4(), name=f"r{position}", position=position,
        team=team, **conditions,
    )  # fmt: skip


def _facts(**overrides: object) -> routing.Facts:
    base: dict[str, object] = {
        "intent": "dispute", "reason": "pricing", "language": "en", "channel": "email",
        "tags": frozenset(), "balances": {"USD": Decimal("500")},
    }  # fmt: skip
    return routing.Facts(**{**base, **overrides})  # type: ignore[arg-type]


def test_the_first_matching_rule_wins_and_the_taxonomy_decides_otherwise() -> None:
    rules = [
        _rule(10, "legal", intents=["dispute"], min_amount=Decimal("1000")),
        _rule(20, "collections", tags=["key-account"]),
        _rule(30, "gbs", channels=["sms"], languages=["es"]),
    ]
    assert routing.decide(rules, _facts(balances={"USD": Decimal("5000")}, tags=frozenset(
        {"key-account"}))).team == "legal"  # fmt: skip
    assert routing.decide(rules, _facts(tags=frozenset({"key-account"}))).team == "collections"
    assert routing.decide(rules, _facts(channel="sms", language="es")).team == "gbs"
    fallback = routing.decide(rules, _facts(channel="sms", language="en"))
    assert (fallback.team, fallback.rule_id, fallback.why) == ("sales", None, "taxonomy default")


def test_each_condition_can_fail_a_rule() -> None:
    assert not routing.matches(_rule(1, "legal", reasons=["delivery"]), _facts())
    assert not routing.matches(_rule(1, "legal", intents=["legal"]), _facts())
    assert not routing.matches(_rule(1, "legal", max_amount=Decimal("499.99")), _facts())
    assert routing.matches(_rule(1, "legal", max_amount=Decimal("500")), _facts())
    # A rule's currency compares that currency's balance only.
    in_mxn = _rule(1, "legal", min_amount=Decimal("100"), currency="MXN")
    assert not routing.matches(in_mxn, _facts())
    assert routing.matches(in_mxn, _facts(balances={"MXN": Decimal("100"), "USD": Decimal(1)}))
    # An amount condition fails when the reply concerns no open balance at all.
    assert not routing.matches(_rule(1, "legal", min_amount=Decimal(0)), _facts(balances={}))
    disabled = _rule(1, "legal")
    disabled.enabled = False
    assert not routing.matches(disabled, _facts())


async def test_rules_api_orders_validates_and_changes(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    made = []
    for body in [
        {"name": "Big disputes", "team": "legal", "intents": ["dispute"], "min_amount": "1000"},
        {"name": "Key accounts", "team": "sales", "tags": ["key-account"], "position": 5},
    ]:
        response = await client.post("/v1/routing-rules", json=body, headers=tenant.headers)
        assert response.status_code == 201, response.text
        made.append(response.json())
    listed = (await client.get("/v1/routing-rules", headers=tenant.headers)).json()["items"]
    assert [rule["name"] for rule in listed] == ["Key accounts", "Big disputes"]
    assert made[0]["position"] == 10
    assert Decimal(made[0]["min_amount"]) == Decimal("1000")
    rule_id = made[0]["id"]
    changed = await client.patch(
        f"/v1/routing-rules/{rule_id}", json={"position": 1, "enabled": False},
        headers=tenant.headers,
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert (changed.json()["position"], changed.json()["enabled"]) == (1, False)
    for bad in [
        {"name": "x", "team": "marketing"},
        {"name": "x", "team": "sales", "min_amount": "10", "max_amount": "5"},
        {"name": "x", "team": "sales", "intents": ["gossip"]},
        {"name": "", "team": "sales"},
    ]:
        response = await client.post("/v1/routing-rules", json=bad, headers=tenant.headers)
        assert response.status_code == 422, bad
        assert response.json()["detail"]
    nulled = await client.patch(
        f"/v1/routing-rules/{rule_id}", json={"team": None}, headers=tenant.headers
    )
    assert nulled.status_code == 422
    deleted = await client.delete(f"/v1/routing-rules/{rule_id}", headers=tenant.headers)
    assert deleted.status_code == 204
    gone = await client.get(f"/v1/routing-rules/{rule_id}", headers=tenant.headers)
    assert gone.status_code == 404


async def test_rules_belong_to_their_tenant_and_agents_only_read_them(
    client: httpx.AsyncClient, database: Database, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    created = await client.post(
        "/v1/routing-rules", json={"name": "Mine", "team": "gbs"}, headers=tenant.headers
    )
    rule_id = created.json()["id"]
    for method, body in [("GET", None), ("PATCH", {"team": "sales"}), ("DELETE", None)]:
        response = await client.request(
            method, f"/v1/routing-rules/{rule_id}", json=body, headers=other_tenant.headers
        )
        assert response.status_code == 404, method
    listed = (await client.get("/v1/routing-rules", headers=other_tenant.headers)).json()
    assert rule_id not in {rule["id"] for rule in listed["items"]}
    agent_key = await issue_key(database, tenant.tenant, Role.agent)
    agent = {"Authorization": f"Bearer {agent_key}"}
    assert (await client.get("/v1/routing-rules", headers=agent)).status_code == 200
    refused = await client.post("/v1/routing-rules", json={"name": "x", "team": "gbs"},
                                headers=agent)  # fmt: skip
    assert refused.status_code == 403
    supervisor_key = await issue_key(database, tenant.tenant, Role.supervisor)
    supervisor = {"Authorization": f"Bearer {supervisor_key}"}
    allowed = await client.post("/v1/routing-rules", json={"name": "x", "team": "gbs"},
                                headers=supervisor)  # fmt: skip
    assert allowed.status_code == 201


async def test_replies_are_routed_by_the_first_matching_rule(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    for body in [
        {"name": "Big disputes", "team": "legal", "intents": ["dispute"], "min_amount": "1000"},
        {"name": "Key accounts", "team": "collections", "tags": ["key-account"]},
        {"name": "Spanish texts", "team": "gbs", "channels": ["sms"], "languages": ["es"]},
    ]:
        response = await webhooks.post("/v1/routing-rules", json=body, headers=tenant.headers)
        assert response.status_code == 201, response.text
    rules = (await webhooks.get("/v1/routing-rules", headers=tenant.headers)).json()["items"]
    big, key, spanish = (rule["id"] for rule in rules)

    large = await make_account(database, tenant, tags=("key-account",), balances=("4000.00",))
    reminder = await send_reminder(database, tenant, large)
    thread_id = await email_reply(
        webhooks, inbound_runtime, large, reminder,
        "The price on this invoice is wrong, we agreed on a 10% discount.",
    )  # fmt: skip
    assert (await thread_of(database, thread_id)).team == "legal"
    assert event(await events_of(database, thread_id), "routed")["rule_id"] == big

    small = await make_account(database, tenant, tags=("key-account",), balances=("90.00",))
    reminder = await send_reminder(database, tenant, small)
    thread_id = await email_reply(
        webhooks, inbound_runtime, small, reminder,
        "The price on this invoice is wrong, we agreed on a 10% discount.",
    )  # fmt: skip
    assert (await thread_of(database, thread_id)).team == "collections"
    assert event(await events_of(database, thread_id), "routed")["rule_id"] == key

    texting = await make_account(database, tenant, language="es")
    await send_reminder(database, tenant, texting, channel="sms")
    thread_id = await sms_reply(
        webhooks, inbound_runtime, tenant, texting, "Le pago el viernes sin falta."
    )
    thread = await thread_of(database, thread_id)
    assert (thread.intent, thread.team) == ("promise_to_pay", "gbs")
    assert event(await events_of(database, thread_id), "routed")["rule_id"] == spanish

    plain = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, plain)
    thread_id = await email_reply(
        webhooks, inbound_runtime, plain, reminder,
        "The goods arrived damaged, we are returning them.",
    )  # fmt: skip
    assert (await thread_of(database, thread_id)).team == "sales"
    assert event(await events_of(database, thread_id), "routed")["why"] == "taxonomy default"


async def test_low_confidence_ignores_rules_and_goes_to_collections_for_review(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    await webhooks.post(
        "/v1/routing-rules", json={"name": "Everything to sales", "team": "sales"},
        headers=tenant.headers,
    )  # fmt: skip
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    thread_id = await email_reply(webhooks, inbound_runtime, account, reminder, "hmm ok")
    thread = await thread_of(database, thread_id)
    assert (thread.team, thread.needs_review) == ("collections", True)
    assert thread.intent is not None
    events = await events_of(database, thread_id)
    assert event(events, "routed")["rule_id"] is None
    assert "effects_held" in [e.kind for e in events]
