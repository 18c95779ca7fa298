"""The portfolio of a tenant: its customers and their invoices."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKeyConstraint,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    false,
)
from sqlmodel import Field, SQLModel

from service.types import UTCDateTime, new_id, utcnow

MONEY = Numeric(20, 4)


class CustomerStatus(enum.StrEnum):
    active = "active"
    legal_hold = "legal_hold"
    bankrupt = "bankrupt"
    payment_plan = "payment_plan"
    closed = "closed"


class InvoiceStatus(enum.StrEnum):
    open = "open"
    paid = "paid"
    written_off = "written_off"


class Customer(SQLModel, table=True):
    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id"),
        # Target of the invoices' (tenant_id, customer_id) reference.
        UniqueConstraint("tenant_id", "id", name="uq_customers_tenant_id_id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenants.id", index=True)
    external_id: str = Field(max_length=128)
    name: str = Field(max_length=300)
    language: str | None = Field(default=None, max_length=8)
    locale: str | None = Field(default=None, max_length=16)
    timezone: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=20, index=True)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: CustomerStatus = Field(
        default=CustomerStatus.active, sa_column=Column(String(16), nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Invoice(SQLModel, table=True):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_invoices_tenant_status_due", "tenant_id", "status", "due_on"),
        # One reference that also proves the customer belongs to the invoice's tenant; cheaper
        # on bulk imports than separate references to the tenant and to the customer.
        ForeignKeyConstraint(
            ["tenant_id", "customer_id"],
            ["customers.tenant_id", "customers.id"],
            name="fk_invoices_tenant_customer",
        ),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID
    customer_id: uuid.UUID = Field(index=True)
    number: str = Field(max_length=128)
    currency: str = Field(max_length=3)
    amount: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    balance: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    issued_on: date
    due_on: date
    po_number: str | None = Field(default=None, max_length=128)
    status: InvoiceStatus = Field(
        default=InvoiceStatus.open, sa_column=Column(String(16), nullable=False)
    )
    # Reminders pause for an invoice in dispute, and under a promise to pay until this date
    # (the promised date plus the tenant's grace days).
    disputed: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    promised_until: date | None = None
    # What the export row last imported for this invoice said (see ledger.import_stage): the
    # same row imported again is left alone, whatever the API changed since.
    import_digest: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
