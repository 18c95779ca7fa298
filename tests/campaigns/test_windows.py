"""Quiet hours in the customer's local time, across time zones and DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, time

from service.campaigns.schemas import Rules
from service.campaigns.windows import next_send_time

DEFAULT = Rules()


def test_inside_the_window_sends_now() -> None:
    now = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # 10:00 in New York, a Wednesday
    assert next_send_time(now, zone="America/New_York", rules=DEFAULT) == now


def test_late_evening_waits_for_eight_next_morning_local() -> None:
    now = datetime(2026, 3, 5, 3, 30, tzinfo=UTC)  # 22:30 Wednesday in New York
    at = next_send_time(now, zone="America/New_York", rules=DEFAULT)
    assert at == datetime(2026, 3, 5, 13, 0, tzinfo=UTC)  # 08:00 EST


def test_the_same_instant_differs_by_zone() -> None:
    now = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)  # 08:00 Mexico City, 06:00 Los Angeles
    assert next_send_time(now, zone="America/Mexico_City", rules=DEFAULT) == now
    assert next_send_time(now, zone="America/Los_Angeles", rules=DEFAULT) == datetime(
        2026, 3, 4, 16, 0, tzinfo=UTC
    )


def test_dst_start_keeps_eight_local() -> None:
    # US clocks move forward on Sunday 8 March 2026; weekends allowed so Sunday counts.
    rules = Rules(send_on_weekends=True)
    now = datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # 00:00 EST, night before 08:00 EDT
    at = next_send_time(now, zone="America/New_York", rules=rules)
    assert at == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # 08:00 EDT is 12:00 UTC


def test_weekends_and_holidays_wait() -> None:
    saturday = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
    assert next_send_time(saturday, zone="America/New_York", rules=DEFAULT) == datetime(
        2026, 3, 9, 12, 0, tzinfo=UTC
    )  # Monday 08:00 EDT
    rules = Rules(holidays_country="MX")
    new_year = datetime(2026, 1, 1, 17, 0, tzinfo=UTC)  # Thursday, a public holiday in Mexico
    assert next_send_time(new_year, zone="America/Mexico_City", rules=rules) == datetime(
        2026, 1, 2, 14, 0, tzinfo=UTC
    )


def test_custom_window() -> None:
    rules = Rules(quiet_hours_start=time(18, 0), quiet_hours_end=time(9, 30))
    now = datetime(2026, 3, 4, 23, 0, tzinfo=UTC)  # 18:00 Madrid
    assert next_send_time(now, zone="Europe/Madrid", rules=rules) == datetime(
        2026, 3, 5, 8, 30, tzinfo=UTC
    )
