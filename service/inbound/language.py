"""Language of a customer's reply: English or Spanish, or None when it cannot be told."""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

__all__ = ["MIN_CONFIDENCE", "MIN_LETTERS", "detect_language"]

ReplyLanguage = Literal["en", "es"]

MIN_LETTERS = 5
MIN_CONFIDENCE = 0.65

_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|[\d_]+")
_CODES: dict[Language, ReplyLanguage] = {Language.ENGLISH: "en", Language.SPANISH: "es"}


@cache
def _detector() -> LanguageDetector:
    # Built once per process: loading the language models is the costly part of detection.
    return LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.SPANISH).build()


def detect_language(text: str) -> ReplyLanguage | None:
    """Return "en" or "es" for ``text``, or None when it is too short or ambiguous.

    Text with fewer than ``MIN_LETTERS`` letters once links, addresses and digits are removed
    ("ok", "STOP", "si") gives None, and so does a text whose most likely language has a
    confidence below ``MIN_CONFIDENCE``.
    """
    cleaned = _NOISE.sub(" ", text)
    if sum(char.isalpha() for char in cleaned) < MIN_LETTERS:
        return None
    values = _detector().compute_language_confidence_values(cleaned)
    if not values:
        return None
    best = values[0]
    if best.value < MIN_CONFIDENCE:
        return None
    return _CODES.get(best.language)
