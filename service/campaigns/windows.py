"""Contact windows: when a message may reach a customer, in the customer's own time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from service.campaigns.schemas import Rules


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> frozenset[date]:
    try:
        return frozenset(holidays.country_holidays(country, years=year))
    except NotImplementedError:
        return frozenset()


def _allowed_day(day: date, rules: Rules) -> bool:
    if not rules.send_on_weekends and day.weekday() >= 5:
        return False
    return not (rules.holidays_country and day in _holidays(rules.holidays_country, day.year))


def _inside(moment: time, rules: Rules) -> bool:
    """Whether a local time of day is outside the quiet hours."""
    start, end = rules.quiet_hours_start, rules.quiet_hours_end
    if start > end:  # quiet overnight, e.g. 21:00 to 08:00
        return end <= moment < start
    return not (start <= moment < end)


def next_send_time(now: datetime, *, zone: str, rules: Rules) -> datetime:
    """`now` when it is an allowed moment for a customer in `zone`, else the start of the next
    allowed window (the message waits instead of being dropped). Computed on local wall-clock
    time, so DST shifts move the window with the customer."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    if _allowed_day(local.date(), rules) and _inside(local.time(), rules):
        return now
    opening = rules.quiet_hours_end  # quiet hours end where the next window opens
    day = local.date()
    for _ in range(370):
        candidate = datetime.combine(day, opening, tzinfo=tz)
        # A wall-clock time skipped by a DST jump resolves forward via a round trip through UTC.
        candidate = candidate.astimezone(ZoneInfo("UTC")).astimezone(tz)
        if (
            candidate > local
            and _allowed_day(candidate.date(), rules)
            and _inside(candidate.time(), rules)
        ):
            return candidate.astimezone(ZoneInfo("UTC"))
        day += timedelta(days=1)
    raise ValueError("no allowed contact window within a year: check the campaign's rules")
