"""Importing aging exports through `POST /v1/imports` and `import_path`."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from service.db import Database
from service.ledger.imports import (
    CHUNK_ROWS,
    MAX_LISTED_REJECTIONS,
    ImportProgress,
    import_path,
)
from service.ledger.models import Customer, Invoice
from tests.tenancy.builders import TenantHandle

HEADER = (
    "customer_id,customer_name,language,timezone,email,phone,"
    "invoice_number,currency,amount,balance,issue_date,due_date,po_number"
)
GOOD_ROWS = (
    "C-100,Acme Paper Co,en,America/Chicago,AP@Acme.example,(415) 555-0132,"
    "INV-1001,USD,1250.00,1250.00,2024-04-01,2024-05-01,PO-77\n"
    "C-100,Acme Paper Co,en,America/Chicago,AP@Acme.example,(415) 555-0132,"
    'INV-1002,USD,"1,980.50",980.50,2024-05-10,2024-06-09,\n'
    "C-200,Papelería del Norte,es,America/Mexico_City,pagos@norte.example,,"
    "INV-2001,MXN,15000,15000,2024-06-01,2024-07-01,\n"
)
AS_OF = "2024-06-30"


def _csv(rows: str, header: str = HEADER) -> bytes:
    return f"{header}\n{rows}".encode()


async def _post(
    client: httpx.AsyncClient,
    handle: TenantHandle,
    data: bytes,
    *,
    name: str = "aging.csv",
    content_type: str = "text/csv",
) -> httpx.Response:
    return await client.post(
        "/v1/imports", files={"file": (name, data, content_type)}, headers=handle.headers
    )


async def _import(client: httpx.AsyncClient, handle: TenantHandle, data: bytes) -> dict[str, Any]:
    response = await _post(client, handle, data)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def _invoice(client: httpx.AsyncClient, handle: TenantHandle, number: str) -> dict[str, Any]:
    response = await client.get(f"/v1/invoices/{number}", headers=handle.headers)
    assert response.status_code == 200, response.text
    invoice: dict[str, Any] = response.json()
    return invoice


async def _customer(
    client: httpx.AsyncClient, handle: TenantHandle, external_id: str
) -> dict[str, Any]:
    response = await client.get(f"/v1/customers/{external_id}", headers=handle.headers)
    assert response.status_code == 200, response.text
    customer: dict[str, Any] = response.json()
    return customer


async def _stored_invoices(database: Database, tenant_id: uuid.UUID) -> dict[str, Invoice]:
    async with database.transaction() as session:
        result = await session.execute(select(Invoice).where(Invoice.tenant_id == tenant_id))
        return {invoice.number: invoice for invoice in result.scalars()}


async def test_csv_import_stores_customers_and_invoices(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    report = await _import(client, tenant, _csv(GOOD_ROWS))

    assert report == {
        "rows": 3,
        "accepted": 3,
        "rejected": 0,
        "customers_created": 2,
        "customers_updated": 0,
        "invoices_created": 3,
        "invoices_updated": 0,
        "unchanged": 0,
        "rejected_rows": [],
        "rejected_rows_truncated": False,
    }
    invoice = await _invoice(client, tenant, "INV-1002")
    assert invoice["customer_external_id"] == "C-100"
    assert (invoice["amount"], invoice["balance"]) == ("1980.50", "980.50")
    assert (invoice["issued_on"], invoice["due_on"]) == ("2024-05-10", "2024-06-09")
    assert invoice["status"] == "open"
    assert (await _invoice(client, tenant, "INV-1001"))["po_number"] == "PO-77"
    acme = await _customer(client, tenant, "C-100")
    assert acme["phone"] == "+14155550132"  # a national number takes the tenant's country
    assert acme["email"] == "AP@acme.example"
    assert (acme["language"], acme["timezone"]) == ("en", "America/Chicago")
    norte = await _customer(client, tenant, "C-200")
    assert (norte["name"], norte["language"], norte["phone"]) == ("Papelería del Norte", "es", None)

    aging = (await client.get(f"/v1/aging?as_of={AS_OF}", headers=tenant.headers)).json()
    buckets = {bucket["bucket"]: bucket for bucket in aging["buckets"]}
    assert buckets["current"]["balance"] == {"MXN": "15000.00"}
    assert (buckets["1-30"]["invoices"], buckets["1-30"]["balance"]) == (1, {"USD": "980.50"})
    assert (buckets["31-60"]["invoices"], buckets["31-60"]["balance"]) == (1, {"USD": "1250.00"})


REJECTIONS: list[tuple[str, str]] = [
    ("C-1,Acme,,,,,R-01,USD,10.00,10.00,2024-13-45,2024-06-01,", "issue_date: not a date"),
    ("C-1,Acme,,,,,R-02,USD,ten,10.00,2024-05-01,2024-06-01,", "amount: not an amount"),
    ('C-1,Acme,,,,,R-03,USD,10.00,"1,5",2024-05-01,2024-06-01,', "balance: not an amount"),
    ("C-1,Acme,,,,,R-04,XYZ,10.00,10.00,2024-05-01,2024-06-01,", "currency: unknown currency"),
    ("C-1,Acme,,,,555-01,R-05,USD,10.00,10.00,2024-05-01,2024-06-01,", "phone: not a"),
    ("C-1,Acme,,,ap@@acme,,R-06,USD,10.00,10.00,2024-05-01,2024-06-01,", "email: not an email"),
    (",Acme,,,,,R-07,USD,10.00,10.00,2024-05-01,2024-06-01,", "customer_id: missing"),
    ("C-1,Acme,,,,,,USD,10.00,10.00,2024-05-01,2024-06-01,", "invoice_number: missing"),
    ("C-1,Acme,,,,,R-09,USD,10.00,10.00,2024-06-01,2024-05-01,", "due_date: falls before"),
    ("C-1,Acme,fr,,,,R-10,USD,10.00,10.00,2024-05-01,2024-06-01,", "language: must be one of"),
    ("C-1,Acme,,Mars/Olympus,,,R-11,USD,10.00,10.00,2024-05-01,2024-06-01,", "timezone: unknown"),
    ("C-1,Acme,,,,,OK-1,USD,10.00,10.00,2024-05-01,2024-06-01,", "invoice_number: 'OK-1' already"),
    ("C-1,,,,,,R-13,USD,10.00,10.00,2024-05-01,2024-06-01,", "customer_name: missing"),
    ("C-1,Acme,,,,,R-14,USD,,10.00,2024-05-01,2024-06-01,", "amount: missing"),
]


async def test_every_rejection_has_its_row_number_and_reason(
    client: httpx.AsyncClient, tenant: TenantHandle, database: Database
) -> None:
    good_first = "C-1,Acme,,,,,OK-1,USD,10.00,10.00,2024-05-01,2024-06-01,\n"
    good_last = "C-2,Beta,,,,+14155550100,OK-2,USD,20.00,5.00,2024-05-01,2024-06-01,PO-2\n"
    # A blank line still counts as a row, as a spreadsheet shows it.
    body = good_first + "\n" + "".join(line + "\n" for line, _ in REJECTIONS) + good_last

    report = await _import(client, tenant, _csv(body))

    assert (report["rows"], report["accepted"], report["rejected"]) == (16, 2, 14)
    listed = report["rejected_rows"]
    assert [rejected["row"] for rejected in listed] == list(range(4, 4 + len(REJECTIONS)))
    for rejected, (line, reason) in zip(listed, REJECTIONS, strict=True):
        assert reason in rejected["reason"], (line, rejected)
        number = line.split(",")[6]
        assert rejected["invoice_number"] == (number or None)
    assert set(await _stored_invoices(database, tenant.tenant.id)) == {"OK-1", "OK-2"}
    assert (await _invoice(client, tenant, "OK-2"))["balance"] == "5.00"


async def test_a_row_reports_all_its_problems(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    report = await _import(
        client, tenant, _csv("C-1,Acme,xx,,,,R-1,USD,abc,10.00,2024-05-01,someday,\n")
    )

    reason = report["rejected_rows"][0]["reason"]
    assert "amount: not an amount" in reason
    assert "due_date: not a date" in reason
    assert "language: must be one of" in reason


async def test_a_customer_takes_the_details_of_its_first_valid_row(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    rows = (
        "C-9,Broken Phone Inc,,,,12,X-0,USD,1.00,1.00,2024-05-01,2024-06-01,\n"
        "C-9,First Name Inc,en,,,,X-1,USD,1.00,1.00,2024-05-01,2024-06-01,\n"
        "C-9,Second Name Inc,es,,billing@second.example,,X-2,USD,1.00,1.00,2024-05-01,2024-06-01,\n"
    )

    report = await _import(client, tenant, _csv(rows))

    assert (report["accepted"], report["customers_created"]) == (2, 1)
    customer = await _customer(client, tenant, "C-9")
    assert (customer["name"], customer["language"], customer["email"]) == (
        "First Name Inc",
        "en",
        None,
    )
    assert (await _invoice(client, tenant, "X-2"))["customer_external_id"] == "C-9"


async def test_reimporting_the_same_file_changes_nothing(
    client: httpx.AsyncClient, tenant: TenantHandle, database: Database
) -> None:
    data = _csv(GOOD_ROWS)
    await _import(client, tenant, data)
    before = await _stored_invoices(database, tenant.tenant.id)
    customer_before = await _customer(client, tenant, "C-100")

    report = await _import(client, tenant, data)

    assert report["unchanged"] == report["accepted"] == 3
    assert report["customers_created"] == report["customers_updated"] == 0
    assert report["invoices_created"] == report["invoices_updated"] == 0
    after = await _stored_invoices(database, tenant.tenant.id)
    assert {n: i.updated_at for n, i in after.items()} == {
        n: i.updated_at for n, i in before.items()
    }
    assert (await _customer(client, tenant, "C-100"))["updated_at"] == customer_before["updated_at"]


async def test_a_changed_balance_updates_only_that_invoice(
    client: httpx.AsyncClient, tenant: TenantHandle, database: Database
) -> None:
    await _import(client, tenant, _csv(GOOD_ROWS))
    before = await _stored_invoices(database, tenant.tenant.id)

    report = await _import(
        client, tenant, _csv(GOOD_ROWS.replace("1250.00,1250.00", "1250.00,250.00"))
    )

    assert (report["invoices_updated"], report["unchanged"]) == (1, 2)
    assert report["invoices_created"] == 0
    assert report["customers_updated"] == 0
    after = await _stored_invoices(database, tenant.tenant.id)
    assert after["INV-1001"].updated_at > before["INV-1001"].updated_at
    assert after["INV-1001"].created_at == before["INV-1001"].created_at
    assert {n: after[n].updated_at for n in ("INV-1002", "INV-2001")} == {
        n: before[n].updated_at for n in ("INV-1002", "INV-2001")
    }
    assert (await _invoice(client, tenant, "INV-1001"))["balance"] == "250.00"


async def test_blank_cells_and_absent_columns_keep_what_is_stored(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    put = await client.put(
        "/v1/customers/C-100",
        json={"name": "Acme", "email": "ar@acme.example", "phone": "+14155550101"},
        headers=tenant.headers,
    )
    assert put.status_code == 201, put.text
    header = "customer_id,customer_name,invoice_number,currency,amount,balance,issue_date,due_date"

    report = await _import(
        client, tenant, _csv("C-100,Acme Paper Co,Z-1,USD,5,5,2024-05-01,2024-06-01\n", header)
    )

    assert report["customers_updated"] == 1
    customer = await _customer(client, tenant, "C-100")
    assert (customer["name"], customer["email"], customer["phone"]) == (
        "Acme Paper Co",
        "ar@acme.example",
        "+14155550101",
    )


async def test_tenants_importing_the_same_numbers_stay_apart(
    client: httpx.AsyncClient, tenant: TenantHandle, other_tenant: TenantHandle, database: Database
) -> None:
    await _import(client, tenant, _csv(GOOD_ROWS))
    before = await _stored_invoices(database, tenant.tenant.id)

    report = await _import(
        client, other_tenant, _csv(GOOD_ROWS.replace("1250.00,1250.00", "9.00,9.00"))
    )

    assert (report["invoices_created"], report["customers_created"]) == (3, 2)
    after = await _stored_invoices(database, tenant.tenant.id)
    assert {n: (i.balance, i.updated_at) for n, i in after.items()} == {
        n: (i.balance, i.updated_at) for n, i in before.items()
    }
    assert (await _invoice(client, tenant, "INV-1001"))["balance"] == "1250.00"
    assert (await _invoice(client, other_tenant, "INV-1001"))["balance"] == "9.00"
    ours = await _customer(client, tenant, "C-100")
    theirs = await _customer(client, other_tenant, "C-100")
    assert ours["id"] != theirs["id"]


async def test_import_path_commits_chunk_by_chunk_and_reports_progress(
    database: Database, tenant: TenantHandle, tmp_path: Path
) -> None:
    total = 2 * CHUNK_ROWS + 500
    path = tmp_path / "aging.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for index in range(total):
            customer = index % 700  # customers recur across chunks
            out.write(
                f"C{customer},Customer {customer},es,,,,N{index:06d},USD,{index}.25,{index}.25,"
                "2024-05-01,2024-06-01,\n"
            )
    progress: list[ImportProgress] = []

    report = await import_path(
        database, tenant_id=tenant.tenant.id, path=path, on_progress=progress.append
    )

    assert [step.rows for step in progress] == [CHUNK_ROWS, 2 * CHUNK_ROWS, total]
    # A CSV's progress is in bytes of the file, ending at its size.
    size = path.stat().st_size
    assert [step.total for step in progress] == [size] * 3
    assert 0 < progress[0].done < progress[1].done < progress[2].done == size
    assert (report.accepted, report.invoices_created) == (total, total)
    assert report.customers_created == 700
    async with database.transaction() as session:
        invoices = await session.scalar(
            select(func.count()).select_from(Invoice).where(Invoice.tenant_id == tenant.tenant.id)
        )
        customers = await session.scalar(
            select(func.count()).select_from(Customer).where(Customer.tenant_id == tenant.tenant.id)
        )
        last = await session.scalar(
            select(Invoice.balance).where(
                Invoice.tenant_id == tenant.tenant.id, Invoice.number == f"N{total - 1:06d}"
            )
        )
    assert (invoices, customers) == (total, 700)
    assert str(last).startswith(f"{total - 1}.25")

    again = await import_path(database, tenant_id=tenant.tenant.id, path=path)

    assert (again.unchanged, again.invoices_updated, again.customers_updated) == (total, 0, 0)


async def test_rejected_rows_are_all_counted_but_listed_up_to_the_cap(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    bad = MAX_LISTED_REJECTIONS + 7
    rows = "".join(
        f"C-1,Acme,,,,,B{index},USD,oops,1,2024-05-01,2024-06-01,\n" for index in range(bad)
    )

    report = await _import(client, tenant, _csv(rows))

    assert (report["rejected"], len(report["rejected_rows"])) == (bad, MAX_LISTED_REJECTIONS)
    assert report["rejected_rows_truncated"] is True
    assert report["rejected_rows"][-1]["row"] == MAX_LISTED_REJECTIONS + 1
