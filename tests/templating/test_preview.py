from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from service.db import Database
from service.tenancy.models import Role
from tests.ledger.builders import put_customer, put_invoice
from tests.tenancy.builders import TenantHandle, issue_key

NAMES = {
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
}


async def _preview(
    client: httpx.AsyncClient, tenant: TenantHandle, name: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(f"/v1/templates/{name}/preview", json=body, headers=tenant.headers)


def _by_channel(response: httpx.Response) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.text
    return {v["channel"]: v for v in response.json()["variants"]}


async def test_templates_are_listed(client: httpx.AsyncClient, tenant: TenantHandle) -> None:
    response = await client.get("/v1/templates", headers=tenant.headers)
    assert response.status_code == 200
    names = {item["name"] for item in response.json()["templates"]}
    assert names >= NAMES


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
    for language in ("es", "en"):
        variants = _by_channel(
            await _preview(
                client,
                tenant,
                "reminder_firm",
                {"customer_external_id": "P-ES", "language": language},
            )
        )
        assert set(variants) == {"email", "sms", "portal"}
        email = variants["email"]
        assert email["language"] == language
        assert "Papelería Muñoz" in email["text"]
        assert "P-ES-1" in email["text"]
        assert "<html" in email["html"].lower()
        assert "500 Harbor Way" in email["text"]
        sms = variants["sms"]
        assert sms["sms_segments"] in (1, 2)
        assert sms["sms_budget"] == 2
        assert sms["warnings"] == []
    spanish = _by_channel(
        await _preview(client, tenant, "reminder_firm", {"customer_external_id": "P-ES"})
    )
    assert "$1,234.50" in spanish["email"]["text"]
    assert "BAJA" in spanish["email"]["text"]


async def test_the_demo_preview_shows_every_template_in_both_languages(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    for name in sorted(NAMES):
        for language in ("en", "es"):
            variants = _by_channel(await _preview(client, tenant, name, {"language": language}))
            assert {v["language"] for v in variants.values()} == {language}
            assert variants["sms"]["sms_segments"] <= 2, variants["sms"]["text"]


async def test_preview_of_unknown_template_or_foreign_customer_is_404(
    client: httpx.AsyncClient, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    await put_customer(client, tenant, "MINE")
    missing = await _preview(client, tenant, "nope", {})
    assert missing.status_code == 404
    foreign = await _preview(
        client, other_tenant, "reminder_firm", {"customer_external_id": "MINE"}
    )
    assert foreign.status_code == 404


SAMPLE = {
    "customer_name": "Distribuidora Hernández S.A. de C.V.",
    "language": "es",
    "locale": "es_MX",
    "timezone": "America/Mexico_City",
    "invoices": [
        {"number": "F-1", "currency": "MXN", "balance": "18450.00", "due_on": "2025-01-10"},
        {"number": "F-2", "currency": "USD", "balance": "2300.00", "due_on": "2025-01-20"},
        {"number": "F-3", "currency": "USD", "balance": "700.00", "due_on": "2025-02-01"},
    ],
}


async def test_preview_takes_validated_sample_data(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    variants = _by_channel(await _preview(client, tenant, "reminder_firm", {"sample": SAMPLE}))
    email = variants["email"]
    assert (email["language"], email["locale"]) == ("es", "es_MX")
    assert email["text"].startswith("Cliente: Distribuidora Hernández S.A. de C.V.")
    assert "$18,450.00" in email["text"]  # MXN in es_MX
    assert "USD3,000.00" in email["text"]  # the two USD invoices, totalled apart
    assert "F-3" in email["text"]
    for bad in (
        {**SAMPLE, "invoices": [{**SAMPLE["invoices"][0], "currency": "XYZ"}]},  # type: ignore[dict-item]
        {**SAMPLE, "invoices": [{**SAMPLE["invoices"][0], "balance": "1.234"}]},  # type: ignore[dict-item]
        {**SAMPLE, "timezone": "Mars/Olympus"},
        {**SAMPLE, "locale": "fr_FR"},
        {**SAMPLE, "colour": "red"},
    ):
        refused = await _preview(client, tenant, "reminder_firm", {"sample": bad})
        assert refused.status_code == 422, bad
        assert refused.json()["detail"]
    both = await _preview(
        client, tenant, "reminder_firm", {"sample": SAMPLE, "customer_external_id": "X"}
    )
    assert both.status_code == 422


async def test_a_promise_is_never_a_sum_across_currencies(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    variants = _by_channel(
        await _preview(
            client, tenant, "promise_confirmation", {"sample": SAMPLE, "channels": ["email"]}
        )
    )
    subject = variants["email"]["subject"]
    # The earliest invoice's currency alone: MXN 18,450.00, not 18,450 + 3,000.
    assert "$18,450.00" in subject
    assert "21,450" not in subject
    plan = _by_channel(
        await _preview(
            client, tenant, "payment_plan_confirmation", {"sample": SAMPLE, "channels": ["email"]}
        )
    )
    assert "3 pagos" in plan["email"]["text"]
    assert "$6,150.00" in plan["email"]["text"]


async def test_the_referral_follows_the_tenants_policy(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    sample = {**SAMPLE, "invoices": [{**SAMPLE["invoices"][0], "due_on": "2024-10-01"}]}  # type: ignore[dict-item]
    silent = await _preview(client, tenant, "escalation_notice", {"sample": sample})
    assert silent.json()["referral"] is None
    assert "se remiten" not in _by_channel(silent)["email"]["text"]
    campaign = await client.post(
        "/v1/campaigns",
        json={
            "name": "Legal track",
            "steps": [
                {
                    "name": "90+",
                    "min_days_past_due": 91,
                    "max_days_past_due": 400,
                    "channels": ["email"],
                    "template": "escalation_notice",
                }
            ],
            "rules": {"referral": "Pérez y Asociados, S.C."},
        },
        headers=tenant.headers,
    )
    assert campaign.status_code == 201, campaign.text
    policy = await _preview(client, tenant, "escalation_notice", {"sample": sample})
    assert policy.json()["referral"] == "Pérez y Asociados, S.C."
    email = _by_channel(policy)["email"]["text"]
    assert "se remiten a Pérez y Asociados, S.C.\n" in email
    chosen = await _preview(
        client, tenant, "escalation_notice", {"sample": {**sample, "referral": "agency"}}
    )
    assert "se remiten a una agencia de cobranza." in _by_channel(chosen)["email"]["text"]


async def test_message_settings_change_the_sms_and_stay_within_the_tenant(
    client: httpx.AsyncClient, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    body = {"sample": SAMPLE, "channels": ["sms"]}
    before = _by_channel(await _preview(client, tenant, "reminder_friendly", body))["sms"]
    assert before["sms_encoding"] == "GSM-7"
    assert before["text"].endswith("Responda BAJA para no recibir mas mensajes.")
    changed = await client.patch(
        "/v1/templates/settings",
        json={"sms_transliteration": False, "sms_max_segments": 4},
        headers=tenant.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["sms_max_segments"] == 4
    after = _by_channel(await _preview(client, tenant, "reminder_friendly", body))["sms"]
    assert after["sms_encoding"] == "UCS-2"
    assert after["sms_budget"] == 4
    assert after["sms_segments"] <= 4
    assert after["text"].endswith("Responda BAJA para no recibir más mensajes.")
    theirs = _by_channel(await _preview(client, other_tenant, "reminder_friendly", body))["sms"]
    assert (theirs["sms_encoding"], theirs["sms_budget"]) == ("GSM-7", 2)
    assert (await client.get("/v1/templates/settings", headers=other_tenant.headers)).json()[
        "sms_transliteration"
    ] is True
    for bad in ({"sms_max_segments": 0}, {"sms_max_segments": 11}, {"postal_address": "x"}):
        refused = await client.patch("/v1/templates/settings", json=bad, headers=tenant.headers)
        assert refused.status_code == 422, bad


async def test_only_an_admin_changes_the_message_settings(
    client: httpx.AsyncClient, database: Database, tenant: TenantHandle
) -> None:
    agent = await issue_key(database, tenant.tenant, Role.agent)
    headers = {"Authorization": f"Bearer {agent}"}
    assert (await client.get("/v1/templates/settings", headers=headers)).status_code == 200
    refused = await client.patch(
        "/v1/templates/settings", json={"sms_max_segments": 3}, headers=headers
    )
    assert refused.status_code == 403


async def test_a_postal_address_cannot_be_cleared(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    for address in ("", "  \n ", "x"):
        cleared = await client.patch(
            "/v1/templates/settings", json={"postal_address": address}, headers=tenant.headers
        )
        assert cleared.status_code == 422, address
    kept = (await client.get("/v1/templates/settings", headers=tenant.headers)).json()
    assert kept["postal_address"] == "500 Harbor Way, Suite 300\nBoston, MA 02110"


async def test_preview_refuses_email_for_a_tenant_without_a_postal_address(
    client: httpx.AsyncClient, tenant_without_address: TenantHandle
) -> None:
    refused = await _preview(client, tenant_without_address, "reminder_firm", {})
    assert refused.status_code == 422
    assert "postal address" in refused.json()["detail"]
    sms_only = await _preview(
        client, tenant_without_address, "reminder_firm", {"channels": ["sms", "portal"]}
    )
    assert set(_by_channel(sms_only)) == {"sms", "portal"}
    set_it = await client.patch(
        "/v1/templates/settings",
        json={"postal_address": "Av. Reforma 100, Col. Juárez\r\n06600 Ciudad de México, CDMX\n"},
        headers=tenant_without_address.headers,
    )
    assert set_it.status_code == 200, set_it.text
    assert set_it.json()["postal_address"] == (
        "Av. Reforma 100, Col. Juárez\n06600 Ciudad de México, CDMX"
    )
    email = _by_channel(await _preview(client, tenant_without_address, "reminder_firm", {}))[
        "email"
    ]
    assert "Av. Reforma 100, Col. Juárez\n06600 Ciudad de México, CDMX" in email["text"]
    assert "Av. Reforma 100, Col. Juárez, 06600 Ciudad de México, CDMX" in email["html"]


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
    variants = _by_channel(
        await _preview(
            client, tenant, "reminder_firm", {"customer_external_id": "OV", "language": "en"}
        )
    )
    assert variants["sms"]["text"].startswith("Hola {{ 7*7 }} <script>alert(1)</script>, ref 42.")
    assert variants["sms"]["text"].endswith("Reply STOP to opt out.")
    assert "&lt;script&gt;" in variants["email"]["html"]
    assert "<script>alert" not in variants["email"]["html"]
    # The other tenant still gets the default wording.
    await put_customer(client, other_tenant, "OV2")
    theirs = _by_channel(
        await _preview(
            client, other_tenant, "reminder_firm", {"customer_external_id": "OV2", "language": "en"}
        )
    )
    assert not theirs["sms"]["text"].startswith("Hola")
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


@pytest.mark.parametrize(
    ("filename", "reason"),
    [
        ("_footer.sms.j2", "opt-out text"),
        ("_footer.email.html.j2", "postal address"),
        ("_footer.email.txt.j2", "opt-out text"),
        ("_layout.email.html.j2", "sender's identity"),
        ("_words.j2", "building block"),
        ("_macros.email.html.j2", "building block"),
    ],
)
async def test_partials_cannot_be_overridden(
    client: httpx.AsyncClient, tenant: TenantHandle, filename: str, reason: str
) -> None:
    refused = await client.put(
        f"/v1/templates/overrides/es/{filename}", json={"source": "x"}, headers=tenant.headers
    )
    assert refused.status_code == 422
    assert reason in refused.json()["detail"]
    listed = (await client.get("/v1/templates/overrides", headers=tenant.headers)).json()
    assert listed == []


async def test_the_openapi_document_shows_examples_for_both_endpoints(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    listing = document["paths"]["/v1/templates"]["get"]
    assert listing["responses"]["200"]["content"]["application/json"]["example"]["templates"]
    preview = document["paths"]["/v1/templates/{name}/preview"]["post"]
    request_examples = preview["requestBody"]["content"]["application/json"]["examples"]
    assert {"customer", "sample"} <= set(request_examples)
    answer = preview["responses"]["200"]["content"]["application/json"]["example"]
    assert any(v["sms_segments"] for v in answer["variants"])


async def test_a_referral_set_in_the_tenants_defaults_counts(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    sample = {**SAMPLE, "invoices": [{**SAMPLE["invoices"][0], "due_on": "2024-10-01"}]}  # type: ignore[dict-item]
    defaults = await client.put(
        "/v1/campaign-defaults",
        json={"referral": "Despacho Ruiz, S.C."},
        headers=tenant.headers,
    )
    assert defaults.status_code == 200, defaults.text
    campaign = await client.post(
        "/v1/campaigns",
        json={
            "name": "Escalation without its own referral",
            "steps": [
                {
                    "name": "90+",
                    "min_days_past_due": 91,
                    "max_days_past_due": 400,
                    "channels": ["email"],
                    "template": "escalation_notice",
                }
            ],
        },
        headers=tenant.headers,
    )
    assert campaign.status_code == 201, campaign.text
    policy = await _preview(client, tenant, "escalation_notice", {"sample": sample})
    assert policy.json()["referral"] == "Despacho Ruiz, S.C."
