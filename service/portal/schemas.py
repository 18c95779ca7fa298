"""Request and response models of the customer portal.

What a customer sees is spelled out field by field here: internal notes, classification labels
(intent, reason, team, confidence), assignees and event logs have no field to travel in.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DisputeReason = Literal[
    "pricing", "delivery", "quality", "billing_error", "already_paid", "credit_note"
]  # fmt: skip
DISPUTE_REASONS: tuple[DisputeReason, ...] = (
    "pricing", "delivery", "quality", "billing_error", "already_paid", "credit_note",
)  # fmt: skip
BODY_MAX = 20_000
AMOUNT_PATTERN = r"^\d{1,15}(\.\d{1,4})?$"


class PortalLinkPublic(BaseModel):
    url: str = Field(description="{COBRO_PUBLIC_URL}/portal/{token}")
    expires_at: datetime


class PortalInvoice(BaseModel):
    number: str
    currency: str
    amount: str
    balance: str
    issued_on: date
    due_on: date
    days_past_due: int = Field(description="negative while not yet due")
    po_number: str | None


class PortalTotal(BaseModel):
    currency: str
    balance: str


class PortalMessage(BaseModel):
    id: uuid.UUID
    direction: Literal["outbound", "inbound"] = Field(
        description="outbound: written to the customer; inbound: written by the customer"
    )
    channel: str
    subject: str | None
    body: str = Field(description="plain text; the customer's own messages without quoted history")
    created_at: datetime


class PortalThread(BaseModel):
    id: uuid.UUID
    reference: str
    subject: str | None
    status: str
    last_message_at: datetime | None
    messages: list[PortalMessage]


class PortalCustomer(BaseModel):
    name: str


class PortalSender(BaseModel):
    name: str
    email: str | None
    phone: str | None


class PromiseWindow(BaseModel):
    earliest: date = Field(description="today in the customer's time zone")
    latest: date


class PortalView(BaseModel):
    customer: PortalCustomer
    sender: PortalSender = Field(description="the company the customer owes")
    language: Literal["en", "es"]
    expires_at: datetime
    invoices: list[PortalInvoice]
    totals: list[PortalTotal]
    threads: list[PortalThread]
    dispute_reasons: list[DisputeReason]
    promise_window: PromiseWindow


class PortalMessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=BODY_MAX)
    thread_id: uuid.UUID | None = Field(
        default=None, description="one of the customer's threads; a new one when omitted"
    )


class PortalDisputeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoice_numbers: list[str] = Field(min_length=1, max_length=200)
    reason: DisputeReason = Field(description="a dispute reason of the reply taxonomy")
    body: str = Field(min_length=1, max_length=BODY_MAX)


class PortalPromiseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    promise_date: date = Field(
        alias="date", description="from today (customer's time zone) to 180 days ahead"
    )
    amount: str | None = Field(
        default=None, pattern=AMOUNT_PATTERN, description="a positive decimal string"
    )
    invoice_numbers: list[str] = Field(default_factory=list, max_length=200)
    body: str | None = Field(
        default=None, max_length=BODY_MAX, description="an optional note from the customer"
    )


class PortalAccepted(BaseModel):
    status: Literal["accepted"] = "accepted"
    submission_id: uuid.UUID = Field(
        description="the stored submission; the same Idempotency-Key gives the same id"
    )
