"""Template filters and globals: every value a template shows is formatted here, via Babel.

Filters: `money(currency)`, `money_list`, `join_list`, `number`, `date(style)`,
`datetime(style)`, `time(style)`, `duration`, `paragraphs`, `end_sentence`. Globals:
`plural(n, one, other)`, `count(n, one, other)`. Datetimes show in the reader's timezone (the
`timezone` variable).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from jinja2 import pass_context
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from service.rendering.context import Money
from service.rendering.formatting import Formatter

__all__ = ["end_sentence", "install_formatting", "paragraphs"]

_SENTENCE_ENDS = (".", "!", "?", "…")


def end_sentence(value: str) -> str:
    """Close a sentence with a period unless the text already ends one: a referral named
    "Pérez Abogados, S.C." ends the sentence itself, without a second period."""
    stripped = value.rstrip()
    if stripped.endswith(_SENTENCE_ENDS):
        return stripped
    return stripped + "."


def paragraphs(value: str | None) -> Markup:
    """Escape free text and keep its paragraphs and line breaks as HTML."""
    if not value:
        return Markup("")
    blocks = re.split(r"\n\s*\n", value.replace("\r\n", "\n").strip())
    html = (
        Markup("<p>")
        + Markup("<br>\n").join(escape(line) for line in block.split("\n"))
        + Markup("</p>")
        for block in blocks
    )
    return Markup("\n").join(html)


def _reader_zone(ctx: Context, value: datetime) -> str:
    """The reader's timezone; macros imported without context fall back to the value's own."""
    tz = ctx.get("timezone")
    if isinstance(tz, str):
        return tz
    key = getattr(value.tzinfo, "key", None)
    return key if isinstance(key, str) else "UTC"


def install_formatting(env: SandboxedEnvironment, fmt: Formatter) -> None:
    @pass_context
    def date_filter(ctx: Context, value: date | datetime | None, style: str = "long") -> str:
        if value is None:
            return ""
        tz = _reader_zone(ctx, value) if isinstance(value, datetime) else "UTC"
        return fmt.date(value, tz=tz, style=style)

    @pass_context
    def datetime_filter(ctx: Context, value: datetime | None, style: str = "medium") -> str:
        if value is None:
            return ""
        return fmt.datetime(value, tz=_reader_zone(ctx, value), style=style)

    @pass_context
    def time_filter(ctx: Context, value: datetime | None, style: str = "short") -> str:
        if value is None:
            return ""
        return fmt.time(value, tz=_reader_zone(ctx, value), style=style)

    def money_filter(value: Decimal | Money | None, currency: str | None = None) -> str:
        if value is None:
            return ""
        if isinstance(value, Money):
            return fmt.money(value.amount, value.currency)
        if currency is None:
            raise ValueError("an amount needs its currency")
        return fmt.money(value, currency)

    def money_list(values: list[Money] | tuple[Money, ...]) -> str:
        return fmt.join([fmt.money(m.amount, m.currency) for m in values])

    def join_list(values: list[str] | tuple[str, ...]) -> str:
        return fmt.join(list(values))

    env.filters.update(
        money=money_filter,
        money_list=money_list,
        join_list=join_list,
        number=fmt.number,
        date=date_filter,
        datetime=datetime_filter,
        time=time_filter,
        duration=fmt.duration,
        paragraphs=paragraphs,
        end_sentence=end_sentence,
    )
    env.globals.update(plural=fmt.plural, count=fmt.count)
