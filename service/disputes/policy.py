"""A tenant's disputes policy: its stored row over the defaults, and the business calendar its
SLA clocks run on (working days, opening hours, timezone, public holidays)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy.ext.asyncio import AsyncSession

from service.disputes.models import DisputePolicy
from service.tenancy.models import Tenant

TEAMS = ("sales", "gbs", "collections", "legal")
# Business hours. Collections answers promises and plans fastest; legal needs the longest.
DEFAULT_SLA: dict[str, dict[str, int]] = {
    "sales": {"first_response_hours": 8, "resolution_hours": 72},
    "gbs": {"first_response_hours": 8, "resolution_hours": 40},
    "collections": {"first_response_hours": 4, "resolution_hours": 40},
    "legal": {"first_response_hours": 16, "resolution_hours": 80},
}
# No calendar has a year without a working day; this bounds the walk of a bad one anyway.
_MAX_DAYS = 800


@dataclass(frozen=True)
class SlaTarget:
    first_response_hours: int
    resolution_hours: int


@lru_cache(maxsize=64)
def _holiday_calendar(country: str, subdivision: str | None) -> Any:
    return holidays.country_holidays(country, subdiv=subdivision)


def holiday_calendar_exists(country: str, subdivision: str | None) -> bool:
    try:
        _holiday_calendar(country, subdivision)
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class BusinessCalendar:
    zone: ZoneInfo
    working_days: frozenset[int]  # ISO weekdays
    opens: time
    closes: time
    holiday_country: str | None = None
    holiday_subdivision: str | None = None

    def is_working_day(self, day: date) -> bool:
        if day.isoweekday() not in self.working_days:
            return False
        if self.holiday_country is None:
            return True
        return day not in _holiday_calendar(self.holiday_country, self.holiday_subdivision)

    def _window(self, day: date) -> tuple[datetime, datetime]:
        # Built from local wall-clock times, so a DST change shortens or lengthens that day.
        start = datetime.combine(day, self.opens, tzinfo=self.zone)
        end = datetime.combine(day, self.closes, tzinfo=self.zone)
        return start, end

    def add_hours(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` business hours after ``start`` (aware), as an aware UTC time."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        remaining = timedelta(hours=hours)
        moment = start.astimezone(self.zone)
        day = moment.date()
        for _ in range(_MAX_DAYS):
            if self.is_working_day(day):
                window_start, window_end = self._window(day)
                begin = max(moment, window_start)
                if begin < window_end:
                    available = window_end.astimezone(UTC) - begin.astimezone(UTC)
                    if remaining <= available:
                        return begin.astimezone(UTC) + remaining
                    remaining -= available
            day += timedelta(days=1)
            moment = datetime.combine(day, time(0), tzinfo=self.zone)
        raise ValueError("the business calendar has no working hours")

    def hours_between(self, start: datetime, end: datetime) -> float:
        """Business hours from ``start`` to ``end`` (0 when ``end`` is not later)."""
        total = timedelta()
        moment = start.astimezone(self.zone)
        finish = end.astimezone(self.zone)
        day = moment.date()
        while day <= finish.date():
            if self.is_working_day(day):
                window_start, window_end = self._window(day)
                begin, stop = max(moment, window_start), min(finish, window_end)
                if begin < stop:
                    total += stop.astimezone(UTC) - begin.astimezone(UTC)
            day += timedelta(days=1)
        return total.total_seconds() / 3600


@dataclass(frozen=True)
class Policy:
    tenant_id: uuid.UUID
    promise_grace_days: int
    calendar: BusinessCalendar
    sla: dict[str, SlaTarget]
    dispute_age_limit_days: int
    dispute_escalation: str
    ack_interval_hours: int
    timezone: str | None  # as stored: None means the tenant's
    working_days: tuple[int, ...]
    opens_at: str
    closes_at: str
    holiday_country: str | None
    holiday_subdivision: str | None

    def target(self, team: str) -> SlaTarget:
        return self.sla.get(team) or SlaTarget(**DEFAULT_SLA["collections"])


def parse_clock(text: str) -> time:
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{text!r} is not HH:MM")
    return time(int(hours), int(minutes))


def merged_sla(stored: dict[str, Any]) -> dict[str, SlaTarget]:
    merged: dict[str, SlaTarget] = {}
    for team in TEAMS:
        values = {**DEFAULT_SLA[team], **(stored.get(team) or {})}
        merged[team] = SlaTarget(
            first_response_hours=int(values["first_response_hours"]),
            resolution_hours=int(values["resolution_hours"]),
        )
    return merged


def policy_from(row: DisputePolicy, tenant: Tenant) -> Policy:
    return Policy(
        tenant_id=tenant.id,
        promise_grace_days=row.promise_grace_days,
        calendar=BusinessCalendar(
            zone=ZoneInfo(row.timezone or tenant.timezone),
            working_days=frozenset(row.working_days),
            opens=parse_clock(row.opens_at),
            closes=parse_clock(row.closes_at),
            holiday_country=row.holiday_country,
            holiday_subdivision=row.holiday_subdivision,
        ),
        sla=merged_sla(row.sla),
        dispute_age_limit_days=row.dispute_age_limit_days,
        dispute_escalation=row.dispute_escalation,
        ack_interval_hours=row.ack_interval_hours,
        timezone=row.timezone,
        working_days=tuple(sorted(row.working_days)),
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        holiday_country=row.holiday_country,
        holiday_subdivision=row.holiday_subdivision,
    )


async def stored_policy(session: AsyncSession, *, tenant_id: uuid.UUID) -> DisputePolicy | None:
    return await session.get(DisputePolicy, tenant_id)


async def load_policy(session: AsyncSession, *, tenant: Tenant) -> Policy:
    row = await stored_policy(session, tenant_id=tenant.id)
    return policy_from(row or DisputePolicy(tenant_id=tenant.id), tenant)
