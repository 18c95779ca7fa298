"""Text normalization shared by the reply classifier and the promise extractor.

Customers type on phones, skip accents, mix English and Spanish and use curly
quotes; every rule therefore runs on one normalized form of the text.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile(r"['\u2019\u2018\u02bc`\u00b4]")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*")


def fold(text: str) -> str:
    """Return `text` without accents (NFKD, combining marks dropped) and casefolded.

    Apostrophes are removed so that "can't", "cant" and "can`t" read the same;
    dashes become "-", runs of spaces one space, and line breaks are kept as "\\n".
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = stripped.casefold()
    folded = _APOSTROPHES.sub("", folded)
    folded = _DASHES.sub("-", folded)
    folded = _SPACES.sub(" ", folded)
    return _BLANK_LINES.sub("\n", folded).strip()


_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+|\n+")


def sentences(folded: str) -> list[tuple[int, str]]:
    """Split folded text into sentences, each with its offset in `folded`."""
    parts: list[tuple[int, str]] = []
    start = 0
    for match in _SENTENCE_BREAK.finditer(folded):
        if match.start() > start:
            parts.append((start, folded[start : match.start()]))
        start = match.end()
    if start < len(folded):
        parts.append((start, folded[start:]))
    return parts
