"""Portfolio endpoints: customers, invoices, imports and aging."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, UploadFile, status

from service.deps import SessionDep, SettingsDep, StaffDep, WriterDep
from service.ledger import imports
from service.ledger import service as ledger
from service.ledger.models import Customer, Invoice
from service.ledger.schemas import (
    AgingReport,
    CustomerPublic,
    CustomerPut,
    ImportReport,
    InvoicePublic,
    InvoicePut,
)
from service.tenancy.clock import tenant_today

router = APIRouter(prefix="/v1", tags=["portfolio"])

# As long as their columns: a longer id can name nothing stored, and is refused with a 422 before
# it reaches the database (where PostgreSQL would reject the comparison with an error).
ExternalId = Annotated[
    str, Path(min_length=1, max_length=128, description="the customer's id in the client's books")
]
InvoiceNumber = Annotated[str, Path(min_length=1, max_length=128, description="invoice number")]


def _customer_public(customer: Customer, opted_out: list[str]) -> CustomerPublic:
    # Attribute by attribute: status columns load as plain strings, the public model wants enums.
    fields = {
        name: getattr(customer, name)
        for name in CustomerPublic.model_fields
        if name != "opted_out_channels"
    }
    return CustomerPublic.model_validate({**fields, "opted_out_channels": opted_out})


def _invoice_public(invoice: Invoice, customer: Customer) -> InvoicePublic:
    data = {
        name: getattr(invoice, name)
        for name in InvoicePublic.model_fields
        if name != "customer_external_id"
    }
    data["amount"] = ledger.format_money(invoice.amount, invoice.currency)
    data["balance"] = ledger.format_money(invoice.balance, invoice.currency)
    data["customer_external_id"] = customer.external_id
    return InvoicePublic.model_validate(data)


@router.put(
    "/customers/{external_id}",
    response_model=CustomerPublic,
    responses={201: {"model": CustomerPublic, "description": "created"}},
)
async def put_customer(
    external_id: ExternalId,
    payload: CustomerPut,
    principal: WriterDep,
    session: SessionDep,
    response: Response,
) -> CustomerPublic:
    customer, created = await ledger.put_customer(
        session, tenant=principal.tenant, external_id=external_id, payload=payload
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    opted_out = await ledger.opted_out_channels(
        session, tenant_id=principal.tenant.id, customer=customer
    )
    return _customer_public(customer, opted_out)


@router.get("/customers/{external_id}", response_model=CustomerPublic)
async def get_customer(
    external_id: ExternalId, principal: StaffDep, session: SessionDep
) -> CustomerPublic:
    customer = await ledger.get_customer(
        session, tenant_id=principal.tenant.id, external_id=external_id
    )
    opted_out = await ledger.opted_out_channels(
        session, tenant_id=principal.tenant.id, customer=customer
    )
    return _customer_public(customer, opted_out)


@router.put(
    "/invoices/{number}",
    response_model=InvoicePublic,
    responses={201: {"model": InvoicePublic, "description": "created"}},
)
async def put_invoice(
    number: InvoiceNumber,
    payload: InvoicePut,
    principal: WriterDep,
    session: SessionDep,
    response: Response,
) -> InvoicePublic:
    invoice, customer, created = await ledger.put_invoice(
        session, tenant=principal.tenant, number=number, payload=payload
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return _invoice_public(invoice, customer)


@router.get("/invoices/{number}", response_model=InvoicePublic)
async def get_invoice(
    number: InvoiceNumber, principal: StaffDep, session: SessionDep
) -> InvoicePublic:
    invoice, customer = await ledger.get_invoice(
        session, tenant_id=principal.tenant.id, number=number
    )
    return _invoice_public(invoice, customer)


@router.post("/imports", response_model=ImportReport)
async def import_aging_export(
    file: UploadFile, principal: WriterDep, session: SessionDep, settings: SettingsDep
) -> ImportReport:
    """Import a CSV or XLSX aging export, one row per invoice. Bad rows are reported, not fatal."""
    return await imports.import_upload(
        session, tenant=principal.tenant, upload=file, max_bytes=settings.import_max_bytes
    )


@router.get("/aging", response_model=AgingReport)
async def get_aging(
    principal: StaffDep,
    session: SessionDep,
    as_of: Annotated[
        date | None, Query(description="defaults to today in the tenant's zone")
    ] = None,
) -> AgingReport:
    return await ledger.aging(
        session, tenant_id=principal.tenant.id, as_of=as_of or tenant_today(principal.tenant)
    )
