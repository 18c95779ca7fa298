"""Consent: one record per channel and address, checked before every send."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from service.types import UTCDateTime, new_id, utcnow


class ConsentRecord(SQLModel, table=True):
    __tablename__ = "consent_records"
    __table_args__ = (UniqueConstraint("tenant_id", "channel", "address"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenants.id", index=True)
    channel: str = Field(max_length=16)
    address: str = Field(max_length=320)
    opted_out: bool = True
    source: str = Field(default="", max_length=64)
    detail: str | None = Field(default=None, max_length=500)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
