"""SMS encoding and segment counting as carriers do it (3GPP TS 23.038).

A message that fits the GSM 03.38 7-bit alphabet travels in 160 septets, or 153 per segment
once it is split (the user data header takes the rest). Anything else travels as UCS-2: 70
UTF-16 code units, or 67 per segment. Characters of the extension table take two septets (an
escape and the character), and carriers never split such a pair, nor a surrogate pair, across
two segments, so segments are packed greedily rather than divided arithmetically.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "SmsInfo",
    "count_segments",
    "is_gsm7",
    "to_gsm7",
]

Encoding = Literal["GSM-7", "UCS-2"]

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

_GSM7_SINGLE, _GSM7_MULTI = 160, 153
_UCS2_SINGLE, _UCS2_MULTI = 70, 67

# Characters with no GSM-7 form whose usual stand-in is not what Unicode decomposition gives.
_SUBSTITUTES: dict[str, str] = {
    "\u00a0": " ",  # no-break space, as Babel puts between amount and currency
    "\u202f": " ",  # narrow no-break space
    "\u2007": " ",
    "\u2009": " ",
    "\t": " ",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2010": "-",
    "\u2011": "-",
    "\u2026": "...",
    "\u2022": "-",
    "`": "'",
    "\u00b4": "'",
    "ç": "c",
    "\u00ba": "o",
    "\u00aa": "a",
    "\u00b0": "o",
    "\u00b7": ".",
}


@dataclass(frozen=True, slots=True)
class SmsInfo:
    """How a text travels as SMS.

    `units` counts septets for GSM-7 (extension characters count two) and UTF-16 code units for
    UCS-2 (an emoji outside the BMP counts two).
    """

    encoding: Encoding
    units: int
    segments: int

    @property
    def characters(self) -> int:
        """Alias of `units`, the figure carriers bill by."""
        return self.units

    def fits(self, max_segments: int) -> bool:
        """Whether the message stays within `max_segments` segments."""
        return self.segments <= max_segments


def is_gsm7(text: str) -> bool:
    """Whether every character of `text` has a GSM-7 encoding (basic or extension table)."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _pack(weights: list[int], *, single: int, multi: int) -> int:
    total = sum(weights)
    if total <= single:
        return 1 if total else 0
    segments, used = 1, 0
    for weight in weights:
        if used + weight > multi:
            segments += 1
            used = 0
        used += weight
    return segments


def count_segments(text: str) -> SmsInfo:
    """Count the encoding, units and segments a carrier will use for `text`.

    An empty text is reported as zero segments.
    """
    if is_gsm7(text):
        weights = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        segments = _pack(weights, single=_GSM7_SINGLE, multi=_GSM7_MULTI)
        return SmsInfo(encoding="GSM-7", units=sum(weights), segments=segments)
    weights = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    segments = _pack(weights, single=_UCS2_SINGLE, multi=_UCS2_MULTI)
    return SmsInfo(encoding="UCS-2", units=sum(weights), segments=segments)


def _transliterate(ch: str, replacement: str) -> str:
    if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
        return ch
    substitute = _SUBSTITUTES.get(ch)
    if substitute is not None:
        return substitute
    # Decomposition strips what GSM-7 lacks and keeps what it has: á -> a, Á -> A, ǹ -> n.
    decomposed = unicodedata.normalize("NFKD", ch)
    kept = "".join(c for c in decomposed if c in GSM7_BASIC or c in GSM7_EXTENSION)
    if kept:
        return kept
    if unicodedata.category(ch) in {"Mn", "Me", "Cf"}:
        return ""
    return replacement


def to_gsm7(text: str, *, replacement: str = "?") -> str:
    """Rewrite `text` with GSM-7 characters only, touching only what GSM-7 cannot carry.

    Characters of the GSM-7 tables are kept as they are (é, ñ, Ñ, ü, à, ¿, ¡ ...); the rest
    lose their accents (á -> a, í -> i, ó -> o, ú -> u), typographic punctuation becomes its
    plain form, and what has no stand-in (emoji, other scripts) becomes `replacement`.
    """
    # Composed input first, so that a decomposed "é" (e + combining acute) stays "é".
    composed = unicodedata.normalize("NFC", text)
    return "".join(_transliterate(ch, replacement) for ch in composed)
