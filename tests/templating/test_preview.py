from __future__ import annotations

from datetime import date, timedelta

import httpx

from tests.ledger.builders import put_customer, put_invoice
from tests.tenancy.builders import TenantHandle


async def test_templates_are_listed(client: httpx.AsyncClient, tenant: TenantHandle) -> None:
    response = await client.get("/v1/templates", headers=tenant.headers)
    assert response.status_code == 200
    names = {item["name"] for item in response.json()["templates"]}
    assert {
        "upcoming_due",
        "reminder_friendly",
        "reminder_firm",
        "final_notice",
        "escalation_notice",
        "statement",
        "dispute_ack",
        "promise_confirmation",
        "payment_plan_confirmation",
        "opt_out_confirmation",
        "agent_reply",
    } <= names


async def test_preview_renders_every_variant_for_a_customer_in_both_languages(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    await put_customer(
        client,
        tenant,
        "P-ES",
        name="Papelería Muñoz",
        language="es",
        locale="es_MX",
        timezone="America/Mexico_City",
    )
    today = date.today()
    await put_invoice(
        client,
        tenant,
        "P-ES-1",
        customer="P-ES",
        due_on=today - timedelta(days=40),
        balance="1234.50",
        currency="MXN",
    )
    for language, word in (("es", "Papelería Muñoz"), ("en", "Papelería Muñoz")):
        response = await client.post(
            "/v1/templates/reminder_firm/preview",
            json={"customer_external_id": "P-ES", "language": language},
            headers=tenant.headers,
        )
        assert response.status_code == 200, response.text
        variants = {v["channel"]: v for v in response.json()["variants"]}
        assert set(variants) == {"email", "sms", "portal"}
        email = variants["email"]
        assert email["language"] == language
        assert word in email["text"]
        assert "P-ES-1" in email["text"]
        assert email["html"]
        assert "<html" in email["html"].lower()
        assert variants["sms"]["sms_segments"] in (1, 2)
    spanish = (
        await client.post(
            "/v1/templates/reminder_firm/preview",
            json={"customer_external_id": "P-ES"},
            headers=tenant.headers,
        )
    ).json()
    email = next(v for v in spanish["variants"] if v["channel"] == "email")
    assert "$1,234.50" in email["text"]
    assert "BAJA" in email["text"]


async def test_preview_of_unknown_template_or_foreign_customer_is_404(
    client: httpx.AsyncClient, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    await put_customer(client, tenant, "MINE")
    missing = await client.post("/v1/templates/nope/preview", json={}, headers=tenant.headers)
    assert missing.status_code == 404
    foreign = await client.post(
        "/v1/templates/reminder_firm/preview",
        json={"customer_external_id": "MINE"},
        headers=other_tenant.headers,
    )
    assert foreign.status_code == 404


async def test_a_tenant_override_replaces_one_file_and_stays_sandboxed(
    client: httpx.AsyncClient, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    await put_customer(client, tenant, "OV", name="{{ 7*7 }} <script>alert(1)</script>")
    source = "Hola {{ customer_name }}, ref {{ 6*7 }}."
    put = await client.put(
        "/v1/templates/overrides/en/reminder_firm.sms.j2",
        json={"source": source},
        headers=tenant.headers,
    )
    assert put.status_code == 200, put.text
    preview = (
        await client.post(
            "/v1/templates/reminder_firm/preview",
            json={"customer_external_id": "OV", "language": "en"},
            headers=tenant.headers,
        )
    ).json()
    variants = {v["channel"]: v for v in preview["variants"]}
    assert variants["sms"]["text"].startswith("Hola {{ 7*7 }} <script>alert(1)</script>, ref 42.")
    assert "&lt;script&gt;" in variants["email"]["html"]
    assert "<script>alert" not in variants["email"]["html"]
    # The other tenant still gets the default wording.
    await put_customer(client, other_tenant, "OV2")
    theirs = (
        await client.post(
            "/v1/templates/reminder_firm/preview",
            json={"customer_external_id": "OV2", "language": "en"},
            headers=other_tenant.headers,
        )
    ).json()
    assert not next(v for v in theirs["variants"] if v["channel"] == "sms")["text"].startswith(
        "Hola"
    )
    broken = await client.put(
        "/v1/templates/overrides/en/reminder_firm.sms.j2",
        json={"source": "{% if %}"},
        headers=tenant.headers,
    )
    assert broken.status_code == 422
    escape = await client.put(
        "/v1/templates/overrides/en/x.sms.j2", json={"source": "x"}, headers=tenant.headers
    )
    assert escape.status_code == 404
    traversal = await client.put(
        "/v1/templates/overrides/en/..%2F..%2Fetc.j2", json={"source": "x"}, headers=tenant.headers
    )
    assert traversal.status_code in (404, 422)
    sandboxed = await client.put(
        "/v1/templates/overrides/en/reminder_firm.portal.j2",
        json={"source": "{{ ''.__class__.__mro__[1].__subclasses__() }}"},
        headers=tenant.headers,
    )
    assert sandboxed.status_code == 422, sandboxed.text
    assert "unsafe" in sandboxed.json()["detail"]
    listed = (await client.get("/v1/templates/overrides", headers=tenant.headers)).json()
    assert [item["path"] for item in listed] == ["en/reminder_firm.sms.j2"]
    deleted = await client.delete(
        "/v1/templates/overrides/en/reminder_firm.sms.j2", headers=tenant.headers
    )
    assert deleted.status_code == 204
