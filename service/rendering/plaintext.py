"""Plain text from the small HTML fragments Cobro renders itself (portal messages).

The input is markup that Cobro's autoescaping templates produced: every `<` of a text is
escaped, so tags can be found by pattern rather than by a full HTML parser (which costs more
than the render itself).
"""

from __future__ import annotations

import html
import re

__all__ = ["html_to_text"]

_HIDDEN = re.compile(r"<(script|style|head|title)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BLOCK = re.compile(
    r"</?(?:p|div|section|article|h[1-6]|ul|ol|table|thead|tbody|header|footer)\b[^>]*>",
    re.IGNORECASE,
)
_LINE = re.compile(r"<(?:br|tr)\b[^>]*>", re.IGNORECASE)
_ITEM = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
_CELL = re.compile(r"<t[dh]\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_GAPS = re.compile(r"\n{3,}")


def html_to_text(fragment: str) -> str:
    """The readable text of `fragment`: tags dropped, entities decoded, paragraphs kept."""
    text = _HIDDEN.sub("", fragment)
    text = _SPACES.sub(" ", text.replace("\n", " "))
    text = _BLOCK.sub("\n\n", text)
    text = _LINE.sub("\n", text)
    text = _ITEM.sub("\n- ", text)
    text = _CELL.sub("  ", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [line.strip() for line in text.split("\n")]
    return _GAPS.sub("\n\n", "\n".join(lines)).strip()
