"""Locale-aware formatting for templates: every number, amount, date and plural goes through Babel.

One `Formatter` exists per locale and is shared by every render in that locale; Babel `Locale`
objects and number patterns are parsed once. Amounts format in the invoice's own currency with
the reader's conventions (es_ES `1.234,50 €`, es_MX `USD1,234.50`, en_US `$1,234.50`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.lists import format_list
from babel.numbers import format_decimal, get_currency_precision
from babel.units import format_unit

__all__ = ["Formatter", "formatter_for", "zone"]

_DateStyle = str


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The `ZoneInfo` for an IANA name, cached (construction is not free)."""
    return ZoneInfo(name)


class Formatter:
    """Formats values for one Babel locale; instances are immutable after construction."""

    __slots__ = (
        "_currency_cache",
        "_currency_pattern",
        "_currency_shapes",
        "_number_cache",
        "_pair_pattern",
        "_plural_cache",
        "locale",
        "locale_name",
    )

    def __init__(self, locale_name: str) -> None:
        self.locale_name = locale_name
        self.locale = Locale.parse(locale_name)
        self._currency_pattern = self.locale.currency_formats["standard"]
        # Reminders repeat the same balances across subject, HTML and text parts.
        self._currency_cache: dict[tuple[Decimal, str], str] = {}
        self._currency_shapes: dict[str, _CurrencyShape] = {}
        self._pair_pattern: str = self.locale.list_patterns["standard"]["2"]
        # Counts (invoices, days) are small integers that every message repeats.
        self._number_cache: dict[int, str] = {}
        self._plural_cache: dict[int, str] = {}

    def money(self, amount: Decimal, currency: str) -> str:
        """`amount` in `currency`, with this locale's symbol placement, separators and digits."""
        key = (amount, currency)
        cached = self._currency_cache.get(key)
        if cached is not None:
            return cached
        shape = self._currency_shapes.get(currency)
        if shape is None:
            shape = self._currency_shapes[currency] = _CurrencyShape.learn(self, currency)
        text = shape.format(amount) if shape.usable else None
        if text is None:
            text = self.babel_money(amount, currency)
        if len(self._currency_cache) < 65_536:
            self._currency_cache[key] = text
        return text

    def babel_money(self, amount: Decimal, currency: str) -> str:
        """`money` computed by Babel's general pattern engine, without shortcuts."""
        return str(self._currency_pattern.apply(amount, self.locale, currency=currency))

    def number(self, value: int | Decimal) -> str:
        """A plain number with this locale's grouping and decimal separator."""
        if type(value) is int and -10_000 < value < 10_000:
            cached = self._number_cache.get(value)
            if cached is None:
                cached = self._number_cache[value] = str(format_decimal(value, locale=self.locale))
            return cached
        return str(format_decimal(value, locale=self.locale))

    def date(self, value: dt.date | dt.datetime, *, tz: str, style: _DateStyle = "long") -> str:
        """A calendar date; an aware datetime is first moved to the reader's timezone `tz`."""
        if isinstance(value, dt.datetime):
            value = _aware(value).astimezone(zone(tz)).date()
        return _format_date_cached(value, style, self.locale_name)

    def datetime(self, value: dt.datetime, *, tz: str, style: _DateStyle = "medium") -> str:
        """Date and time in the reader's timezone `tz`."""
        moment = _aware(value)
        return str(format_datetime(moment, style, tzinfo=zone(tz), locale=self.locale))

    def time(self, value: dt.datetime, *, tz: str, style: _DateStyle = "short") -> str:
        """Time of day in the reader's timezone `tz`."""
        moment = _aware(value)
        return str(format_time(moment, style, tzinfo=zone(tz), locale=self.locale))

    def plural_category(self, count: int | Decimal) -> str:
        """CLDR plural category of `count` in this locale ("one", "other", "many" ...)."""
        if type(count) is int and -10_000 < count < 10_000:
            cached = self._plural_cache.get(count)
            if cached is None:
                cached = self._plural_cache[count] = str(self.locale.plural_form(count))
            return cached
        return str(self.locale.plural_form(count))

    def plural(self, count: int, one: str, other: str, many: str | None = None) -> str:
        """Pick the word form for `count`: CLDR categories, "many" falling back to `other`."""
        category = self.plural_category(count)
        if category == "one":
            return one
        if category == "many" and many is not None:
            return many
        return other

    def count(self, count: int, one: str, other: str, many: str | None = None) -> str:
        """`count` formatted and followed by its word form: "3 overdue invoices"."""
        return f"{self.number(count)} {self.plural(count, one, other, many)}"

    def join(self, items: Sequence[str]) -> str:
        """Items as a list in prose: "A and B", "A y B", "A, B y C"."""
        if len(items) == 1:
            return items[0]
        if len(items) == 2:
            return self._pair_pattern.format(items[0], items[1])
        return str(format_list(list(items), locale=self.locale))

    def duration(self, hours: int) -> str:
        """A response time: whole days when it is a multiple of 24 hours, else hours."""
        if hours >= 24 and hours % 24 == 0:
            return str(format_unit(hours // 24, "duration-day", locale=self.locale))
        return str(format_unit(hours, "duration-hour", locale=self.locale))


_PROBES = tuple(
    Decimal(v)
    for v in (
        "0",
        "0.5",
        "1",
        "2.675",
        "0.005",
        "0.015",
        "999.995",
        "1000",
        "12345.6",
        "1234567.891",
    )
)


class _CurrencyShape:
    """How Babel lays out one currency in one locale, learnt once from Babel itself.

    Babel's pattern engine costs ~13 µs an amount; a reminder shows several. For the common
    layout (symbol before or after, groups of three) the result is rebuilt from Python's own
    formatting and the locale's symbols. The shape is only used after it reproduces Babel on
    a set of probe amounts; negative amounts and unusual patterns always go through Babel.
    """

    __slots__ = ("decimal", "group", "precision", "prefix", "quantum", "suffix", "usable")

    def __init__(self, *, precision: int, prefix: str, suffix: str, group: str, decimal: str):
        self.precision = precision
        self.quantum = Decimal(1).scaleb(-precision)
        self.prefix, self.suffix = prefix, suffix
        self.group, self.decimal = group, decimal
        self.usable = True

    @classmethod
    def learn(cls, fmt: Formatter, currency: str) -> _CurrencyShape:
        precision = get_currency_precision(currency)
        symbols = fmt.locale.number_symbols.get(fmt.locale.default_numbering_system, {})
        group, decimal = symbols.get("group", ","), symbols.get("decimal", ".")
        one = fmt.babel_money(Decimal(1), currency)
        digits = "1" + (decimal + "0" * precision if precision else "")
        prefix, found, suffix = one.partition(digits)
        shape = cls(precision=precision, prefix=prefix, suffix=suffix, group=group, decimal=decimal)
        pattern = fmt._currency_pattern
        shape.usable = (
            bool(found)
            and pattern.grouping == (3, 3)
            and all(shape.format(probe) == fmt.babel_money(probe, currency) for probe in _PROBES)
        )
        return shape

    def format(self, amount: Decimal) -> str | None:
        if not amount.is_finite() or amount.is_signed():
            return None
        number = f"{amount.quantize(self.quantum, rounding=ROUND_HALF_EVEN):,.{self.precision}f}"
        if self.group != "," or self.decimal != ".":
            number = number.translate({44: "\x00", 46: self.decimal}).replace("\x00", self.group)
        return f"{self.prefix}{number}{self.suffix}"


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: Cobro formats aware datetimes only")
    return value


@lru_cache(maxsize=8192)
def _format_date_cached(day: dt.date, style: str, locale_name: str) -> str:
    return str(format_date(day, style, locale=_locale(locale_name)))


@lru_cache(maxsize=64)
def _locale(name: str) -> Locale:
    return Locale.parse(name)


@lru_cache(maxsize=64)
def formatter_for(locale_name: str) -> Formatter:
    """The shared `Formatter` of a locale (raises `babel.UnknownLocaleError` when unknown)."""
    return Formatter(locale_name)
