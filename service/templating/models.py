"""A tenant's own versions of template files; what is not overridden uses the defaults."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.types import UTCDateTime, new_id, utcnow


class TemplateOverride(SQLModel, table=True):
    __tablename__ = "template_overrides"
    __table_args__ = (UniqueConstraint("tenant_id", "path"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenants.id", index=True)
    # Relative to the templates folder, e.g. "es/reminder_firm.sms.j2".
    path: str = Field(max_length=200)
    source: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
