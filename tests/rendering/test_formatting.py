"""Amounts, numbers, dates and plurals go through Babel with the reader's conventions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from babel.lists import format_list
from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from service.rendering.formatting import formatter_for


@pytest.mark.parametrize(
    ("locale", "currency", "expected"),
    [
        ("en_US", "USD", "$1,234.50"),
        ("en_US", "MXN", "MX$1,234.50"),
        ("es_MX", "USD", "USD1,234.50"),
        ("es_MX", "MXN", "$1,234.50"),
        ("es_ES", "USD", "1.234,50\u00a0US$"),
        ("es_ES", "EUR", "1.234,50\u00a0€"),
        ("es_US", "USD", "$1,234.50"),
        ("es_MX", "JPY", "JPY1,234"),  # no minor unit; half-even rounding, as Babel does
    ],
)
def test_currency_conventions(locale: str, currency: str, expected: str) -> None:
    assert formatter_for(locale).money(Decimal("1234.50"), currency) == expected


@given(
    amount=st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=3),
    locale=st.sampled_from(["en_US", "es_MX", "es_ES", "es_US", "es_CO", "es_AR"]),
    currency=st.sampled_from(["USD", "MXN", "EUR", "JPY", "COP", "KWD"]),
)
def test_money_matches_babel_exactly(amount: Decimal, locale: str, currency: str) -> None:
    expected = format_currency(amount, currency, locale=locale)
    assert formatter_for(locale).money(amount, currency) == expected


def test_numbers_follow_the_locale() -> None:
    assert formatter_for("en_US").number(1234567) == "1,234,567"
    assert formatter_for("es_ES").number(1234567) == "1.234.567"


@pytest.mark.parametrize(
    ("locale", "count", "expected"),
    [
        ("es_MX", 1, "1 factura vencida"),
        ("es_MX", 3, "3 facturas vencidas"),
        ("es_MX", 0, "0 facturas vencidas"),
        ("es_ES", 1000000, "1.000.000 facturas vencidas"),
    ],
)
def test_spanish_plurals(locale: str, count: int, expected: str) -> None:
    assert formatter_for(locale).count(count, "factura vencida", "facturas vencidas") == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 overdue invoice"), (3, "3 overdue invoices"), (0, "0 overdue invoices")],
)
def test_english_plurals(count: int, expected: str) -> None:
    assert formatter_for("en_US").count(count, "overdue invoice", "overdue invoices") == expected


def test_dates_move_to_the_reader_timezone() -> None:
    moment = datetime(2025, 3, 8, 3, 0, tzinfo=UTC)
    assert formatter_for("es_MX").date(moment, tz="America/Mexico_City") == "7 de marzo de 2025"
    assert formatter_for("es_ES").date(moment, tz="Europe/Madrid") == "8 de marzo de 2025"
    assert formatter_for("en_US").date(date(2025, 3, 7), tz="UTC") == "March 7, 2025"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        formatter_for("en_US").date(datetime(2025, 3, 8, 3, 0), tz="UTC")  # noqa: DTZ001


def test_response_times_read_as_days_or_hours() -> None:
    assert formatter_for("es_MX").duration(48) == "2 días"
    assert formatter_for("es_MX").duration(24) == "1 día"
    assert formatter_for("en_US").duration(36) == "36 hours"


@pytest.mark.parametrize("locale", ["en_US", "es_MX", "es_ES"])
@pytest.mark.parametrize("items", [[], ["a"], ["a", "b"], ["a", "b", "c"]])
def test_lists_read_as_babel_writes_them(locale: str, items: list[str]) -> None:
    assert formatter_for(locale).join(items) == format_list(items, locale=locale)
