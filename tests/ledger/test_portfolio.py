from __future__ import annotations

from datetime import date, timedelta

import httpx

from service.db import Database
from service.tenancy.models import Role
from tests.ledger.builders import put_customer, put_invoice
from tests.tenancy.builders import TenantHandle, issue_key


async def test_put_customer_creates_then_updates(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    body = {
        "name": "Lam Design Studio",
        "language": "en",
        "phone": "(415) 555-2671",
        "email": "AP@LamDesign.Example",
        "timezone": "America/Los_Angeles",
        "tags": ["vip", "vip"],
    }
    created = await client.put("/v1/customers/C-1", json=body, headers=tenant.headers)
    assert created.status_code == 201, created.text
    data = created.json()
    assert data["phone"] == "+14155552671"
    assert data["email"] == "AP@lamdesign.example"
    assert data["tags"] == ["vip"]
    assert data["opted_out_channels"] == []

    again = await client.put("/v1/customers/C-1", json=body, headers=tenant.headers)
    assert again.status_code == 200
    assert again.json()["updated_at"] == data["updated_at"]

    changed = await client.put(
        "/v1/customers/C-1", json={**body, "language": "es"}, headers=tenant.headers
    )
    assert changed.status_code == 200
    fetched = await client.get("/v1/customers/C-1", headers=tenant.headers)
    assert fetched.json()["language"] == "es"


async def test_national_phone_takes_the_tenant_country(
    client: httpx.AsyncClient, database: Database
) -> None:
    from tests.tenancy.builders import make_tenant

    mexican = await make_tenant(
        database, name="Cliente MX", language="es", timezone="America/Mexico_City", country="MX"
    )
    data = await put_customer(client, mexican, "MX-1", phone="55 1234 5678", language="es")
    assert data["phone"] == "+525512345678"


async def test_bad_customer_fields_get_clear_422(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    for field, value in (
        ("phone", "12"),
        ("email", "not-an-email"),
        ("timezone", "Mars/Base"),
        ("language", "fr"),
        ("locale", "xx_YY"),
    ):
        response = await client.put(
            "/v1/customers/BAD", json={"name": "X", field: value}, headers=tenant.headers
        )
        assert response.status_code == 422, (field, response.text)
        assert field in str(response.json()["detail"])
    missing = await client.get("/v1/customers/BAD", headers=tenant.headers)
    assert missing.status_code == 404


async def test_invoice_put_and_money_as_decimal_strings(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    await put_customer(client, tenant, "C-2")
    data = await put_invoice(
        client,
        tenant,
        "INV-1",
        customer="C-2",
        due_on=date(2026, 3, 1),
        amount="1234.5",
        balance="1234.5",
        po_number="PO-9",
    )
    assert data["amount"] == "1234.50"
    assert data["customer_external_id"] == "C-2"
    yen = await put_invoice(
        client,
        tenant,
        "INV-JPY",
        customer="C-2",
        due_on=date(2026, 3, 1),
        balance="1200",
        currency="jpy",
    )
    assert (yen["currency"], yen["balance"]) == ("JPY", "1200")
    fetched = await client.get("/v1/invoices/INV-1", headers=tenant.headers)
    assert fetched.json()["po_number"] == "PO-9"


async def test_invoice_refuses_bad_input(client: httpx.AsyncClient, tenant: TenantHandle) -> None:
    await put_customer(client, tenant, "C-3")
    base = {
        "customer_external_id": "C-3",
        "currency": "USD",
        "amount": "10",
        "balance": "10",
        "issued_on": "2026-01-10",
        "due_on": "2026-02-10",
    }
    cases = [
        ({"customer_external_id": "nobody"}, "customer_external_id"),
        ({"currency": "ZZZ"}, "currency"),
        ({"amount": "10.001"}, "amount"),
        ({"amount": "1,5"}, "amount"),
        ({"due_on": "2026-01-01"}, "due_on"),
        ({"due_on": "2026-02-30"}, "due_on"),
        ({"status": "lost"}, "status"),
    ]
    for change, field in cases:
        response = await client.put(
            "/v1/invoices/BAD-1", json={**base, **change}, headers=tenant.headers
        )
        assert response.status_code == 422, (change, response.text)
        assert field in str(response.json()["detail"]), response.text
    assert (await client.get("/v1/invoices/BAD-1", headers=tenant.headers)).status_code == 404


async def test_aging_buckets_by_days_past_due(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    as_of = date(2026, 6, 30)
    await put_customer(client, tenant, "A")
    await put_customer(client, tenant, "B")
    rows = [
        ("current-1", "A", 0, "100.00", "USD"),  # due today: not yet past due
        ("b1-30", "A", 1, "10.10", "USD"),
        ("b1-30-b", "B", 30, "5.00", "EUR"),
        ("b31-60", "B", 31, "7.00", "USD"),
        ("b61-90", "A", 90, "1.00", "USD"),
        ("b90+", "B", 91, "2.50", "USD"),
    ]
    for number, customer, days, balance, currency in rows:
        await put_invoice(
            client,
            tenant,
            number,
            customer=customer,
            due_on=as_of - timedelta(days=days),
            balance=balance,
            currency=currency,
        )
    await put_invoice(
        client,
        tenant,
        "paid",
        customer="A",
        due_on=as_of - timedelta(days=45),
        balance="0",
        amount="50.00",
        status="paid",
    )
    response = await client.get(
        "/v1/aging", params={"as_of": as_of.isoformat()}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["as_of"] == "2026-06-30"
    buckets = {b["bucket"]: b for b in report["buckets"]}
    assert [b["bucket"] for b in report["buckets"]] == ["current", "1-30", "31-60", "61-90", "90+"]
    assert buckets["current"] == {
        "bucket": "current",
        "invoices": 1,
        "customers": 1,
        "balance": {"USD": "100.00"},
    }
    assert buckets["1-30"] == {
        "bucket": "1-30",
        "invoices": 2,
        "customers": 2,
        "balance": {"EUR": "5.00", "USD": "10.10"},
    }
    assert buckets["31-60"]["balance"] == {"USD": "7.00"}
    assert buckets["61-90"]["invoices"] == 1
    assert buckets["90+"]["balance"] == {"USD": "2.50"}


async def test_roles_limit_writes(
    client: httpx.AsyncClient, database: Database, tenant: TenantHandle
) -> None:
    agent = await issue_key(database, tenant.tenant, Role.agent)
    headers = {"Authorization": f"Bearer {agent}"}
    refused = await client.put("/v1/customers/R-1", json={"name": "X"}, headers=headers)
    assert refused.status_code == 403
    await put_customer(client, tenant, "R-1")
    assert (await client.get("/v1/customers/R-1", headers=headers)).status_code == 200


async def test_missing_or_wrong_key_is_401(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/aging")).status_code == 401
    wrong = await client.get("/v1/aging", headers={"Authorization": "Bearer cobro_nope"})
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "invalid API key"


async def test_ids_and_fields_longer_than_their_columns_get_422(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    long_id = "C" * 129
    invoice = {
        "customer_external_id": "LEN-1",
        "currency": "USD",
        "amount": "1.00",
        "balance": "1.00",
        "issued_on": "2024-05-01",
        "due_on": "2024-06-01",
    }
    await put_customer(client, tenant, "LEN-1")
    for method, path, body in (
        ("PUT", f"/v1/customers/{long_id}", {"name": "Too Long Id"}),
        ("GET", f"/v1/customers/{long_id}", None),
        ("PUT", f"/v1/invoices/{'9' * 129}", invoice),
        ("GET", f"/v1/invoices/{'9' * 129}", None),
        ("PUT", "/v1/customers/LEN-2", {"name": "N" * 301}),
        ("PUT", "/v1/customers/LEN-2", {"name": "Ok", "email": "a" * 310 + "@example.com"}),
        ("PUT", "/v1/customers/LEN-2", {"name": "Ok", "tags": ["t" * 65]}),
        ("PUT", "/v1/customers/LEN-2", {"name": "Ok", "timezone": "Z" * 65}),
        ("PUT", "/v1/invoices/LEN-INV", {**invoice, "po_number": "P" * 129}),
        ("PUT", "/v1/invoices/LEN-INV", {**invoice, "customer_external_id": long_id}),
    ):
        response = await client.request(method, path, json=body, headers=tenant.headers)
        assert response.status_code == 422, (method, path, response.text)
        assert response.json()["detail"], response.text
    # At the limit, accepted.
    at_limit = await client.put(
        f"/v1/customers/{'C' * 128}", json={"name": "N" * 300}, headers=tenant.headers
    )
    assert at_limit.status_code == 201, at_limit.text


async def test_opted_out_channels_match_an_email_with_capitals(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    body = {"name": "Núñez Hnos.", "email": "Ana.Lopez@NunezHnos.Example"}
    assert (await client.put("/v1/customers/CAPS", json=body, headers=tenant.headers)).is_success
    opted = await client.put(
        "/v1/consent",
        json={"channel": "email", "address": "Ana.Lopez@NunezHnos.Example", "opted_out": True},
        headers=tenant.headers,
    )
    assert opted.status_code in (200, 201), opted.text
    customer = (await client.get("/v1/customers/CAPS", headers=tenant.headers)).json()
    assert customer["opted_out_channels"] == ["email"]
