"""Money amounts as customers type them: "$1,200", "1.200,50 €", "USD 500", "1,234.56 pesos"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_SYMBOLS = r"(?:us\$|usd|mxn|eur|cop|gbp|cad|clp|ars|pen|\$|€|£)"
_WORDS = (
    r"(?:usd|mxn|eur|cop|gbp|cad|clp|ars|pen|euros?|dolares|dollars|bucks|pesos|mil pesos|€|£|"
    r"dlls|dls)"
)
_NUMBER = r"\d{1,3}(?:[.,\s]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_BEFORE = re.compile(rf"(?<![\w$€£]){_SYMBOLS}\s?({_NUMBER})(k\b)?(?![\d/])")
# "850 mil", "20 mil pesos", "5 lucas", "2 palos": thousands and millions in words.
_SCALED = re.compile(
    rf"(?<![\w.,$€£])({_NUMBER})\s?(mil|k|lucas?|millones|millon|palos?)(?:\s+(?:de\s+)?"
    rf"({_WORDS}))?(?!\w)"
)
_SCALES = {
    "mil": Decimal(1000),
    "k": Decimal(1000),
    "luca": Decimal(1000),
    "lucas": Decimal(1000),
    "millon": Decimal(1_000_000),
    "millones": Decimal(1_000_000),
    "palo": Decimal(1_000_000),
    "palos": Decimal(1_000_000),
}
_AFTER = re.compile(rf"(?<![\w.,])({_NUMBER})\s?({_WORDS})(?!\w)")
# "le deposito 500": a bare figure right after a verb of paying.
_BARE = re.compile(
    r"\b(?:deposito|depositare|pago|abono|transfiero|consigno|mando|pay|send|paying|sending)\s+"
    r"(?:de\s+|you\s+|le\s+)?(\d{2,3}(?:[.,]\d{3})*|\d{2,6})(?![\d.,/%]|\s?(?:%|dias|days|de "
    r"(?:la|cada|los)|facturas?|invoices?))"
)
_CODES = {
    "us$": "USD",
    "usd": "USD",
    "dolares": "USD",
    "dollars": "USD",
    "bucks": "USD",
    "dlls": "USD",
    "dls": "USD",
    "mxn": "MXN",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "€": "EUR",
    "cop": "COP",
    "gbp": "GBP",
    "£": "GBP",
    "cad": "CAD",
    "clp": "CLP",
    "ars": "ARS",
    "pen": "PEN",
}
_PESOS_BY_REGION = {"MX": "MXN", "CO": "COP", "CL": "CLP", "AR": "ARS", "UY": "UYU", "DO": "DOP"}
_DOLLAR_BY_REGION = {"MX": "MXN", "CO": "COP", "CL": "CLP", "AR": "ARS", "CA": "CAD", "US": "USD"}


@dataclass(frozen=True)
class Amount:
    """An amount found in text, with its offset in the folded text."""

    value: Decimal
    currency: str | None
    start: int


def parse_number(raw: str) -> Decimal | None:
    """Parse "1,234.56", "1.234,56", "1 234", "1.200" (a thousand) into a Decimal.

    With both separators present the last one is the decimal mark. A lone
    separator followed by exactly three digits groups thousands: amounts with
    three decimals do not occur in invoices, "1.200" and "1,200" do.
    """
    text = raw.replace(" ", "")
    marks = [ch for ch in text if ch in ".,"]
    if len(set(marks)) == 2:
        decimal_mark = text[max(text.rfind("."), text.rfind(","))]
        thousands = "," if decimal_mark == "." else "."
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    elif marks:
        mark = marks[0]
        head, _, tail = text.rpartition(mark)
        if len(marks) > 1 or len(tail) == 3:
            text = text.replace(mark, "")
        else:
            text = f"{head.replace(mark, '')}.{tail}"
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def currency_for(token: str, *, locale: str | None, language: str | None) -> str | None:
    """ISO code for a symbol or word; "$" and "pesos" depend on the customer's country."""
    token = token.strip()
    if token in _CODES:
        return _CODES[token]
    region = _region(locale)
    if token in ("pesos", "mil pesos"):
        return _PESOS_BY_REGION.get(region or "")
    if token == "$":
        if region is not None:
            return _DOLLAR_BY_REGION.get(region)
        return "USD" if language in (None, "en") else None
    return None


def find_amounts(folded: str, *, locale: str | None, language: str | None) -> list[Amount]:
    """Every amount in `folded` text, in order of appearance."""
    found: dict[int, Amount] = {}
    for match in _BEFORE.finditer(folded):
        symbol = folded[match.start() : match.start(1)]
        _add(
            found,
            match.start(),
            match.group(1),
            currency_for(symbol, locale=locale, language=language),
            scale=Decimal(1000) if match.group(2) else Decimal(1),
        )
    for match in _SCALED.finditer(folded):
        # Spoken thousands are the local currency ("850 mil" in Bogotá is pesos).
        word = match.group(3) or "pesos"
        currency = currency_for(word, locale=locale, language=language)
        if match.group(2) == "k" and match.group(3) is None:
            currency = None
        _add(found, match.start(), match.group(1), currency, scale=_SCALES[match.group(2)])
    for match in _AFTER.finditer(folded):
        currency = currency_for(match.group(2), locale=locale, language=language)
        scale = Decimal(1000) if match.group(2) == "mil pesos" else Decimal(1)
        _add(found, match.start(), match.group(1), currency, scale=scale)
    for match in _BARE.finditer(folded):
        if not any(abs(start - match.start(1)) < 4 for start in found):
            _add(found, match.start(1), match.group(1), None)
    return [found[start] for start in sorted(found)]


def _add(
    found: dict[int, Amount],
    start: int,
    raw: str,
    currency: str | None,
    *,
    scale: Decimal = Decimal(1),
) -> None:
    value = parse_number(raw)
    if value is None or value <= 0:
        return
    if any(abs(start - other) <= 4 for other in found):
        return
    found[start] = Amount(value=value * scale, currency=currency, start=start)


def _region(locale: str | None) -> str | None:
    if not locale:
        return None
    parts = re.split(r"[-_]", locale)
    return parts[1].upper() if len(parts) > 1 else None
