"""Promise dates and amounts resolved against the day a reply arrived."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from service.disputes import extract_promise
from service.disputes.amounts import parse_number

MEXICO = timezone(timedelta(hours=-6))
# Tuesday 21 April 2026, mid-morning in Mexico City.
TUESDAY = datetime(2026, 4, 21, 10, 30, tzinfo=MEXICO)


def promised(text: str, received_at: datetime = TUESDAY, **kwargs: str) -> date | None:
    return extract_promise(text, received_at=received_at, **kwargs).date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'll pay on Friday", date(2026, 4, 24)),
        ("el viernes le deposito", date(2026, 4, 24)),
        ("next Friday I'll send the check", date(2026, 4, 24)),
        ("este viernes le pago", date(2026, 4, 24)),
        ("I'll pay Tuesday", date(2026, 4, 28)),
        ("te hago la transferencia el martes", date(2026, 4, 28)),
        ("will pay friday next week", date(2026, 5, 1)),
        ("paying it today", date(2026, 4, 21)),
        ("hoy mismo le pago", date(2026, 4, 21)),
        ("I'll pay tomorrow", date(2026, 4, 22)),
        ("mañana le pago", date(2026, 4, 22)),
        ("manana a primera hora le deposito", date(2026, 4, 22)),
        ("pasado mañana le transfiero", date(2026, 4, 23)),
        ("I'll send the payment in 3 days", date(2026, 4, 24)),
        ("will pay end of month", date(2026, 4, 30)),
        ("le pago a fin de mes", date(2026, 4, 30)),
        ("we'll pay on the 25th", date(2026, 4, 25)),
        ("el 30 le consigno", date(2026, 4, 30)),
        ("le pago el dia 5", date(2026, 5, 5)),
        ("Paying on the 21st", date(2026, 4, 21)),
        ("payment will go out May 4", date(2026, 5, 4)),
        ("realizaremos el pago el 8 de mayo", date(2026, 5, 8)),
        ("pagaremos el viernes 8 de mayo", date(2026, 5, 8)),
        ("Payment scheduled for 2026-05-12", date(2026, 5, 12)),
        ("will pay by Friday the 1st", date(2026, 5, 1)),
    ],
)
def test_resolves_dates(text: str, expected: date) -> None:
    assert promised(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "will pay next week",
        "le pago la proxima semana",
        "pronto le pago",
        "I'll pay as soon as I can",
        "We paid on Sept 2, why is this still open?",
        "ya le pague el lunes",
        "The goods were delivered on 4/18 and were damaged",
        "esta mañana pague con tarjeta",
        "Invoice dated March 1 is wrong",
        "Can I push the due date to the 30th?",
    ],
)
def test_vague_or_past_or_requested_dates_are_not_promises(text: str) -> None:
    assert promised(text) is None


def test_day_of_month_rolls_into_next_month_and_year() -> None:
    december = datetime(2025, 12, 20, 9, tzinfo=MEXICO)
    assert promised("le pago el 5", december) == date(2026, 1, 5)
    assert promised("will pay on the 10th", december) == date(2026, 1, 10)
    assert promised("pago el 5 de enero", december) == date(2026, 1, 5)


def test_weekday_rolls_over_year_end() -> None:
    wednesday = datetime(2025, 12, 31, 9, tzinfo=MEXICO)
    assert promised("I'll pay Friday", wednesday) == date(2026, 1, 2)


def test_same_weekday_means_next_week() -> None:
    friday = datetime(2026, 4, 24, 9, tzinfo=MEXICO)
    assert promised("I'll pay Friday", friday) == date(2026, 5, 1)


def test_end_of_month_in_leap_and_common_february() -> None:
    assert promised("pay end of month", datetime(2028, 2, 10, tzinfo=MEXICO)) == date(2028, 2, 29)
    assert promised("pay end of month", datetime(2027, 2, 10, tzinfo=MEXICO)) == date(2027, 2, 28)


def test_day_missing_from_short_month_is_its_last_day() -> None:
    assert promised("le pago el 31", datetime(2026, 4, 10, tzinfo=MEXICO)) == date(2026, 4, 30)
    leap = datetime(2028, 2, 3, tzinfo=MEXICO)
    assert promised("le pago el 30", leap) == date(2028, 2, 29)


def test_received_date_is_local_to_the_sender() -> None:
    # 23:30 in Mexico is already the next day in UTC; "tomorrow" follows the sender's day.
    late = datetime(2026, 4, 21, 23, 30, tzinfo=MEXICO)
    assert promised("I'll pay tomorrow", late) == date(2026, 4, 22)
    assert promised("I'll pay tomorrow", late.astimezone(UTC)) == date(2026, 4, 23)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("Payment will be sent 05/03", "en_US", date(2026, 5, 3)),
        ("El pago se hara el 05/03/2027", "es_MX", date(2027, 3, 5)),
        ("Payment will be sent 05/03/2027", "en_GB", date(2027, 3, 5)),
        ("Payment will be sent 25/05", "en_US", date(2026, 5, 25)),
        ("El pago sale el 5/25", "es_CO", date(2026, 5, 25)),
    ],
)
def test_numeric_dates_follow_locale(text: str, locale: str, expected: date) -> None:
    assert promised(text, locale=locale) == expected


def test_numeric_dates_default_to_language() -> None:
    assert promised("le pago el 05/06", language="es") == date(2026, 6, 5)
    assert promised("will pay 05/06", language="en") == date(2026, 5, 6)


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        extract_promise("pay friday", received_at=datetime(2026, 4, 21, 10))


@pytest.mark.parametrize(
    ("text", "locale", "amount", "currency"),
    [
        ("I'll pay $1,200 on Friday", "en_US", Decimal("1200"), "USD"),
        ("Will send $2,318.60 tomorrow", None, Decimal("2318.60"), "USD"),
        ("Le pago 1.200,50 € el lunes", "es_ES", Decimal("1200.50"), "EUR"),
        ("USD 500 will go out Friday", None, Decimal("500"), "USD"),
        ("el viernes le deposito 1,234.56 pesos", "es_MX", Decimal("1234.56"), "MXN"),
        ("el viernes consigno $1.340.000", "es_CO", Decimal("1340000"), "COP"),
        ("hoy le deposito 500 y el resto el viernes", None, Decimal("500"), None),
    ],
)
def test_amounts(text: str, locale: str | None, amount: Decimal, currency: str | None) -> None:
    result = extract_promise(text, received_at=TUESDAY, locale=locale)
    assert result.amount == amount
    assert result.currency == currency
    assert result.date is not None


def test_no_amount_when_none_stated() -> None:
    result = extract_promise("Will pay invoice 7730 on Friday", received_at=TUESDAY)
    assert result.amount is None
    assert result.currency is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,200", Decimal("1200")),
        ("1.200", Decimal("1200")),
        ("1.200,50", Decimal("1200.50")),
        ("1,200.50", Decimal("1200.50")),
        ("1 200", Decimal("1200")),
        ("2.15", Decimal("2.15")),
        ("12,5", Decimal("12.5")),
        ("1.234.567", Decimal("1234567")),
    ],
)
def test_parse_number(raw: str, expected: Decimal) -> None:
    assert parse_number(raw) == expected


BOGOTA = timezone(timedelta(hours=-5))
# Monday 28 September 2026 in Bogotá.
MONDAY = datetime(2026, 9, 28, 9, 15, tzinfo=BOGOTA)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It goes out in the next check run on October 8th.", date(2026, 10, 8)),
        ("te pago el 25", date(2026, 10, 25)),
        ("el 30 le cancelo el saldo", date(2026, 9, 30)),
        ("hoy en la tarde le transfiero", date(2026, 9, 28)),
        ("ahorita le deposito", date(2026, 9, 28)),
        ("sending the payment right now", date(2026, 9, 28)),
        ("le consigno pasado mañana", date(2026, 9, 30)),
        ("ok el jueves te hago el payment", date(2026, 10, 1)),
        ("Se os transferirán el día 5 de octubre", date(2026, 10, 5)),
        ("can't this week but definitely friday", date(2026, 10, 2)),
        ("le pago el viernes, ok?", date(2026, 10, 2)),
    ],
)
def test_more_ways_of_naming_the_day(text: str, expected: date) -> None:
    assert promised(text, MONDAY, locale="es_CO") == expected


@pytest.mark.parametrize(
    "text",
    [
        "will pay end of next week",
        "le pago la otra semana",
        "I'll pay this weekend",
        "ahorita no tengo, ¿me espera unas semanas?",
        "I need until the 30th, can you give me that?",
        "can you give me til the end of next month",
    ],
)
def test_vague_days_and_requests_for_time_give_no_date(text: str) -> None:
    assert promised(text, MONDAY, locale="es_CO") is None


@pytest.mark.parametrize(
    ("text", "locale", "amount", "currency"),
    [
        ("a fin de mes le liquido los 20 mil pesos", "es_MX", Decimal("20000"), "MXN"),
        ("el lunes consigno los 850 mil", "es_CO", Decimal("850000"), "COP"),
        ("te transfiero 3.500 € el día 25", "es_ES", Decimal("3500"), "EUR"),
        ("el pago de $12,500 se realizará el 15/10", "es_MX", Decimal("12500"), "MXN"),
        ("will pay $1.2k on friday", "en_US", Decimal("1200"), "USD"),
        ("pasado mañana te pago 5 lucas", "es_AR", Decimal("5000"), "ARS"),
        ("te pago 1.5 millones el viernes", "es_CO", Decimal("1500000"), "COP"),
    ],
)
def test_amounts_in_words_and_thousands(
    text: str, locale: str, amount: Decimal, currency: str
) -> None:
    result = extract_promise(text, received_at=MONDAY, locale=locale)
    assert result.amount == amount
    assert result.currency == currency
    assert result.date is not None


def test_the_same_digits_by_locale() -> None:
    assert promised("payment on 10/11", MONDAY, locale="en_US") == date(2026, 10, 11)
    assert promised("payment on 10/11", MONDAY, locale="en_GB") == date(2026, 11, 10)
    assert promised("el pago sale el 10/11", MONDAY, locale="es_MX") == date(2026, 11, 10)
