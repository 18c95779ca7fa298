"""Raw inbound payloads, stored durably before anything is parsed so that nothing a customer
sends is lost, and replays of the same provider message are stored once."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.types import UTCDateTime, new_id, utcnow


class InboundPayload(SQLModel, table=True):
    __tablename__ = "inbound_payloads"
    __table_args__ = (UniqueConstraint("source", "dedupe_key"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    # Known at once for SMS (the To number) and portal; for email, once the reply address is read.
    tenant_id: uuid.UUID | None = Field(default=None, foreign_key="tenants.id", index=True)
    source: str = Field(max_length=32)  # twilio_sms, sendgrid_inbound, mime, portal
    dedupe_key: str = Field(max_length=512)
    content_type: str = Field(max_length=200)
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_id: uuid.UUID | None = Field(default=None, foreign_key="messages.id")
    error: str | None = Field(default=None, max_length=1000)
    # Processing attempts begun, counted before each one so that a payload that crashes the job
    # is given up (with its error) after a few tries instead of being retried forever.
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
