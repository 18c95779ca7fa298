"""Request and response models of the portfolio API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.ledger.models import CustomerStatus, InvoiceStatus

Language = Literal["en", "es"]


class CustomerPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300)
    language: Language | None = None
    locale: str | None = Field(default=None, max_length=16)
    timezone: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    tags: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=50)
    status: CustomerStatus | None = None


class CustomerPublic(BaseModel):
    id: uuid.UUID
    external_id: str
    name: str
    language: str | None
    locale: str | None
    timezone: str | None
    email: str | None
    phone: str | None
    tags: list[str]
    status: CustomerStatus
    opted_out_channels: list[str]
    created_at: datetime
    updated_at: datetime


class InvoicePut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_external_id: str = Field(min_length=1, max_length=128)
    currency: str = Field(min_length=3, max_length=3)
    amount: Decimal = Field(max_digits=19)
    balance: Decimal = Field(max_digits=19)
    issued_on: date
    due_on: date
    po_number: str | None = Field(default=None, max_length=128)
    status: InvoiceStatus = InvoiceStatus.open


class InvoicePublic(BaseModel):
    id: uuid.UUID
    number: str
    customer_external_id: str
    currency: str
    amount: str
    balance: str
    issued_on: date
    due_on: date
    po_number: str | None
    status: InvoiceStatus
    created_at: datetime
    updated_at: datetime


Bucket = Literal["current", "1-30", "31-60", "61-90", "90+"]


class AgingBucket(BaseModel):
    bucket: Bucket
    invoices: int
    customers: int
    balance: dict[str, str]


class AgingReport(BaseModel):
    as_of: date
    buckets: list[AgingBucket]


class RejectedRow(BaseModel):
    row: int
    reason: str
    invoice_number: str | None = None


class ImportReport(BaseModel):
    rows: int
    accepted: int
    rejected: int
    customers_created: int
    customers_updated: int
    invoices_created: int
    invoices_updated: int
    unchanged: int
    rejected_rows: list[RejectedRow]
    rejected_rows_truncated: bool = False
