"""Tenants (the client companies whose receivables are collected) and their API keys."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Column, String, true
from sqlmodel import Field, SQLModel

from service.types import UTCDateTime, new_id, utcnow


class Role(enum.StrEnum):
    admin = "admin"
    integration = "integration"
    supervisor = "supervisor"
    agent = "agent"


class Tenant(SQLModel, table=True):
    __tablename__ = "tenants"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=200)
    language: str = Field(default="en", max_length=8)
    timezone: str = Field(default="UTC", max_length=64)
    country: str = Field(default="US", max_length=2)
    email_from: str | None = Field(default=None, max_length=320)
    email_from_name: str | None = Field(default=None, max_length=200)
    sms_from: str | None = Field(default=None, max_length=34, index=True)
    messaging_service_sid: str | None = Field(default=None, max_length=34, index=True)
    postal_address: str | None = Field(default=None, max_length=500)
    # Message options (service.templating): SMS in GSM-7 (keeping the accents GSM-7 has) and
    # the segments an SMS may take.
    sms_transliteration: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    sms_max_segments: int = Field(default=2, sa_column_kwargs={"server_default": "2"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiKey(SQLModel, table=True):
    """A key is shown once; only its SHA-256 is kept (keys carry 256 random bits, so a slow
    password hash would add latency to every request without adding safety)."""

    __tablename__ = "api_keys"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenants.id", index=True)
    name: str = Field(default="", max_length=200)
    role: Role = Field(sa_column=Column(String(16), nullable=False))
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
