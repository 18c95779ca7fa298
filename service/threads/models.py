"""Conversations with customers: threads, their messages (outbound, inbound and internal notes)
and the event log that explains every decision taken on a thread."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlmodel import Field, SQLModel

from service.types import UTCDateTime, new_id, utcnow


class ThreadStatus(enum.StrEnum):
    open = "open"
    pending = "pending"  # waiting for the customer
    resolved = "resolved"
    closed = "closed"


class Direction(enum.StrEnum):
    outbound = "outbound"
    inbound = "inbound"
    note = "note"


class MessageStatus(enum.StrEnum):
    planned = "planned"  # a dry run's message, or one waiting for its send window
    queued = "queued"
    sending = "sending"
    sent = "sent"
    delivered = "delivered"
    failed = "failed"
    bounced = "bounced"
    undelivered = "undelivered"
    skipped = "skipped"
    received = "received"  # inbound, stored, not yet processed
    processed = "processed"  # inbound, threaded and classified


class Thread(SQLModel, table=True):
    __tablename__ = "threads"
    __table_args__ = (
        Index("ix_threads_tenant_status_team", "tenant_id", "status", "team"),
        Index("ix_threads_tenant_customer", "tenant_id", "customer_id"),
        Index("ix_threads_tenant_last_message", "tenant_id", "last_message_at"),
        # The SLA job looks for running timers that have passed.
        Index("ix_threads_first_response_due", "first_response_due_at"),
        Index("ix_threads_resolution_due", "resolution_due_at"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenants.id")
    customer_id: uuid.UUID | None = Field(default=None, foreign_key="customers.id")
    reference: str = Field(max_length=32, index=True)
    subject: str | None = Field(default=None, max_length=500)
    status: ThreadStatus = Field(
        default=ThreadStatus.open, sa_column=Column(String(16), nullable=False)
    )
    team: str | None = Field(default=None, max_length=16)
    intent: str | None = Field(default=None, max_length=32)
    intent_confidence: float | None = None
    reason: str | None = Field(default=None, max_length=32)
    opt_out: bool = False
    needs_review: bool = False
    language: str | None = Field(default=None, max_length=8)
    channel: str | None = Field(default=None, max_length=16)
    assignee: str | None = Field(default=None, max_length=200)
    invoice_numbers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    promise_date: date | None = None
    promise_amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(20, 4)))
    promise_currency: str | None = Field(default=None, max_length=3)
    first_response_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When the thread first became a dispute (its age counts from here), and its latest
    # escalation ("first_response", "resolution" or "dispute_age") with the time it happened.
    disputed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalation: str | None = Field(default=None, max_length=32)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_message_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ThreadEvent(SQLModel, table=True):
    """One entry of a thread's log: what was decided, by whom or which rule, and why."""

    __tablename__ = "thread_events"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenants.id")
    thread_id: uuid.UUID = Field(foreign_key="threads.id", index=True)
    kind: str = Field(max_length=48)
    actor: str = Field(default="cobro", max_length=200)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Message(SQLModel, table=True):
    """Every message of a conversation. Outbound rows are the outbox: written in the transaction
    that decides to send them, then claimed and sent by workers."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("tenant_id", "dedupe_key"),
        Index("ix_messages_status_lease", "status", "lease_until"),
        Index("ix_messages_tenant_thread_created", "tenant_id", "thread_id", "created_at"),
        Index("ix_messages_provider_id", "provider_id"),
        Index("ix_messages_email_message_id", "email_message_id"),
        Index("ix_messages_tenant_customer_created", "tenant_id", "customer_id", "created_at"),
        Index("ix_messages_run", "run_id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenants.id")
    thread_id: uuid.UUID | None = Field(default=None, foreign_key="threads.id")
    customer_id: uuid.UUID | None = Field(default=None, foreign_key="customers.id")
    run_id: uuid.UUID | None = Field(default=None)
    direction: Direction = Field(sa_column=Column(String(16), nullable=False))
    channel: str = Field(max_length=16)
    language: str | None = Field(default=None, max_length=8)
    template: str | None = Field(default=None, max_length=64)
    step: str | None = Field(default=None, max_length=100)  # the campaign step that planned it
    to_address: str | None = Field(default=None, max_length=320)
    from_address: str | None = Field(default=None, max_length=320)
    subject: str | None = Field(default=None, max_length=1000)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text))
    body_clean: str | None = Field(default=None, sa_column=Column(Text))
    headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    invoice_numbers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: MessageStatus = Field(sa_column=Column(String(16), nullable=False))
    skip_reason: str | None = Field(default=None, max_length=64)
    author: str | None = Field(default=None, max_length=200)
    # Email Message-ID (ours when outbound, the sender's when inbound), for threading and dedupe.
    email_message_id: str | None = Field(default=None, max_length=998)
    # The provider's id: SendGrid X-Message-Id, Twilio MessageSid.
    provider_id: str | None = Field(default=None, max_length=128)
    # Which provider took the message (sendgrid, smtp, twilio, portal, sandbox) and its own
    # latest status word, kept so that late callbacks are compared in the provider's terms.
    provider: str | None = Field(default=None, max_length=16)
    provider_status: str | None = Field(default=None, max_length=32)
    # Inbound replays (same MessageSid / Message-ID) collide here and are stored once.
    dedupe_key: str | None = Field(default=None, max_length=512)
    # Inbound mail no person wrote: "auto_reply" or "bounce". Never acknowledged or classified.
    automatic: str | None = Field(default=None, max_length=16)
    fallback_channels: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=1000)
    send_after: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The send job's claim on a row in ``sending``: its writes apply only while it matches.
    claim_token: uuid.UUID | None = Field(default=None)
    # Set only on consent confirmations and HELP answers, the one kind of message that may
    # reach an address which has just opted out.
    consent_reply: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Attachment(SQLModel, table=True):
    __tablename__ = "attachments"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenants.id")
    message_id: uuid.UUID = Field(foreign_key="messages.id", index=True)
    filename: str | None = Field(default=None, max_length=500)
    content_type: str = Field(max_length=200)
    size: int
    too_large: bool = False
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
