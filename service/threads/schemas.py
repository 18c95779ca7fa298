"""Request and response models of the threads (agent console) API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Team = Literal["sales", "gbs", "collections", "legal"]
Intent = Literal[
    "dispute", "promise_to_pay", "payment_plan", "document_request", "wrong_contact", "legal",
    "opt_out", "auto_reply", "other",
]  # fmt: skip
Reason = Literal["pricing", "delivery", "quality", "billing_error", "already_paid", "credit_note"]
Status = Literal["open", "pending", "resolved", "closed"]
Day = date  # for fields declared after one named "date"


class ThreadItem(BaseModel):
    id: uuid.UUID
    reference: str
    customer: str | None
    team: str | None
    status: str
    intent: str | None
    reason: str | None
    language: str | None
    assignee: str | None
    needs_review: bool
    last_message_at: datetime | None


class ThreadPage(BaseModel):
    items: list[ThreadItem]
    next_cursor: str | None


class Promise(BaseModel):
    date: date | None
    amount: str | None
    currency: str | None
    status: str | None = Field(
        default=None, description="active, kept, broken or replaced; null without a date"
    )
    reminders_paused_until: Day | None = Field(
        default=None, description="the promised date plus the tenant's grace days"
    )


class ThreadEventPublic(BaseModel):
    kind: str
    actor: str
    data: dict[str, Any]
    created_at: datetime


class AttachmentPublic(BaseModel):
    id: uuid.UUID
    filename: str | None
    content_type: str
    size: int
    too_large: bool


class ThreadMessage(BaseModel):
    id: uuid.UUID
    direction: str
    channel: str
    language: str | None
    subject: str | None
    body: str
    body_clean: str | None
    status: str
    author: str | None
    to: str | None
    sender: str | None = Field(description="the address or number it came from (inbound)")
    invoices: list[str]
    attachments: list[AttachmentPublic]
    created_at: datetime
    sms_segments: int | None = Field(
        default=None, description="SMS only: the segments a carrier bills for the body"
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="on a reply just sent: what the customer gets differently from what was "
        "written (an SMS over the tenant's budget, accents dropped to fit)",
    )


class ThreadDetail(ThreadItem):
    subject: str | None
    channel: str | None
    intent_confidence: float | None
    opt_out: bool
    invoices: list[str]
    promise: Promise | None
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_responded_at: datetime | None
    escalation: str | None = Field(
        description="the latest escalation: first_response, resolution or dispute_age"
    )
    escalated_at: datetime | None
    disputed_at: datetime | None
    created_at: datetime
    events: list[ThreadEventPublic]
    messages: list[ThreadMessage]


class ReplyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=20_000)
    channel: Literal["email", "sms", "portal"] | None = Field(
        default=None, description="defaults to the channel of the customer's last message"
    )


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=20_000)


class ThreadUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    team: Team | None = None
    assignee: str | None = Field(default=None, max_length=200)
    intent: Intent | None = None
    reason: Reason | None = None
