"""Files as integrators send them: Excel's CSV dialects, typed XLSX cells, and files that
cannot be imported at all."""

from __future__ import annotations

import io
from datetime import date, datetime

import httpx
import openpyxl
import pytest
from fastapi import UploadFile

from service.db import Database
from service.errors import PayloadTooLarge
from service.ledger.imports import import_upload
from tests.ledger.test_imports import (
    GOOD_ROWS,
    _csv,
    _customer,
    _import,
    _invoice,
    _post,
    _stored_invoices,
)
from tests.tenancy.builders import TenantHandle


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def test_bom_semicolons_decimal_commas_and_loose_header(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    data = (
        "\ufeff Customer_ID ;Customer Name;INVOICE_NUMBER;Currency;Amount;Balance;"
        "Issue_Date;Due_Date;Region\n"
        "K-1;Müller GmbH;DE-77;EUR;1.234,50;234,5;2024-03-01;2024-03-31;Nord\n"
    ).encode()

    report = await _import(client, tenant, data)

    assert (report["accepted"], report["rejected"]) == (1, 0)
    invoice = await _invoice(client, tenant, "DE-77")
    assert (invoice["amount"], invoice["balance"], invoice["currency"]) == (
        "1234.50",
        "234.50",
        "EUR",
    )
    assert (await _customer(client, tenant, "K-1"))["name"] == "Müller GmbH"


async def test_xlsx_with_typed_cells(
    client: httpx.AsyncClient, tenant: TenantHandle, database: Database
) -> None:
    data = _xlsx(
        [
            [
                "Customer_ID",
                "Customer_Name",
                "Language",
                "Phone",
                "Invoice_Number",
                "Currency",
                "Amount",
                "Balance",
                "Issue_Date",
                "Due_Date",
            ],
            [
                1001,
                "Delta Supplies",
                "es",
                4155550177,
                90001,
                "USD",
                1234.1,
                0.3,
                datetime(2024, 5, 2),
                date(2024, 6, 1),
            ],
            [],
            [
                1001,
                "Delta Supplies",
                "es",
                4155550177,
                90002,
                "JPY",
                120000,
                120000.0,
                "2024-05-03",
                "2024-06-02",
            ],
            [
                1001,
                "Delta Supplies",
                "es",
                4155550177,
                90003,
                "USD",
                10.001,
                1,
                "2024-05-03",
                "2024-06-02",
            ],
        ]
    )

    response = await _post(
        client,
        tenant,
        data,
        name="aging.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["accepted"], report["rejected"], report["customers_created"]) == (2, 1, 1)
    assert report["rejected_rows"] == [
        {
            "row": 5,
            "reason": "amount: USD takes at most 2 decimal places: '10.001'",
            "invoice_number": "90003",
        }
    ]
    first = await _invoice(client, tenant, "90001")
    assert (first["amount"], first["balance"]) == ("1234.10", "0.30")
    assert (first["issued_on"], first["due_on"], first["customer_external_id"]) == (
        "2024-05-02",
        "2024-06-01",
        "1001",
    )
    assert (await _invoice(client, tenant, "90002"))["amount"] == "120000"
    assert (await _customer(client, tenant, "1001"))["phone"] == "+14155550177"
    stored = await _stored_invoices(database, tenant.tenant.id)
    assert str(stored["90001"].amount.normalize()) == "1234.1"


@pytest.mark.parametrize(
    ("data", "status", "detail"),
    [
        (b"customer_id,customer_name,currency\nC-1,Acme,USD\n", 422, "missing required columns"),
        (b"", 422, "the file is empty"),
        (b"\n \n", 422, "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 400, "not a CSV or XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, 400, ".xls"),
        (b"PK\x03\x04not really a zip", 400, "not a readable XLSX"),
        ("customer_id;name\nC-1;Caf\xe9\n".encode("latin-1"), 400, "UTF-8"),
    ],
)
async def test_files_that_cannot_be_imported(
    client: httpx.AsyncClient, tenant: TenantHandle, data: bytes, status: int, detail: str
) -> None:
    response = await _post(client, tenant, data)

    assert response.status_code == status, response.text
    assert detail in response.json()["detail"]


async def test_a_header_alone_imports_nothing(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    report = await _import(client, tenant, _csv(""))

    assert (report["rows"], report["accepted"], report["rejected"]) == (0, 0, 0)


async def test_an_upload_above_the_limit_is_refused(
    database: Database, tenant: TenantHandle
) -> None:
    data = _csv(GOOD_ROWS)
    upload = UploadFile(file=io.BytesIO(data), filename="aging.csv", size=len(data))

    with pytest.raises(PayloadTooLarge):
        async with database.transaction() as session:
            await import_upload(session, tenant=tenant.tenant, upload=upload, max_bytes=100)

    assert await _stored_invoices(database, tenant.tenant.id) == {}
