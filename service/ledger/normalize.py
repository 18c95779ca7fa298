"""Validation and normalization of portfolio fields, shared by the API and the importer.

Each function returns the normalized value or raises `InvalidField` with a reason an integrator
can act on. They are pure and cached where the same raw value recurs (an aging export repeats a
customer's phone on every invoice row).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_precision, list_currencies

LANGUAGES = frozenset({"en", "es"})
_EMAIL = re.compile(
    r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)
_MAX_MONEY = Decimal("1e15")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


class InvalidField(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@lru_cache(maxsize=65536)
def phone(raw: str, country: str) -> str:
    """E.164 form of `raw`; a national number takes the tenant's `country`."""
    try:
        number = phonenumbers.parse(raw, country.upper())
    except phonenumbers.NumberParseException as exc:
        raise InvalidField("phone", f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidField("phone", f"not a valid phone number: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email(raw: str) -> str:
    value = raw.strip()
    if len(value) > 320 or not _EMAIL.match(value):
        raise InvalidField("email", f"not an email address: {raw!r}")
    local, domain = value.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


@lru_cache(maxsize=256)
def language(raw: str) -> str:
    value = raw.strip().lower().replace("-", "_").split("_")[0]
    if value not in LANGUAGES:
        raise InvalidField("language", f"must be one of {sorted(LANGUAGES)}, got {raw!r}")
    return value


@lru_cache(maxsize=256)
def locale(raw: str) -> str:
    try:
        parsed = Locale.parse(raw.strip().replace("-", "_"))
    except (ValueError, UnknownLocaleError) as exc:
        raise InvalidField("locale", f"unknown locale: {raw!r}") from exc
    if parsed.language not in LANGUAGES:
        raise InvalidField("locale", f"language must be one of {sorted(LANGUAGES)}: {raw!r}")
    return str(parsed)


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=1024)
def timezone(raw: str) -> str:
    value = raw.strip()
    if value not in _timezones():
        raise InvalidField("timezone", f"unknown IANA time zone: {raw!r}")
    try:
        ZoneInfo(value)
    except ZoneInfoNotFoundError as exc:
        raise InvalidField("timezone", f"unknown IANA time zone: {raw!r}") from exc
    return value


@lru_cache(maxsize=1)
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def currency(raw: str) -> str:
    value = raw.strip().upper()
    if value not in _currencies():
        raise InvalidField("currency", f"unknown currency: {raw!r}")
    return value


def money(raw: str | Decimal | int, *, field: str, currency_code: str) -> Decimal:
    """A decimal amount with no more places than the currency has (JPY none, USD two, KWD three)."""
    if isinstance(raw, Decimal | int):
        value = Decimal(raw)
    else:
        text = raw.strip()
        if "," in text:
            # A comma only as a thousands separator ("1,234.50"); "1,5" is ambiguous, not 15.
            if not _THOUSANDS.match(text):
                raise InvalidField(field, f"not an amount (use 1234.50): {raw!r}")
            text = text.replace(",", "")
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            raise InvalidField(field, f"not an amount: {raw!r}") from exc
    if not value.is_finite() or abs(value) >= _MAX_MONEY:
        raise InvalidField(field, f"not an amount: {raw!r}")
    places = minor_units(currency_code)
    step = _quantum(places)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places and value != value.quantize(step):
        raise InvalidField(field, f"{currency_code} takes at most {places} decimal places: {raw!r}")
    return value.quantize(step)


@lru_cache(maxsize=64)
def _plain_pattern(places: int) -> re.Pattern[str]:
    fraction = rf"(?:\.\d{{0,{places}}})?" if places else ""
    return re.compile(rf"-?\d{{1,15}}{fraction}")


def plain_money(raw: str, currency_code: str) -> Decimal | None:
    """`money` for the common case, cheaply: a stripped "1234.5" with no more places than the
    currency has and under the limit. None for anything else, which `money` then judges."""
    places = minor_units(currency_code)
    if not _plain_pattern(places).fullmatch(raw):
        return None
    value = Decimal(raw)
    return value if raw[-places - 1 : -places] == "." else value.quantize(_quantum(places))


@lru_cache(maxsize=8)
def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d.%m.%Y")


def calendar_date(raw: str | date, *, field: str) -> date:
    """ISO dates first; a spreadsheet datetime keeps its date; `m/d/Y` as US exports write."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    value = raw.strip()
    try:
        return (
            date.fromisoformat(value[:10])
            if len(value) >= 10 and value[4] == "-"
            else _strptime(value)
        )
    except ValueError as exc:
        raise InvalidField(field, f"not a date (use YYYY-MM-DD): {raw!r}") from exc


def _strptime(value: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


@lru_cache(maxsize=512)
def minor_units(currency_code: str) -> int:
    return int(get_currency_precision(currency_code))
