"""Tables of the disputes desk: routing rules, agents, promises to pay, escalations and each
tenant's policy (grace days, business hours, SLA targets, dispute age limit)."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Index, Numeric, String, UniqueConstraint, true
from sqlmodel import Field, SQLModel

from service.types import UTCDateTime, new_id, utcnow


class RoutingRule(SQLModel, table=True):
    """One of a tenant's ordered routing rules: the first enabled rule whose conditions all hold
    sends the thread to its team. An empty condition list matches anything."""

    __tablename__ = "routing_rules"
    __table_args__ = (Index("ix_routing_rules_tenant_position", "tenant_id", "position"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenants.id")
    name: str = Field(max_length=200)
    position: int = 0
    enabled: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=true())
    )
    team: str = Field(max_length=16)
    intents: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    channels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    min_amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(20, 4)))
    max_amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(20, 4)))
    currency: str | None = Field(default=None, max_length=3)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Agent(SQLModel, table=True):
    """A person who works threads. ``name`` is what threads carry as their ``assignee``."""

    __tablename__ = "agents"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenants.id", index=True)
    name: str = Field(max_length=200)
    teams: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    capacity: int = 20
    available: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=true())
    )
    # Round robin: the next thread goes to the eligible agent who got one longest ago.
    last_assigned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PromiseStatus(enum.StrEnum):
    active = "active"
    kept = "kept"
    broken = "broken"
    replaced = "replaced"  # a later promise on the same invoices took its place


class PromiseToPay(SQLModel, table=True):
    """What a customer committed to pay, by when, for which invoices; and whether they did."""

    __tablename__ = "promises"
    __table_args__ = (
        Index("ix_promises_status_grace", "status", "grace_until"),
        Index("ix_promises_tenant_customer", "tenant_id", "customer_id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenants.id")
    customer_id: uuid.UUID = Field(foreign_key="customers.id")
    thread_id: uuid.UUID = Field(foreign_key="threads.id", index=True)
    message_id: uuid.UUID | None = Field(default=None, foreign_key="messages.id")
    promised_on: date
    # Reminders stay paused up to and including this day: the promised date plus grace days.
    grace_until: date
    amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(20, 4)))
    currency: str | None = Field(default=None, max_length=3)
    invoice_numbers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: PromiseStatus = Field(
        default=PromiseStatus.active, sa_column=Column(String(16), nullable=False)
    )
    source: str = Field(default="classifier", max_length=16)  # classifier, portal, person
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    settled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Escalation(SQLModel, table=True):
    """One escalation of one deadline of a thread. The unique key makes the cron job idempotent:
    the same breach is recorded once however often (or however many workers) look at it."""

    __tablename__ = "escalations"
    __table_args__ = (
        UniqueConstraint("thread_id", "kind", "due_at"),
        Index("ix_escalations_tenant_created", "tenant_id", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenants.id")
    thread_id: uuid.UUID = Field(foreign_key="threads.id")
    kind: str = Field(max_length=32)  # first_response, resolution, dispute_age
    target: str = Field(max_length=32)  # supervisors, legal, management
    team: str | None = Field(default=None, max_length=16)
    due_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DisputePolicy(SQLModel, table=True):
    """A tenant's settings for the disputes desk; a tenant without a row gets the defaults."""

    __tablename__ = "dispute_policies"

    tenant_id: uuid.UUID = Field(foreign_key="tenants.id", primary_key=True)
    promise_grace_days: int = 3
    # Business hours: ISO weekdays (1 = Monday), local opening and closing "HH:MM".
    working_days: list[int] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5], sa_column=Column(JSON, nullable=False)
    )
    opens_at: str = Field(default="09:00", max_length=5)
    closes_at: str = Field(default="17:00", max_length=5)
    timezone: str | None = Field(default=None, max_length=64)  # None: the tenant's
    holiday_country: str | None = Field(default=None, max_length=2)  # None: no holidays
    holiday_subdivision: str | None = Field(default=None, max_length=8)
    # {"sales": {"first_response_hours": 8, "resolution_hours": 72}, ...}; teams left out
    # keep the defaults.
    sla: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    dispute_age_limit_days: int = 30
    dispute_escalation: str = Field(default="management", max_length=16)  # or legal
    ack_interval_hours: int = 24
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
