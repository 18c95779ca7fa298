"""Delivery events reported by providers, kept raw beside their normalized kind."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.types import UTCDateTime, new_id, utcnow


class DeliveryEventRecord(SQLModel, table=True):
    __tablename__ = "delivery_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID | None = Field(default=None, foreign_key="tenants.id", index=True)
    message_id: uuid.UUID | None = Field(default=None, foreign_key="messages.id", index=True)
    provider: str = Field(max_length=16)
    event_id: str = Field(max_length=200)
    kind: str = Field(max_length=32)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    error_code: str | None = Field(default=None, max_length=32)
    reason: str | None = Field(default=None, max_length=1000)
    raw: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UnusableAddress(SQLModel, table=True):
    """An address a provider said can never take this channel (invalid or landline number,
    hard-bounced mailbox). Kept apart from consent: the customer never opted out, the
    address is simply dead, and a corrected address on the customer lifts it."""

    __tablename__ = "unusable_addresses"
    __table_args__ = (UniqueConstraint("tenant_id", "channel", "address"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenants.id", index=True)
    channel: str = Field(max_length=16)
    address: str = Field(max_length=320)
    code: str | None = Field(default=None, max_length=32)
    reason: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
