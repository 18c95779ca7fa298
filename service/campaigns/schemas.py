"""Request and response models of campaigns and runs."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ChannelName = Literal["email", "sms", "portal"]


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    min_days_past_due: int = Field(ge=-365, le=3650, description="negative: days before due")
    max_days_past_due: int = Field(ge=-365, le=3650)
    channels: list[ChannelName] = Field(min_length=1, max_length=3)
    template: str = Field(min_length=1, max_length=64)
    all_channels: bool = Field(
        default=False,
        description="send on every channel listed; by default the first reachable one is used "
        "and the others are fallbacks",
    )
    opens_thread: bool = Field(
        default=False, description="also put the customer in the collections queue"
    )

    @model_validator(mode="after")
    def _range(self) -> Step:
        if self.min_days_past_due > self.max_days_past_due:
            raise ValueError("min_days_past_due is greater than max_days_past_due")
        if len(set(self.channels)) != len(self.channels):
            raise ValueError("a channel is listed twice")
        return self


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cron: str = Field(min_length=9, max_length=120, examples=["0 9 * * 1-5"])
    timezone: str = Field(default="UTC", max_length=64)


class Rules(BaseModel):
    """Contact rules. A campaign states only the rules it changes; the others come from the
    tenant's defaults (`PUT /v1/campaign-defaults`), and what neither sets from Cobro's own:
    Regulation F's 8 a.m. to 9 p.m. window, weekdays only, 72 hours between contacts, at most 3
    contacts in 7 days.

    Promises to pay need no rule here: an invoice under a promise carries `promised_until`
    (the promised date plus the tenant's grace days) and is not reminded until the day after.
    """

    model_config = ConfigDict(extra="forbid")

    quiet_hours_start: time = Field(default=time(21, 0), description="no contact from ...")
    quiet_hours_end: time = Field(default=time(8, 0), description="... until, customer's time")
    send_on_weekends: bool = False
    holidays_country: str | None = Field(
        default=None, min_length=2, max_length=2, description="skip public holidays of this country"
    )
    min_gap_hours: int = Field(
        default=72, ge=0, le=24 * 90, description="between two contacts, across all campaigns"
    )
    max_contacts_per_7_days: int = Field(
        default=3,
        ge=1,
        le=50,
        description="across all campaigns; a reminder sent on several channels is one contact",
    )
    min_balance: Decimal = Field(
        default=Decimal(0),
        ge=0,
        max_digits=19,
        description="a customer is reminded of its invoices in a currency when their balance "
        "together (leaving out invoices in dispute or under a promise) reaches this; small "
        "invoices are listed beside the larger ones",
    )
    exclude_tags: list[str] = Field(default_factory=list, max_length=50)
    referral: str | None = Field(
        default=None, max_length=200, description='named at 90+: "legal", "agency" or your text'
    )


class RuleDefaultsPublic(BaseModel):
    rules: Rules = Field(description="what campaigns that do not set a rule themselves use")
    overrides: dict[str, Any] = Field(
        description="the rules this tenant sets; the others are Cobro's defaults"
    )
    updated_at: datetime | None


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    steps: list[Step] = Field(min_length=1, max_length=20)
    schedule: Schedule | None = None
    rules: Rules = Field(
        default_factory=Rules, description="only the rules given here override the tenant's"
    )
    status: Literal["active", "paused"] = "active"


class CampaignUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    steps: list[Step] | None = Field(default=None, min_length=1, max_length=20)
    schedule: Schedule | None = None
    rules: Rules | None = Field(
        default=None, description="replaces the campaign's own rules; {} follows the tenant's"
    )
    status: Literal["active", "paused"] | None = None


class CampaignPublic(BaseModel):
    id: uuid.UUID
    name: str
    steps: list[Step]
    schedule: Schedule | None
    rules: Rules = Field(description="the rules in force: the campaign's over the tenant's")
    rule_overrides: dict[str, Any] = Field(description="the rules the campaign sets itself")
    status: str
    is_default: bool
    created_at: datetime


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date | None = Field(default=None, description="defaults to today in the tenant's zone")
    dry_run: bool = False


class RunAccepted(BaseModel):
    run_id: uuid.UUID
    status: str


class RunCounts(BaseModel):
    """Counts of the run's messages. A customer skipped at planning is one skipped message;
    a reminder on several channels is one message per channel."""

    planned: int = Field(description="messages to send (every message not skipped)")
    queued: int = Field(description="waiting: for their send window, or with the senders")
    sent: int
    delivered: int
    failed: int
    skipped: int = Field(description="messages not sent; their reasons are skipped_reasons")


class RunPublic(BaseModel):
    run_id: uuid.UUID
    campaign_id: uuid.UUID
    as_of: date
    dry_run: bool
    status: str
    counts: RunCounts
    skipped_reasons: dict[str, int] = Field(
        description="skipped messages by reason; the numbers add up to counts.skipped"
    )
    skipped_invoices: dict[str, int] = Field(
        description="invoices left out of the plan by reason (in_dispute, promise_to_pay, "
        "below_min_balance, already_reminded), whether or not their customer was reminded of "
        "others; a real run lists a customer whose every invoice was reminded already only here"
    )
    created_at: datetime
    planned_at: datetime | None
    finished_at: datetime | None


class RunMessage(BaseModel):
    id: uuid.UUID
    thread_id: uuid.UUID | None
    customer: str | None
    channel: str
    language: str | None
    bilingual: bool
    template: str | None
    step: str | None
    to: str | None
    subject: str | None
    body: str
    status: str
    skip_reason: str | None
    invoices: list[str]
    fallback_channels: list[str]
    send_after: datetime | None
    headers: dict[str, str]
    render_error: str | None = Field(
        default=None, description="why a message waiting to go out cannot be rendered as it is"
    )


class RunMessages(BaseModel):
    items: list[RunMessage]
    next_cursor: str | None
