"""Tenant isolation of every endpoint, driven by the OpenAPI document so that an endpoint added
later is covered without anyone remembering to.

A tenant with data of every kind (customer, invoice, campaign and run, thread and message,
routing rule, agent, template override) is the owner; another tenant's key then calls every
operation with the owner's ids. Each call must answer 404 for a path that names the owner's
data (an upsert PUT may instead create the caller's own), no answer may carry the owner's data,
and afterwards the owner's data is as it was. The owner then makes the same calls, proving the
ids were real. A path parameter this test cannot fill fails it: add the kind of id below.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from service.db import Database
from tests.tenancy.builders import TenantHandle
from tests.tenancy.seeding import MARK, NOT_TENANT_DATA, Owner, seed_owner

# Paths authenticated by their own credentials (provider signatures, customers' signed tokens),
# not by a tenant's API key; their own tests cover them.
OWN_CREDENTIALS = ("/webhooks/", "/portal/", "/unsubscribe/")


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _example(schema: dict[str, Any], document: dict[str, Any], depth: int = 0) -> Any:
    """A small value that satisfies `schema` (required properties only)."""
    schema = _resolve(schema, document)
    if "anyOf" in schema:
        return _example(schema["anyOf"][0], document, depth)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        properties = schema.get("properties", {})
        return {
            name: _example(properties[name], document, depth + 1)
            for name in schema.get("required", [])
        }
    if kind == "array":
        item = _example(schema.get("items", {}), document, depth + 1)
        return [item] * schema.get("minItems", 0)
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    formats = {"date": "2026-01-15", "date-time": "2026-01-15T10:00:00Z", "uuid": str(uuid.uuid4())}
    if schema.get("format") in formats:
        return formats[schema["format"]]
    return "x" * max(1, int(schema.get("minLength", 1)))


# Bodies that name the owner's data themselves (the rest are made from the schema).
BODIES: dict[tuple[str, str], Any] = {
    ("post", "/v1/threads/{thread_id}/attach"): lambda p: {
        "customer_external_id": p["external_id"]
    },
    ("post", "/v1/templates/{name}/preview"): lambda p: {
        "customer_external_id": p["external_id"]
    },
    ("put", "/v1/invoices/{number}"): lambda p: {
        "customer_external_id": p["external_id"], "currency": "USD", "amount": "5.00",
        "balance": "5.00", "issued_on": "2026-01-01", "due_on": "2026-02-01",
    },
}  # fmt: skip


def _body(operation: dict[str, Any], document: dict[str, Any]) -> tuple[str, Any] | None:
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        return "json", _example(content["application/json"]["schema"], document)
    if "multipart/form-data" in content:
        return "files", {"file": ("aging.csv", b"customer_id\n", "text/csv")}
    return None


@dataclass(frozen=True)
class Call:
    method: str
    template: str
    path: str
    body: tuple[str, Any] | None
    names_tenant_data: bool

    async def send(self, client: httpx.AsyncClient, handle: TenantHandle) -> httpx.Response:
        kind, value = self.body if self.body else ("json", None)
        return await client.request(
            self.method, self.path, headers=handle.headers, **({kind: value} if self.body else {})
        )


def _calls(document: dict[str, Any], owner: Owner) -> tuple[list[Call], list[str]]:
    calls: list[Call] = []
    unknown: list[str] = []
    for template, operations in document["paths"].items():
        if template.startswith(OWN_CREDENTIALS) or not template.startswith("/v1/"):
            continue
        for method, operation in operations.items():
            params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            missing = [name for name in params if name not in owner.params]
            if missing:
                unknown.append(f"{method.upper()} {template}: {missing}")
                continue
            path = template
            for name in params:
                path = path.replace("{" + name + "}", owner.params[name])
            names_data = any(name not in NOT_TENANT_DATA for name in params)
            made = BODIES.get((method, template))
            body = ("json", made(owner.params)) if made else _body(operation, document)
            calls.append(Call(method.upper(), template, path, body, names_data))
    return calls, unknown


async def _snapshot(client: httpx.AsyncClient, owner: Owner) -> dict[str, Any]:
    """What the owner sees of its data; the other tenant's calls must leave it as it is."""
    p = owner.params
    paths = [
        f"/v1/customers/{p['external_id']}", f"/v1/invoices/{p['number']}",
        f"/v1/campaigns/{p['campaign_id']}", f"/v1/threads/{p['thread_id']}",
        f"/v1/messages/{p['message_id']}", f"/v1/routing-rules/{p['rule_id']}",
        f"/v1/agents/{p['agent_id']}", "/v1/templates/overrides",
    ]  # fmt: skip
    seen = {}
    for path in paths:
        response = await client.get(path, headers=owner.handle.headers)
        assert response.status_code == 200, (path, response.text)
        seen[path] = response.json()
    run = (await client.get(f"/v1/runs/{p['run_id']}", headers=owner.handle.headers)).json()
    seen["run status"] = run["status"]
    return seen


async def test_no_endpoint_lets_one_tenant_reach_anothers_data(
    client: httpx.AsyncClient,
    database: Database,
    tenant: TenantHandle,
    other_tenant: TenantHandle,
) -> None:
    owner = await seed_owner(client, database, tenant)
    document = (await client.get("/openapi.json")).json()
    calls, unknown = _calls(document, owner)
    assert not unknown, (
        "these path parameters name data this test does not seed; add an id of that kind "
        f"to seed_owner: {unknown}"
    )
    before = await _snapshot(client, owner)

    problems: list[str] = []
    # PUTs last: an upsert creates the caller's own record under that id, which later GETs
    # would then rightly find.
    for call in sorted(calls, key=lambda call: call.method == "PUT"):
        response = await call.send(client, other_tenant)
        where = f"{call.method} {call.template} -> {response.status_code}"
        # The owner's ids that the request itself carries may come back (in a "not found").
        request = f"{call.path} {call.body!r}"
        echoed = {value for value in owner.ids if value in request}
        leaked = [text for text in (*(owner.ids - echoed), MARK) if text in response.text]
        if leaked:
            problems.append(f"{where}: the answer carries the owner's {leaked}")
        if response.status_code >= 500:
            problems.append(f"{where}: {response.text[:300]}")
        elif call.names_tenant_data and response.status_code != 404:
            refused_body = response.status_code == 422 and isinstance(
                response.json().get("detail"), list
            )
            # An upsert writes the caller's own record (or refuses the body for its own reasons).
            upsert = call.method == "PUT" and response.status_code in (200, 201, 422)
            if not (refused_body or upsert):
                problems.append(f"{where} (a foreign id must answer 404): {response.text[:300]}")
    assert not problems, "\n".join(problems)
    assert await _snapshot(client, owner) == before

    # The same calls by the owner find its data: the ids above were real. Deletions go last.
    for call in sorted(calls, key=lambda call: call.method == "DELETE"):
        if not call.names_tenant_data:
            continue
        response = await call.send(client, owner.handle)
        assert response.status_code != 404 or call.method == "DELETE", (
            f"{call.method} {call.template}: the owner's own id answered 404: {response.text}"
        )


async def test_lists_show_only_the_callers_data(
    client: httpx.AsyncClient,
    database: Database,
    tenant: TenantHandle,
    other_tenant: TenantHandle,
) -> None:
    owner = await seed_owner(client, database, tenant)
    document = (await client.get("/openapi.json")).json()
    listed = []
    for template, operations in document["paths"].items():
        if "get" not in operations or "{" in template or not template.startswith("/v1/"):
            continue
        response = await client.get(template, headers=other_tenant.headers)
        assert response.status_code < 500, (template, response.text)
        leaked = [text for text in (*owner.ids, MARK) if text in response.text]
        assert not leaked, (template, leaked)
        mine = await client.get(template, headers=owner.handle.headers)
        listed.append((template, MARK in mine.text or any(i in mine.text for i in owner.ids)))
    # The lists do show the owner its own data (so the absence above means something).
    shown = {template for template, found in listed if found}
    assert {"/v1/threads", "/v1/campaigns", "/v1/routing-rules", "/v1/agents"} <= shown, listed
