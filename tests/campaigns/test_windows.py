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


def test_dst_end_keeps_eight_local() -> None:
    # US clocks fall back on Sunday 1 November 2026, 02:00 EDT -> 01:00 EST.
    rules = Rules(send_on_weekends=True)
    before_fall_back = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, the first 01:30
    assert next_send_time(before_fall_back, zone="America/New_York", rules=rules) == datetime(
        2026, 11, 1, 13, 0, tzinfo=UTC
    )  # 08:00 EST
    saturday_night = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)  # 22:00 EDT on Saturday
    assert next_send_time(saturday_night, zone="America/New_York", rules=rules) == datetime(
        2026, 11, 1, 13, 0, tzinfo=UTC
    )
    # The evening after: 20:30 EST is still inside the window, 21:30 EST is not.
    assert next_send_time(
        datetime(2026, 11, 2, 1, 30, tzinfo=UTC), zone="America/New_York", rules=rules
    ) == datetime(2026, 11, 2, 1, 30, tzinfo=UTC)
    assert next_send_time(
        datetime(2026, 11, 2, 2, 30, tzinfo=UTC), zone="America/New_York", rules=rules
    ) == datetime(2026, 11, 2, 13, 0, tzinfo=UTC)


def test_an_opening_in_a_repeated_or_skipped_hour() -> None:
    # Opening at 01:30 on the night clocks fall back: the first 01:30 (EDT) opens the window.
    fall = Rules(send_on_weekends=True, quiet_hours_start=time(23, 0), quiet_hours_end=time(1, 30))
    now = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)  # 00:00 EDT
    assert next_send_time(now, zone="America/New_York", rules=fall) == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )
    # Opening at 02:30 on the night clocks spring forward (02:00 -> 03:00): 03:30 EDT.
    spring = Rules(
        send_on_weekends=True, quiet_hours_start=time(23, 0), quiet_hours_end=time(2, 30)
    )
    now = datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # 00:00 EST
    assert next_send_time(now, zone="America/New_York", rules=spring) == datetime(
        2026, 3, 8, 7, 30, tzinfo=UTC
    )
