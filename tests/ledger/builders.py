"""Builders for customers and invoices, through the public API as an integrator would."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from tests.tenancy.builders import TenantHandle


async def put_customer(
    client: httpx.AsyncClient, tenant: TenantHandle, external_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"name": f"Customer {external_id}", "language": "en", **fields}
    response = await client.put(f"/v1/customers/{external_id}", json=body, headers=tenant.headers)
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


async def put_invoice(
    client: httpx.AsyncClient,
    tenant: TenantHandle,
    number: str,
    *,
    customer: str,
    due_on: date,
    balance: str = "100.00",
    currency: str = "USD",
    **fields: Any,
) -> dict[str, Any]:
    body = {
        "customer_external_id": customer,
        "currency": currency,
        "amount": fields.pop("amount", balance),
        "balance": balance,
        "issued_on": (due_on - timedelta(days=30)).isoformat(),
        "due_on": due_on.isoformat(),
        **fields,
    }
    response = await client.put(f"/v1/invoices/{number}", json=body, headers=tenant.headers)
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result
