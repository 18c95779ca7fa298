"""A key of one tenant never sees another tenant's portfolio: foreign ids answer 404."""

from __future__ import annotations

from datetime import date

import httpx

from tests.ledger.builders import put_customer, put_invoice
from tests.tenancy.builders import TenantHandle


async def test_foreign_customer_and_invoice_are_404(
    client: httpx.AsyncClient, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    await put_customer(client, tenant, "SECRET-1", name="Only Mine")
    await put_invoice(
        client, tenant, "SECRET-INV", customer="SECRET-1", due_on=date(2026, 1, 1), balance="999.00"
    )
    assert (
        await client.get("/v1/customers/SECRET-1", headers=other_tenant.headers)
    ).status_code == 404
    assert (
        await client.get("/v1/invoices/SECRET-INV", headers=other_tenant.headers)
    ).status_code == 404
    # Writing an invoice for a customer of another tenant is refused, not attached to it.
    foreign = await client.put(
        "/v1/invoices/X-1",
        json={
            "customer_external_id": "SECRET-1",
            "currency": "USD",
            "amount": "1",
            "balance": "1",
            "issued_on": "2026-01-01",
            "due_on": "2026-01-02",
        },
        headers=other_tenant.headers,
    )
    assert foreign.status_code == 422


async def test_same_ids_in_two_tenants_stay_apart(
    client: httpx.AsyncClient, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    await put_customer(client, tenant, "SHARED", name="Tenant A's customer")
    await put_customer(client, other_tenant, "SHARED", name="Tenant B's customer")
    await put_invoice(
        client, tenant, "SAME-NO", customer="SHARED", due_on=date(2026, 1, 1), balance="10.00"
    )
    await put_invoice(
        client, other_tenant, "SAME-NO", customer="SHARED", due_on=date(2026, 1, 1), balance="20.00"
    )
    a = (await client.get("/v1/customers/SHARED", headers=tenant.headers)).json()
    b = (await client.get("/v1/customers/SHARED", headers=other_tenant.headers)).json()
    assert (a["name"], b["name"]) == ("Tenant A's customer", "Tenant B's customer")
    inv_a = (await client.get("/v1/invoices/SAME-NO", headers=tenant.headers)).json()
    assert inv_a["balance"] == "10.00"


async def test_aging_counts_only_the_callers_portfolio(
    client: httpx.AsyncClient, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    await put_customer(client, other_tenant, "B-ONLY")
    await put_invoice(
        client, other_tenant, "B-INV", customer="B-ONLY", due_on=date(2026, 1, 1), balance="5000.00"
    )
    report = (
        await client.get("/v1/aging", params={"as_of": "2026-06-30"}, headers=tenant.headers)
    ).json()
    assert all(bucket["invoices"] == 0 for bucket in report["buckets"])
    theirs = (
        await client.get("/v1/aging", params={"as_of": "2026-06-30"}, headers=other_tenant.headers)
    ).json()
    assert theirs["buckets"][4]["balance"] == {"USD": "5000.00"}
