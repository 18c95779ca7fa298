"""Request and response models of the routing rules, agents, policy, promises and escalations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from service.threads.schemas import Intent, Reason, Team

Day = date  # for fields declared after one named "date"
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("999999999999999"), decimal_places=4)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$")]
Clock = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Hours = Annotated[int, Field(ge=1, le=2000)]


class RuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    team: Team
    position: int | None = Field(
        default=None, ge=0, le=1_000_000, description="lower runs first; default: last"
    )
    enabled: bool = True
    intents: list[Intent] = Field(default_factory=list, max_length=20)
    reasons: list[Reason] = Field(default_factory=list, max_length=20)
    languages: list[Language] = Field(default_factory=list, max_length=20)
    tags: list[Tag] = Field(default_factory=list, max_length=50, description="any of these")
    channels: list[Literal["email", "sms", "portal"]] = Field(default_factory=list, max_length=3)
    min_amount: Money | None = Field(default=None, description="open balance concerned, at least")
    max_amount: Money | None = Field(default=None, description="open balance concerned, at most")
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        if (
            self.min_amount is not None
            and self.max_amount is not None
            and self.min_amount > self.max_amount
        ):
            raise ValueError("min_amount is above max_amount")
        return self


class RuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    team: Team | None = None
    position: int | None = Field(default=None, ge=0, le=1_000_000)
    enabled: bool | None = None
    intents: list[Intent] | None = Field(default=None, max_length=20)
    reasons: list[Reason] | None = Field(default=None, max_length=20)
    languages: list[Language] | None = Field(default=None, max_length=20)
    tags: list[Tag] | None = Field(default=None, max_length=50)
    channels: list[Literal["email", "sms", "portal"]] | None = Field(default=None, max_length=3)
    min_amount: Money | None = None
    max_amount: Money | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


class RulePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    team: str
    position: int
    enabled: bool
    intents: list[str]
    reasons: list[str]
    languages: list[str]
    tags: list[str]
    channels: list[str]
    min_amount: Decimal | None
    max_amount: Decimal | None
    currency: str | None
    created_at: datetime
    updated_at: datetime


class RuleList(BaseModel):
    items: list[RulePublic]


class AgentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = Field(description="what threads show as their assignee")
    teams: list[Team] = Field(min_length=1, max_length=4)
    languages: list[Language] = Field(default_factory=lambda: ["en"], max_length=20)
    capacity: int = Field(default=20, ge=0, le=10_000, description="open threads at most")
    available: bool = True


class AgentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    teams: list[Team] | None = Field(default=None, min_length=1, max_length=4)
    languages: list[Language] | None = Field(default=None, max_length=20)
    capacity: int | None = Field(default=None, ge=0, le=10_000)
    available: bool | None = None


class AgentPublic(BaseModel):
    id: uuid.UUID
    name: str
    teams: list[str]
    languages: list[str]
    capacity: int
    available: bool
    open_threads: int
    last_assigned_at: datetime | None
    created_at: datetime


class AgentList(BaseModel):
    items: list[AgentPublic]


class SlaTargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_response_hours: Hours
    resolution_hours: Hours


class PolicyUpdate(BaseModel):
    """Only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    promise_grace_days: int | None = Field(default=None, ge=0, le=90)
    working_days: list[Annotated[int, Field(ge=1, le=7)]] | None = Field(
        default=None, min_length=1, max_length=7, description="ISO weekdays, 1 = Monday"
    )
    opens_at: Clock | None = None
    closes_at: Clock | None = None
    timezone: str | None = Field(default=None, max_length=64)
    holiday_country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    holiday_subdivision: str | None = Field(default=None, max_length=8)
    sla: dict[Team, SlaTargetIn] | None = None
    dispute_age_limit_days: int | None = Field(default=None, ge=1, le=3650)
    dispute_escalation: Literal["management", "legal"] | None = None
    ack_interval_hours: int | None = Field(default=None, ge=0, le=720)


class PolicyPublic(BaseModel):
    promise_grace_days: int
    working_days: list[int]
    opens_at: str
    closes_at: str
    timezone: str = Field(description="the tenant's timezone unless set here")
    holiday_country: str | None
    holiday_subdivision: str | None
    sla: dict[str, SlaTargetIn]
    dispute_age_limit_days: int
    dispute_escalation: str
    ack_interval_hours: int


class PromisePublic(BaseModel):
    id: uuid.UUID
    customer: str | None
    thread_id: uuid.UUID
    date: Day
    grace_until: Day
    amount: str | None
    currency: str | None
    invoices: list[str]
    status: str
    source: str
    created_at: datetime
    settled_at: datetime | None


class PromiseList(BaseModel):
    items: list[PromisePublic]


class EscalationPublic(BaseModel):
    id: uuid.UUID
    thread_id: uuid.UUID
    reference: str
    kind: str
    target: str
    team: str | None
    due_at: datetime
    created_at: datetime


class EscalationList(BaseModel):
    items: list[EscalationPublic]
