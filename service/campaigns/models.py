"""Reminder campaigns, their runs, and the log that keeps a step from reminding an invoice twice."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.types import UTCDateTime, new_id, utcnow


class CampaignStatus(enum.StrEnum):
    active = "active"
    paused = "paused"


class RunStatus(enum.StrEnum):
    planning = "planning"
    planned = "planned"  # a dry run ends here
    sending = "sending"
    paused = "paused"
    cancelled = "cancelled"
    completed = "completed"
    failed = "failed"


class Campaign(SQLModel, table=True):
    __tablename__ = "campaigns"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenants.id", index=True)
    name: str = Field(max_length=200)
    steps: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    rules: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    schedule_cron: str | None = Field(default=None, max_length=120)
    schedule_timezone: str | None = Field(default=None, max_length=64)
    status: CampaignStatus = Field(
        default=CampaignStatus.active, sa_column=Column(String(16), nullable=False)
    )
    is_default: bool = False
    last_scheduled_for: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CampaignRun(SQLModel, table=True):
    __tablename__ = "campaign_runs"
    __table_args__ = (
        # One real run per campaign and as-of date; running it again the same day adds nothing.
        Index(
            "uq_campaign_runs_live",
            "campaign_id",
            "as_of",
            "dry_run",
            "live_key",
            unique=True,
        ),
        UniqueConstraint("tenant_id", "idempotency_key"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID = Field(foreign_key="tenants.id", index=True)
    campaign_id: uuid.UUID = Field(foreign_key="campaigns.id", index=True)
    as_of: date
    dry_run: bool = False
    # Real runs share the key "live" (one per day); each dry run gets its own so a lead may
    # preview as often as it likes.
    live_key: str = Field(default="live", max_length=40)
    idempotency_key: str | None = Field(default=None, max_length=200)
    status: RunStatus = Field(
        default=RunStatus.planning, sa_column=Column(String(16), nullable=False)
    )
    # Invoices left out of the plan, by reason (in dispute, under a promise, reminded already ...);
    # customers left out are skipped message rows, each with its reason.
    skipped_invoices: dict[str, int] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    planned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReminderLog(SQLModel, table=True):
    """Which step of which campaign reminded which invoice: the guard against reminding twice.

    A run writes one row per invoice it reminds (a million in a big run), so the table carries
    only the unique index that answers "reminded already?" and no foreign keys, whose per-row
    checks would cost more than the planning itself. Rows are written only by the planner from
    ids it has just read.
    """

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("campaign_id", "invoice_id", "step"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tenant_id: uuid.UUID
    campaign_id: uuid.UUID
    step: str = Field(max_length=100)
    invoice_id: uuid.UUID
    message_id: uuid.UUID
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CampaignRuleDefaults(SQLModel, table=True):
    """The contact rules a tenant sets for all its campaigns; a campaign overrides field by
    field. Only the fields the tenant set are kept: the rest follow Cobro's defaults."""

    __tablename__ = "campaign_rule_defaults"

    tenant_id: uuid.UUID = Field(foreign_key="tenants.id", primary_key=True)
    rules: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
