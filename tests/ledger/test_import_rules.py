"""What a re-import does to invoices closed through the API, and the file-wide rules (repeated
invoice numbers, a customer's first row) across chunk boundaries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from service.db import Database
from service.ledger.import_memory import MEMORY_LIMIT
from service.ledger.imports import CHUNK_ROWS, ImportProgress, import_path
from tests.ledger.test_imports import GOOD_ROWS, HEADER, _csv, _import, _invoice, _stored_invoices
from tests.tenancy.builders import TenantHandle


async def _close(
    client: httpx.AsyncClient, handle: TenantHandle, number: str, **changes: Any
) -> dict[str, Any]:
    invoice = await _invoice(client, handle, number)
    body = {
        "customer_external_id": invoice["customer_external_id"],
        "currency": invoice["currency"],
        "amount": invoice["amount"],
        "balance": invoice["balance"],
        "issued_on": invoice["issued_on"],
        "due_on": invoice["due_on"],
        "po_number": invoice["po_number"],
        **changes,
    }
    response = await client.put(f"/v1/invoices/{number}", json=body, headers=handle.headers)
    assert response.status_code == 200, response.text
    closed: dict[str, Any] = response.json()
    return closed


async def test_reimporting_an_old_export_keeps_invoices_closed_through_the_api(
    client: httpx.AsyncClient, tenant: TenantHandle, database: Database
) -> None:
    data = _csv(GOOD_ROWS)
    await _import(client, tenant, data)
    await _close(client, tenant, "INV-1001", status="paid", balance="0.00")
    await _close(client, tenant, "INV-1002", status="written_off")
    before = await _stored_invoices(database, tenant.tenant.id)

    report = await _import(client, tenant, data)

    assert (report["unchanged"], report["invoices_updated"]) == (3, 0)
    paid = await _invoice(client, tenant, "INV-1001")
    assert (paid["status"], paid["balance"]) == ("paid", "0.00")
    assert (await _invoice(client, tenant, "INV-1002"))["status"] == "written_off"
    after = await _stored_invoices(database, tenant.tenant.id)
    assert {n: i.updated_at for n, i in after.items()} == {
        n: i.updated_at for n, i in before.items()
    }


async def test_a_new_figure_in_an_export_reopens_a_closed_invoice(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    await _import(client, tenant, _csv(GOOD_ROWS))
    await _close(client, tenant, "INV-1001", status="paid", balance="0.00")

    report = await _import(
        client, tenant, _csv(GOOD_ROWS.replace("1250.00,1250.00", "1250.00,400.00"))
    )

    assert (report["invoices_updated"], report["unchanged"]) == (1, 2)
    reopened = await _invoice(client, tenant, "INV-1001")
    assert (reopened["status"], reopened["balance"]) == ("open", "400.00")


async def test_a_changed_row_with_the_same_money_keeps_the_status(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    await _import(client, tenant, _csv(GOOD_ROWS))
    await _close(client, tenant, "INV-1001", status="paid")

    report = await _import(
        client,
        tenant,
        _csv(GOOD_ROWS.replace("2024-04-01,2024-05-01,PO-77", "2024-04-01,2024-05-15,PO-77")),
    )

    assert report["invoices_updated"] == 1
    invoice = await _invoice(client, tenant, "INV-1001")
    assert (invoice["status"], invoice["due_on"]) == ("paid", "2024-05-15")


def _row(customer: str, name: str, number: str, balance: str = "10.00") -> str:
    return f"{customer},{name},en,,,,{number},USD,{balance},{balance},2024-05-01,2024-06-01,\n"


# Held in memory, and moved to the database after the first chunk (as a file too long for the
# memory limit is): the outcome is the same.
@pytest.mark.parametrize("memory_limit", [MEMORY_LIMIT, 100])
async def test_file_rules_hold_across_chunks(
    database: Database,
    tenant: TenantHandle,
    client: httpx.AsyncClient,
    tmp_path: Path,
    memory_limit: int,
) -> None:
    path = tmp_path / "aging.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        out.write(_row("C-X", "First Name Ltd", "DUP-1"))  # row 2
        for index in range(CHUNK_ROWS + 10):
            out.write(_row(f"F{index % 50}", f"Filler {index % 50}", f"N{index:06d}"))
        # In a later chunk: the same number again, and the same customer with other details.
        out.write(_row("C-X", "Second Name Ltd", "DUP-1", balance="99.00"))
        out.write(_row("C-X", "Second Name Ltd", "LATE-1"))
    last_row = CHUNK_ROWS + 14

    report = await import_path(
        database, tenant_id=tenant.tenant.id, path=path, memory_limit=memory_limit
    )

    assert (report.rows, report.rejected) == (CHUNK_ROWS + 13, 1)
    assert [(r.row, r.reason) for r in report.rejected_rows] == [
        (last_row - 1, "invoice_number: 'DUP-1' already appears on row 2")
    ]
    assert report.customers_created == 51
    assert (await _invoice(client, tenant, "DUP-1"))["balance"] == "10.00"
    customer = await client.get("/v1/customers/C-X", headers=tenant.headers)
    assert customer.json()["name"] == "First Name Ltd"
    assert (await _invoice(client, tenant, "LATE-1"))["customer_external_id"] == "C-X"

    again = await import_path(
        database, tenant_id=tenant.tenant.id, path=path, memory_limit=memory_limit
    )

    assert (again.unchanged, again.invoices_updated, again.customers_updated) == (
        CHUNK_ROWS + 12,
        0,
        0,
    )
    assert again.rejected_rows == report.rejected_rows


async def test_xlsx_progress_counts_rows_of_the_sheet(
    database: Database, tenant: TenantHandle, tmp_path: Path
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    for index in range(30):
        sheet.append(_row("C-1", "Acme", f"X-{index}").strip().split(","))
    path = tmp_path / "aging.xlsx"
    workbook.save(path)
    progress: list[ImportProgress] = []

    report = await import_path(
        database, tenant_id=tenant.tenant.id, path=path, on_progress=progress.append
    )

    assert report.accepted == 30
    assert [(step.rows, step.done, step.total) for step in progress] == [(30, 31, 31)]
