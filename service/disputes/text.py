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


# Shorthand, phonetic spellings and frequent typos of SMS and hurried mail, mapped to
# the words the rules are written in. Only whole words change; words that are also
# ordinary words elsewhere ("r", "x", "q") are handled by the patterns below.
_SHORTHAND = {
    "u": "you",
    "ya": "ya",
    "ur": "your",
    "yr": "your",
    "pls": "please",
    "plz": "please",
    "plse": "please",
    "pd": "paid",
    "payed": "paid",
    "thru": "through",
    "chk": "check",
    "chek": "check",
    "acct": "account",
    "acc": "account",
    "msg": "message",
    "msgs": "messages",
    "mssg": "message",
    "mssgs": "messages",
    "txt": "text",
    "txts": "texts",
    "txting": "texting",
    "texing": "texting",
    "stp": "stop",
    "b4": "before",
    "wk": "week",
    "wks": "weeks",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tmw": "tomorrow",
    "tmro": "tomorrow",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "2mrw": "tomorrow",
    "tomorow": "tomorrow",
    "tommorow": "tomorrow",
    "tommorrow": "tomorrow",
    "tomorrw": "tomorrow",
    "tonite": "tonight",
    "nite": "night",
    "thx": "thanks",
    "thnx": "thanks",
    "tnx": "thanks",
    "alredy": "already",
    "allready": "already",
    "alrdy": "already",
    "alr": "already",
    "already": "already",
    "recieved": "received",
    "recieve": "receive",
    "recived": "received",
    "wil": "will",
    "dis": "this",
    "dat": "that",
    "payin": "paying",
    "sendin": "sending",
    "gettin": "getting",
    "rn": "right now",
    "asap": "asap",
    "invoce": "invoice",
    "invoise": "invoice",
    "paymnt": "payment",
    "pymt": "payment",
    "pmt": "payment",
    "amt": "amount",
    "xfer": "transfer",
    "q": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "xfa": "por favor",
    "xfavor": "por favor",
    "porfa": "por favor",
    "porfis": "por favor",
    "porfavor": "por favor",
    "msj": "mensaje",
    "msjs": "mensajes",
    "mjs": "mensajes",
    "mensages": "mensajes",
    "tmb": "tambien",
    "tb": "tambien",
    "dnd": "donde",
    "pa": "para",
    "kiero": "quiero",
    "ke": "que",
    "mnn": "manana",
    "mñn": "manana",
    "pasao": "pasado",
    "factrua": "factura",
    "omw": "on my way",
    "otw": "on the way",
}
_TOKEN = re.compile(r"[a-z0-9ñ]+")
# "x" means "por" between words ("x favor", "x zelle"), never between figures ("12 x 45").
_X_POR = re.compile(r"(?<![\d\w])x(?= [a-z])(?<!\d x)")


def normalize(folded: str) -> str:
    """Expand shorthand and fix frequent misspellings in `folded` text (see `fold`)."""
    expanded = _TOKEN.sub(lambda match: _SHORTHAND.get(match.group(0), match.group(0)), folded)
    return _X_POR.sub("por", expanded)


def clean(text: str) -> str:
    """`fold` then `normalize`: the one form every rule runs on."""
    return normalize(fold(text))


# "le pago el viernes, ok?" ends in a tag that asks for agreement, not a question.
_TAG_QUESTION = re.compile(
    r"(?:^|[\s,])(?:ok|okay|k|si|va|vale|right|no|sale|bueno|ya|correct|alright|sound good|"
    r"good|fine|yes|cool|sí)\s*\?+[\s!.]*$"
)


def is_question(sentence: str) -> bool:
    """True when `sentence` asks something, not counting a closing "ok?"."""
    if "?" not in sentence:
        return False
    if _TAG_QUESTION.search(sentence) and sentence.count("?") == len(
        re.findall(r"\?+", sentence)[-1]
    ):
        return False
    return True


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
