"""Calendar dates in customer replies, resolved against the day the reply arrived.

Conventions (shared with the labeled replies Cobro is measured on):
- a weekday ("Friday", "el viernes", "next Friday", "este viernes") is the next such
  day strictly after the received date; "Friday next week" is the Friday of next week;
- a day of the month ("the 15th", "el 15", "el dia 15") is the next such day on or
  after the received date (a customer writing on the 15th about "the 15th" means
  today); in a shorter month "the 31st" is that month's last day;
- "end of month" / "fin de mes" is the last day of the received month, "end of next
  month" the last day of the next one; "quincena" the next 15th or month end;
- "today" / "hoy" / "tonight" the received date, "tomorrow" / "manana" the day
  after ("esta manana", "por la manana" mean morning), "in 3 days" / "en 3 dias";
- "March 15" / "15 de marzo" without a year is the next such date, unless it lies
  at most six months in the past, in which case it is a past date;
- "15/03" is read day-first for Spanish and en_GB-style locales, month-first for
  en_US; a part above 12 settles the order.
Vague phrases ("next week", "pronto", "la proxima semana") give no date.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from service.disputes.date_words import MONTHS as _MONTHS
from service.disputes.date_words import NUMBER_WORDS as _NUMBER_WORDS
from service.disputes.date_words import WEEKDAYS as _WEEKDAYS

_DAY_FIRST_REGIONS = frozenset({"GB", "IE", "AU", "NZ", "IN", "ZA", "SG", "HK", "MT"})

_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = "(" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + ")"
_WEEKDAY_ANY = "(?:" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + ")"
_YEAR = r"(?:,?\s*(?:de(?:l)?\s+)?(\d{4}))?"
_COUNT = r"(\d{1,2}|" + "|".join(_NUMBER_WORDS) + ")"
_NEXT_MONTH = (
    r"(?:\s+(?:of\s+(?:the\s+)?(?:next|following)\s+month|del\s+(?:proximo|siguiente)\s+mes|"
    r"del\s+mes\s+que\s+viene))?"
)
_NEXT_WEEK = (
    r"(?:\s+(?:next\s+week|of\s+next\s+week|de\s+la\s+(?:proxima|siguiente)\s+semana|"
    r"de\s+la\s+semana\s+que\s+viene))?"
)


@dataclass(frozen=True)
class DateMention:
    """A date found in folded text: where it is and the day it means (None if past)."""

    start: int
    end: int
    day: date | None


@dataclass(frozen=True)
class _Context:
    received: date
    day_first: bool


_Resolver = Callable[["re.Match[str]", _Context], "date | None"]


def day_first(*, locale: str | None, language: str | None) -> bool:
    """Whether "03/04" means 3 April for this customer."""
    if locale:
        parts = re.split(r"[-_]", locale)
        if parts[0].lower() == "es":
            return True
        return len(parts) > 1 and parts[1].upper() in _DAY_FIRST_REGIONS
    return language == "es"


def find_dates(folded: str, *, received: date, day_first_order: bool) -> list[DateMention]:
    """Every date expression in `folded`, longest match first, without overlaps."""
    context = _Context(received=received, day_first=day_first_order)
    mentions: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern, resolve in _PATTERNS:
        for match in pattern.finditer(folded):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            taken.append(span)
            mentions.append(DateMention(start=span[0], end=span[1], day=resolve(match, context)))
    return sorted(mentions, key=lambda mention: mention.start)


def last_day(year: int, month: int) -> date:
    """The last calendar day of `month`."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _day_of_month(year: int, month: int, wanted: int) -> date:
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def _next_day_of_month(received: date, wanted: int) -> date | None:
    if not 1 <= wanted <= 31:
        return None
    candidate = _day_of_month(received.year, received.month, wanted)
    if candidate >= received:
        return candidate
    year, month = _add_months(received, 1)
    return _day_of_month(year, month, wanted)


def _month_day(received: date, month: int, day: int, year: int | None) -> date | None:
    try:
        if year is not None:
            return date(year, month, day)
        candidate = date(received.year, month, day)
        if candidate >= received:
            return candidate
        # A date a few months back is one the customer is reporting, not promising.
        if (received - candidate).days <= 180:
            return None
        return date(received.year + 1, month, day)
    except ValueError:
        return None


def _weekday(received: date, weekday: int, next_week: bool) -> date:
    if next_week:
        monday = received + timedelta(days=7 - received.weekday())
        return monday + timedelta(days=weekday)
    ahead = (weekday - received.weekday()) % 7 or 7
    return received + timedelta(days=ahead)


def _count(token: str) -> int:
    return int(token) if token.isdigit() else _NUMBER_WORDS[token]


def _iso(match: re.Match[str], ctx: _Context) -> date | None:
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _numeric(match: re.Match[str], ctx: _Context) -> date | None:
    first, second = int(match[1]), int(match[2])
    year = _full_year(match[3]) if match[3] else None
    if first > 12 or (ctx.day_first and second <= 12):
        day, month = first, second
    else:
        month, day = first, second
    if month > 12:
        day, month = month, day
    return _month_day(ctx.received, month, day, year) if month <= 12 else None


def _full_year(raw: str) -> int:
    return int(raw) + 2000 if len(raw) == 2 else int(raw)


def _month_then_day(match: re.Match[str], ctx: _Context) -> date | None:
    year = int(match[3]) if match[3] else None
    return _month_day(ctx.received, _MONTHS[match[1]], int(match[2]), year)


def _day_then_month(match: re.Match[str], ctx: _Context) -> date | None:
    day = 1 if match[1] in ("primero", "1ro", "first") else int(match[1])
    year = int(match[3]) if match[3] else None
    return _month_day(ctx.received, _MONTHS[match[2]], day, year)


def _day_only(match: re.Match[str], ctx: _Context) -> date | None:
    token = match[1]
    wanted = 1 if token in ("primero", "first") else int(re.sub(r"\D", "", token))
    if "mes" in match[0][len(token) :] or "month" in match[0][len(token) :]:
        year, month = _add_months(ctx.received, 1)
        return _day_of_month(year, month, wanted)
    return _next_day_of_month(ctx.received, wanted)


def _weekday_name(match: re.Match[str], ctx: _Context) -> date | None:
    if match[2]:
        # "Friday the 21st": the day of the month is more precise than the weekday.
        return _next_day_of_month(ctx.received, int(match[2]))
    text = match[0]
    next_week = "week" in text or "semana" in text
    return _weekday(ctx.received, _WEEKDAYS[match[1]], next_week)


def _today(match: re.Match[str], ctx: _Context) -> date | None:
    return ctx.received


def _tomorrow(match: re.Match[str], ctx: _Context) -> date | None:
    return ctx.received + timedelta(days=1)


def _day_after_tomorrow(match: re.Match[str], ctx: _Context) -> date | None:
    return ctx.received + timedelta(days=2)


def _in_days(match: re.Match[str], ctx: _Context) -> date | None:
    unit = match[2]
    days = _count(match[1]) * (7 if unit.startswith(("week", "seman")) else 1)
    return ctx.received + timedelta(days=days)


def _end_of_month(match: re.Match[str], ctx: _Context) -> date | None:
    text = match[0]
    shift = 1 if re.search(r"next|proximo|siguiente|que viene", text) else 0
    year, month = _add_months(ctx.received, shift)
    return last_day(year, month)


def _end_of_week(match: re.Match[str], ctx: _Context) -> date | None:
    if ctx.received.weekday() >= 4:
        return None
    return ctx.received + timedelta(days=4 - ctx.received.weekday())


def _quincena(match: re.Match[str], ctx: _Context) -> date | None:
    fifteenth = _next_day_of_month(ctx.received, 15)
    month_end = last_day(ctx.received.year, ctx.received.month)
    return min(day for day in (fifteenth, month_end) if day is not None)


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_PATTERNS: tuple[tuple[re.Pattern[str], _Resolver], ...] = (
    (_compile(r"(?<![\d/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])"), _iso),
    (
        _compile(r"(?<![\d/.,$-])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/])"),
        _numeric,
    ),
    (
        _compile(r"(?<![\d/.,$-])(\d{1,2})[.-](\d{1,2})[.-](\d{4})(?![\d.])"),
        _numeric,
    ),
    (
        _compile(rf"\b(?:{_WEEKDAY_ANY},?\s+)?{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b{_YEAR}"),
        _month_then_day,
    ),
    (
        _compile(
            rf"\b(?:(?:el\s+)?{_WEEKDAY_ANY},?\s+)?"
            r"(\d{1,2}|primero|1ro|first)(?:st|nd|rd|th|ro|o|er)?\s+(?:of\s+|de\s+)?"
            + _MONTH
            + r"(?![a-z])"
            + _YEAR
        ),
        _day_then_month,
    ),
    (_compile(r"\bpasado\s+manana\b|\bday\s+after\s+tomorrow\b"), _day_after_tomorrow),
    (
        _compile(
            r"\b(?:end\s+of\s+(?:the\s+|this\s+)?month|eom|(?:a\s+|al\s+|para\s+)?fin(?:al)?(?:es)?"
            r"\s+de(?:l)?\s+mes|end\s+of\s+next\s+month|(?:a\s+)?fin(?:al)?(?:es)?\s+del\s+"
            r"(?:proximo|siguiente)\s+mes|last\s+day\s+of\s+the\s+month|ultimo\s+dia\s+del\s+mes)"
            r"(?:\s+que\s+viene)?"
        ),
        _end_of_month,
    ),
    (_compile(r"\bend\s+of\s+(?:the\s+|this\s+)?week\b"), _end_of_week),
    (_compile(r"(?<!cada )(?<!cada\s)\b(?:la|esta|proxima|en\s+la)\s+quincena\b"), _quincena),
    (
        _compile(rf"\b(?:in|en|dentro\s+de)\s+{_COUNT}\s+(days?|dias?|weeks?|semanas?)\b"),
        _in_days,
    ),
    (
        _compile(
            rf"\b(?:(?:this|next|on|by|coming|el|este|el\s+proximo|proximo|para\s+el|hasta\s+el)"
            rf"\s+)?{_WEEKDAY}s?\b(?:\s+que\s+viene)?{_NEXT_WEEK}(?:,?\s+(?:the\s+)?(\d{{1,2}})("
            rf"?:st|nd|"
            rf"rd|th)?(?![\d/.,:]|\s*(?:de\s|of\s|%|am\b|pm\b|hrs\b|h\b)))?"
        ),
        _weekday_name,
    ),
    (
        _compile(
            r"\b(?:on\s+|by\s+|before\s+|for\s+|until\s+)?the\s+(\d{1,2}(?:st|nd|rd|th)|"
            r"first(?=\s*(?:of\b|[.,!?]|$)))\b" + _NEXT_MONTH
        ),
        _day_only,
    ),
    (_compile(r"\b(?:on|by)\s+(\d{1,2}(?:st|nd|rd|th))\b" + _NEXT_MONTH), _day_only),
    (
        _compile(
            r"\b(?:el|para\s+el|hasta\s+el|antes\s+del|del)\s+(?:proximo\s+)?(?:dia\s+)?"
            r"(\d{1,2}(?:ro|o)?|primero)\b(?!\s*(?:%|de\s+cada|dias|horas|unidades|piezas|cajas|"
            r"por\s+ciento|[.,]\d|/))" + _NEXT_MONTH
        ),
        _day_only,
    ),
    (
        _compile(
            r"\b(?:today|tonight|hoy|hoy\s+mismo|this\s+(?:afternoon|evening|morning)|later\s+today"
            r"|end\s+of\s+(?:the\s+)?day|eod|by\s+cob|esta\s+(?:tarde|noche)|ahora\s+mismo|"
            r"(?:hoy|ahorita)(?:\s+(?:en|por|a)\s+la\s+(?:tarde|noche|manana))?|"
            r"ahora\s+(?:en|por|a)\s+la\s+(?:tarde|noche)|"
            # "sending it now": a payment under way today.
            r"(?:paying|sending|making|transferring|wiring|processing|doing|submitting)"
            r"(?:\s+\w+){0,3}\s+(?:right\s+)?now)\b"
        ),
        _today,
    ),
    (
        _compile(
            r"\b(?:tomorrow|tmrw|tmr|tmw|2moro|2morrow|tomorow|tommorow|tommorrow)\b"
            # "manana" is tomorrow unless an article makes it "the morning".
            r"|(?<!la )(?<!esta )(?<!una )(?<!cada )(?<!las )\bmanana\b"
        ),
        _tomorrow,
    ),
)
