"""Reply trimming: keep what the customer wrote, drop quoted history and signatures.

Handles the markers of Gmail, Outlook (desktop, web and mobile), Apple Mail and common mobile
signatures, in English and Spanish. Spanish forms matter because the well-known reply parsers
miss them, and a Spanish reply left with its quote would be classified on our own reminder text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html.parser import HTMLParser

__all__ = ["html_to_text", "strip_reply", "strip_reply_html"]

# "On <date>, <name> wrote:" / "El <fecha>, <nombre> escribió:". Every mail client writes a
# time, a year or an address in it, so "On the 15th I'll pay. My wife wrote:" stays.
_ATTRIBUTION_START = re.compile(r"^\s*(?:On|El)\s", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(r"(?:wrote|escribi[óo])\s*:\s*$", re.IGNORECASE)
_ATTRIBUTION_EVIDENCE = re.compile(r"\d{1,2}:\d{2}|@|\b(?:19|20)\d{2}\b")
_ATTRIBUTION_MAX_CHARS = 300
_ATTRIBUTION_MAX_LINES = 3

_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Mensaje original|Forwarded message|Mensaje reenviado)"
    r"\s*-{2,}\s*$",
    re.IGNORECASE,
)
_FORWARD_INTRO = re.compile(
    r"^\s*(?:Begin forwarded message|Inicio del mensaje reenviado)\s*:\s*$", re.IGNORECASE
)
_UNDERSCORE_RULE = re.compile(r"^\s*_{10,}\s*$")

_HEADER_LINE = re.compile(
    r"^\s*\*?\s*(From|Sent|To|Cc|Date|Subject|Reply-To|De|Enviado(?: el)?|Para|CC|CCO|Fecha|"
    r"Asunto|Responder a)\s*:\s*\*?",
    re.IGNORECASE,
)
_SENDER_HEADERS = frozenset({"from", "de"})
_SENDER_LINE = re.compile(r"^\s*\*?\s*(?:From|De)\s*:", re.IGNORECASE)
_HEADER_EVIDENCE = re.compile(r"@|\d|\[mailto:")
_HEADER_BLOCK_WINDOW = 6

# Device words keep "Sent from my bank on the 3rd" in the customer's text.
_DEVICES = (
    r"(?:iPhone|iPad|iPod|Android|Samsung|Galaxy|Huawei|Xiaomi|Redmi|Motorola|moto|Pixel|"
    r"OnePlus|Oppo|Nokia|LG|Sony|BlackBerry|Windows Phone|mobile|mobile device|phone|cell|"
    r"cellphone|smartphone|tablet|Verizon|T-Mobile|Sprint|AT&T|Boost|Cricket|"
    r"tel[ée]fono|m[óo]vil|celular|dispositivo|tableta)"
)
_MOBILE_SIGNATURE = re.compile(
    r"^\s*(?:(?:Sent from my|Enviado desde mi)\s+(?:\S+\s+)?" + _DEVICES + r"\b"
    r"|Sent from (?:Outlook|Mail for|Yahoo Mail|Gmail|AOL)|Get Outlook for|"
    r"Enviado desde (?:Outlook|Correo para|Yahoo Mail|Gmail)|Obtener Outlook para|"
    r"Obt[ée]n Outlook para)[^\n]{0,60}$",
    re.IGNORECASE,
)
_SIGNATURE_DELIMITER = re.compile(r"^--\s*$")
_QUOTED = re.compile(r"^\s*>")


def strip_reply(text: str) -> str:
    """Return the new text of a plain-text reply, without quoted history or signature.

    The text is cut at the first reply marker (attribution line, Outlook separator or header
    block, forward banner, mobile signature, "-- " delimiter); lines quoted with ">" are dropped.
    When the customer wrote below the quote (bottom posting), that text is kept instead.
    Whitespace at the ends is trimmed; the customer's own lines are returned unchanged.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _first_marker(lines)
    head = _unquoted(lines[:cut])
    if head:
        return head
    # Bottom posting: the quote (with its attribution) comes first and the reply after it.
    tail_start = _end_of_quote(lines, cut)
    tail = lines[tail_start:]
    tail_cut = _first_marker(tail)
    return _unquoted(tail[:tail_cut])


def _unquoted(lines: Sequence[str]) -> str:
    kept = [line.rstrip() for line in lines if not _QUOTED.match(line)]
    return "\n".join(kept).strip("\n").strip()


def _end_of_quote(lines: Sequence[str], start: int) -> int:
    """Index of the first line after the quoted block that begins at or after ``start``."""
    index = start
    length = len(lines)
    while index < length and not _QUOTED.match(lines[index]):
        index += 1
    while index < length and (_QUOTED.match(lines[index]) or not lines[index].strip()):
        index += 1
    return index


def _first_marker(lines: Sequence[str]) -> int:
    """Index of the first line that starts quoted history or a signature (len when none)."""
    for index, line in enumerate(lines):
        if _starts_history(lines, index, line):
            return index
    return len(lines)


def _starts_history(lines: Sequence[str], index: int, line: str) -> bool:
    if _SEPARATOR.match(line) or _FORWARD_INTRO.match(line):
        return True
    if _MOBILE_SIGNATURE.match(line) or _SIGNATURE_DELIMITER.match(line):
        return True
    if _is_attribution(lines, index):
        return True
    if _UNDERSCORE_RULE.match(line):
        following = _next_non_blank(lines, index + 1)
        return following < len(lines) and bool(_SENDER_LINE.match(lines[following]))
    return _is_header_block(lines, index)


def _is_attribution(lines: Sequence[str], index: int) -> bool:
    if not _ATTRIBUTION_START.match(lines[index]):
        return False
    joined = ""
    for line in lines[index : index + _ATTRIBUTION_MAX_LINES]:
        if not line.strip():
            return False
        joined = f"{joined} {line.strip()}"
        if len(joined) > _ATTRIBUTION_MAX_CHARS:
            return False
        if _ATTRIBUTION_END.search(joined):
            return bool(_ATTRIBUTION_EVIDENCE.search(joined))
    return False


def _next_non_blank(lines: Sequence[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _is_header_block(lines: Sequence[str], index: int) -> bool:
    """True when ``index`` opens a block of mail headers that names the sender.

    Consecutive header lines (blank lines allowed) must include From/De and either three
    distinct names or an address or date among them, so that a customer's lines that begin
    with "De:" or "Para:" are not mistaken for a quoted message.
    """
    if index >= len(lines) or not _HEADER_LINE.match(lines[index]):
        return False
    names: set[str] = set()
    evidence = False
    for line in lines[index : index + _HEADER_BLOCK_WINDOW]:
        if not line.strip():
            continue
        match = _HEADER_LINE.match(line)
        if match is None:
            break
        names.add(match.group(1).lower())
        evidence = evidence or bool(_HEADER_EVIDENCE.search(line))
    if not names & _SENDER_HEADERS:
        return False
    return len(names) >= 3 or (len(names) == 2 and evidence)


# --- HTML -----------------------------------------------------------------------------------

_INVISIBLE_TAGS = frozenset({"style", "script", "head", "title", "template"})
_SKIPPED_TAGS = _INVISIBLE_TAGS | {"blockquote"}
_QUOTE_CLASSES = frozenset(
    {
        "gmail_quote",
        "gmail_quote_container",
        "gmail_extra",
        "moz-cite-prefix",
        "yahoo_quoted",
        "protonmail_quote",
        "zmail_extra",
    }
)
# Outlook puts the reply header in these and everything after them is the quoted message.
_HISTORY_IDS = frozenset(
    {"divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container"}
)
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "tr",
        "li",
        "ul",
        "ol",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "hr",
        "section",
        "article",
        "header",
        "footer",
    }
)
_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")


_QUOTE_OPEN, _QUOTE_CLOSE = "\x01", "\x02"  # blockquote bounds, in full text only


class _TextExtractor(HTMLParser):
    def __init__(self, *, keep_history: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self._keep_history = keep_history
        self._parts: list[str] = []
        self._skip_tag: str | None = None
        self._skip_depth = 0
        self._stopped = False

    def _line_break(self) -> None:
        """End the current line unless it is already ended: blocks never stack blank lines."""
        while self._parts and not self._parts[-1].strip(" ") and "\n" not in self._parts[-1]:
            self._parts.pop()
        if self._parts and not self._parts[-1].endswith("\n"):
            self._parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._stopped:
            return
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth += 1
            return
        attributes = {name.lower(): (value or "") for name, value in attrs}
        if self._keep_history:
            if tag == "blockquote":
                self._line_break()
                self._parts.append(_QUOTE_OPEN)
                return
            if tag in _INVISIBLE_TAGS:
                self._skip_tag = tag
                self._skip_depth = 1
                return
        elif attributes.get("id", "").lower() in _HISTORY_IDS:
            self._stopped = True
            return
        classes = set(attributes.get("class", "").lower().split())
        if not self._keep_history and (tag in _SKIPPED_TAGS or classes & _QUOTE_CLASSES):
            self._skip_tag = tag
            self._skip_depth = 1
            return
        if tag == "br":
            self._parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self._line_break()
        elif tag in {"td", "th"}:
            self._parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # A self-closed element such as <br/> or <div/> has no content to skip.
        if self._stopped or self._skip_tag is not None:
            return
        if tag == "br":
            self._parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self._line_break()

    def handle_endtag(self, tag: str) -> None:
        if self._stopped:
            return
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._skip_tag = None
            return
        if self._keep_history and tag == "blockquote":
            self._line_break()
            self._parts.append(_QUOTE_CLOSE)
        elif tag in _BLOCK_TAGS:
            self._line_break()

    def handle_data(self, data: str) -> None:
        if self._stopped or self._skip_tag is not None:
            return
        self._parts.append(_WHITESPACE.sub(" ", data))

    def text(self) -> str:
        raw = "".join(self._parts).replace("\xa0", " ")
        lines = _quoted_lines(raw.split("\n")) if self._keep_history else raw.split("\n")
        collapsed: list[str] = []
        for line in (line.strip() for line in lines):
            if not line and (not collapsed or not collapsed[-1]):
                continue
            collapsed.append(line)
        return "\n".join(collapsed).strip()


def _quoted_lines(lines: Sequence[str]) -> list[str]:
    """Lines with their blockquote depth written as ">" marks, the way plain-text mail quotes."""
    depth = 0
    out = []
    for line in lines:
        depth = max(0, depth + line.count(_QUOTE_OPEN) - line.count(_QUOTE_CLOSE))
        content = line.replace(_QUOTE_OPEN, "").replace(_QUOTE_CLOSE, "").strip()
        out.append(f"{'> ' * depth}{content}" if content and depth else content)
    return out


def html_to_text(html: str, *, keep_history: bool = False) -> str:
    """Return the visible text of an HTML mail body, without quoted history.

    Drops <blockquote>, Gmail quote containers, Outlook reply headers and all that follows them,
    <style>, <script> and <head>. <br>, <p>, <div> and other blocks become line breaks; runs of
    blank lines collapse to one. Malformed HTML never raises: unclosed elements end at the end.

    With ``keep_history`` the whole visible text is kept instead, quoted history included (the
    body as received, kept for audit): blockquoted lines are marked with "> ".
    """
    parser = _TextExtractor(keep_history=keep_history)
    parser.feed(html)
    parser.close()
    return parser.text()


def strip_reply_html(html: str) -> str:
    """Return the new text of an HTML reply: ``strip_reply`` applied to ``html_to_text``."""
    return strip_reply(html_to_text(html))
