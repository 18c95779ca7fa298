"""Opt-out, opt-in and help requests in customer messages, in English and Spanish.

Regulation F (12 CFR 1006.6(e)) requires honouring informal requests to stop ("stop texting
me", "no me escriban más"), not only carrier keywords, so ``asks_to_stop`` favours recall; its
patterns need a messaging verb or object next to "stop" so that "stop by" or "we stopped
payment" do not count.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

__all__ = ["SmsKeyword", "asks_to_stop", "find_stop_request", "sms_keyword"]

SmsKeyword = Literal["stop", "start", "help"]

# Compared without spaces, accents or punctuation: "Opt-out", "opt out" and "OPTOUT" are one.
_STOP_WORDS = frozenset(
    {
        "stop",
        "stopall",
        "unsubscribe",
        "end",
        "quit",
        "cancel",
        "revoke",
        "optout",
        "baja",
        "alto",
        "parar",
        "cancelar",
        "dardebaja",
        "darmedebaja",
        "desuscribir",
        "desuscribirme",
    }
)
_START_WORDS = frozenset({"start", "unstop", "alta", "dardealta", "darmedealta"})
_HELP_WORDS = frozenset({"help", "info", "ayuda"})
# Twilio re-subscribes an opted-out number that texts YES; anyone else saying "yes" is answering
# a question (often agreeing to pay), so it is an opt-in only for a sender who is opted out.
_YES_WORDS = frozenset({"yes"})

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _fold(text: str) -> str:
    """Lower case without accents (ñ becomes n), so that "BÓRRENME" and "borrenme" match."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def sms_keyword(text: str, *, opted_out: bool = False) -> SmsKeyword | None:
    """Return the keyword a message consists of, or None when it is anything else.

    Only a message that is exactly a keyword counts (case, accents, spaces and punctuation
    aside): stop (STOP, STOPALL, UNSUBSCRIBE, END, QUIT, CANCEL, REVOKE, OPTOUT, BAJA, ALTO,
    PARAR, CANCELAR, DAR DE BAJA), start (START, UNSTOP, ALTA, DAR DE ALTA) and help (HELP, INFO,
    AYUDA). YES is a start only when ``opted_out`` is true, mirroring Twilio, which re-subscribes
    an opted-out number on YES; otherwise "yes" is an ordinary answer and gives None.
    """
    key = _NON_ALNUM.sub("", _fold(text))
    if key in _STOP_WORDS:
        return "stop"
    if key in _START_WORDS or (opted_out and key in _YES_WORDS):
        return "start"
    if key in _HELP_WORDS:
        return "help"
    return None


_CONTACT_VERB_EN = (
    r"(?:text|texting|txt|message|messaging|msg|email|emailing|e-mailing|mail|mailing|call|calling|"
    r"contact|contacting|send|sending|sendin|writ(?:e|ing)|bother|bothering|harass|harassing|spam|"
    r"spamming|reach(?:ing)? out|notify|notifying|remind|reminding)"
)
_CONTACT_NOUN_EN = (
    r"(?:texts?|messages?|msgs?|emails?|e-mails?|mails?|calls?|sms|reminders?|notifications?|"
    r"notices?|alerts?|spam)"
)
# Spanish requests use the subjunctive/imperative ("no me manden") or an infinitive after
# "dejen de"; the indicative ("no me mandaron la factura") is a complaint, not an opt-out.
_ES_REQUEST_FORM = (
    r"(?:(?:mand|envi|llam|contact|molest|acos|texte|busqu|marqu)(?:e|es|en|eis)|"
    r"escrib(?:a|as|an|ais)|"
    r"(?:mand|envi|llam|contact|molest|acos|texte|busc|marc)(?:ar|ando)|escrib(?:ir|iendo))\b"
)
_ES_CONTACT_VERB = r"(?:escrib|mand|envi|llam|contact|molest|text|acos|notific|busc|marc)\w*"
_CONTACT_NOUN_ES = (
    r"(?:mensajes?|mensajitos?|correos?|emails?|e-mails?|mails?|textos?|sms|llamadas?|"
    r"recordatorios?|notificaciones?|avisos?|whatsapps?)"
)
_NOT_STOP_OBJECT = r"(?!by\b|at\b|in\b|over\b|for\b|and\b|to\b|here\b|there\b)"
_STOP_PREFIX = r"(?<!don't )(?<!dont )(?<!do not )\b(?:stop+|quit)\s+" + _NOT_STOP_OBJECT
_DETERMINER_EN = r"(?:all\s+|the\s+|these\s+|this\s+|your\s+|those\s+|with\s+the\s+)?"
_OWN_CONTACT_EN = r"(?:number|phone|email|e-mail|address|account|contact\w*|info\w*|name)"
_LIST_EN = (
    r"(?:your\s+|the\s+|this\s+|that\s+|these\s+|those\s+|all\s+|any\s+|of\s+|my\s+)*"
    r"(?:\w+\s+)?"
    r"(?:list|lists|database|system|records?|contacts?|" + _CONTACT_NOUN_EN + r")\b"
)

_STOP_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        # English
        _STOP_PREFIX + _DETERMINER_EN + _CONTACT_VERB_EN + r"\b",
        _STOP_PREFIX + _DETERMINER_EN + r"(?:\w+\s+)?" + _CONTACT_NOUN_EN + r"\b",
        r"\bunsubscrib\w*",
        r"\bopt(?:\s|-)?(?:me\s+)?out\b|\bopting\s+out\b",
        r"\b(?:remove|take|delete|drop|erase)\s+(?:me|us|(?:my|this|our)\s+(?:\w+\s+)?"
        + _OWN_CONTACT_EN
        + r")\s+(?:off|from|out\s+of)\s+"
        + _LIST_EN,
        r"\b(?:remove|delete|erase)\s+my\s+" + _OWN_CONTACT_EN + r"\b",
        r"\b(?:do\s*n[o']?t|no\s+longer)\s+(?:ever\s+|even\s+|again\s+|please\s+|pls\s+)?"
        + _CONTACT_VERB_EN
        + r"\s+(?:me|us|(?:this|my|our)\s+(?:\w+\s+)?"
        + _OWN_CONTACT_EN
        + r"|(?:our|my)\s+client)\b",
        r"\bnever\s+" + _CONTACT_VERB_EN + r"\s+(?:me|us)\s+again\b",
        r"\b(?:don'?t|do\s+not|no\s+longer)\s+(?:want|wish|need)\s+(?:to\s+(?:receive|get)\s+)?"
        r"(?:any\s+)?(?:more\s+|further\s+|these\s+|your\s+|the\s+)?" + _CONTACT_NOUN_EN + r"\b",
        r"\bno\s+more\s+" + _CONTACT_NOUN_EN + r"\b",
        r"\bleave\s+me\s+alone\b",
        r"\bcease\s+(?:and\s+desist|all|contact\w*|communicat\w*|texting|calling|emailing)\b",
        r"\b(?:collection\s+(?:efforts?|activit\w+)|communications?|contact)\s+(?:must|shall|should)"
        r"\s+(?:cease|stop)\b",
        r"\b(?:turn|switch|shut)\s+off\s+(?:all\s+|the\s+|my\s+|these\s+|your\s+)?(?:\w+\s+)?"
        + _CONTACT_NOUN_EN
        + r"\b",
        r"\b(?:disable|deactivate)\s+(?:all\s+|the\s+|my\s+|these\s+|your\s+)?(?:\w+\s+)?"
        + _CONTACT_NOUN_EN
        + r"\b",
        r"\bdirect\s+all\s+(?:further\s+|future\s+)?(?:communications?|correspondence|contact)\b",
        r"\b(?:i|we)\s+(?:revoke|withdraw)\s+(?:my\s+|our\s+)?consent\b",
        # Spanish (folded: no accents)
        # "hasta que no nos envíen las cajas" is a condition, not a request.
        r"(?<!hasta que )(?<!mientras )(?<!menos que )(?<!antes de que )"
        r"\bno\s+(?:me|nos)\s+(?:(?:vuelv\w*\s+a|sig\w*|esten|este|estes)\s+)?" + _ES_REQUEST_FORM,
        r"\bno\s+(?:quiero|queremos|deseo|deseamos)\s+que\s+(?:me|nos)\s+(?:sig\w+\s+)?"
        + _ES_REQUEST_FORM,
        r"\b(?:dejen|deja|dejad|dejar|deje|paren|parar|pare|parad)\s+de\s+" + _ES_CONTACT_VERB,
        r"\bces(?:en|e|ar|ad)\s+(?:\w+\s+){0,3}?(?:contact\w*|comunicaci\w+|llamadas|mensajes|"
        r"cobranza|hostigamiento|acoso)",
        r"\bdesactiv\w*\s+(?:\w+\s+)?" + _CONTACT_NOUN_ES,
        r"\bno\s+(?:quiero|queremos|deseo|deseamos|necesito)\s+(?:seguir\s+)?(?:recibir\s+)?"
        r"(?:mas\s+|ningun\w*\s+|sus\s+|estos\s+|esos\s+|los\s+|las\s+)?" + _CONTACT_NOUN_ES,
        r"\bno\s+mas\s+" + _CONTACT_NOUN_ES,
        r"\b(?:borr|elimin)(?:en|e|a|ar)me\b",
        r"\b(?:borr|elimin)(?:en|e|a|ar)\s+(?:mi|este|esta|nuestro)\s+(?:numero|correo|telefono|"
        r"celular|email|direccion|contacto)\b",
        r"\b(?:borr|elimin|sac|saqu|quit)(?:en|e|a|ar)(?:me\s+|\s+mi\s+(?:numero|correo|telefono|"
        r"celular|email|dato\w*|informacion)\s+)de\s+(?:\w+\s+)?(?:lista|base|sistema|registro|"
        r"contactos)",
        r"\b(?:darme|darnos|denme|dennos|dame|deme)\s+de\s+baja\b",
        r"\bdar\s+de\s+baja\s+(?:mi\s+(?:numero|correo|telefono|celular|email)|"
        r"de\s+(?:la|su|esta|sus)\s+lista)",
        r"\bbaja\s+de\s+(?:la|su|sus|esta|tu)\s+(?:lista|base)\b",
        r"\b(?:solicito|pido|quiero|deseo|solicitamos|pedimos|queremos)\s+(?:la|mi|nuestra)\s+baja\b",
        r"\b(?:desuscrib|desinscrib)\w*",
        r"\bcancel\w*\s+(?:la\s+|mi\s+)?suscripcion\b",
        r"\bdejen(?:me)?\s+en\s+paz\b",
        r"\b(?:revoco|retiro)\s+(?:mi\s+)?consentimiento\b",
    )
)

_FRAGMENT_SPLIT = re.compile(r"[.!?¡¿;,\n:()]+")
_POLITE = re.compile(
    r"\b(?:please|pls|plz|thanks|thank you|thx|ok|okay|now|just|por favor|porfa|porfavor|"
    r"gracias|ya|ahora)\b"
)


def find_stop_request(text: str) -> str | None:
    """The part of ``text`` that asks to stop being contacted, or None.

    A fragment that is only a stop keyword ("STOP.", "Baja por favor") counts, as does an
    informal request anywhere in the text. The match is returned folded (lower case, no
    accents) so that it can be logged as the reason for an opt-out.
    """
    folded = _fold(text).replace("\u2019", "'")
    for fragment in _FRAGMENT_SPLIT.split(folded):
        bare = _POLITE.sub(" ", fragment)
        words = bare.split()
        # "STOP STOP STOP" is as clear as a single STOP.
        if words and (
            sms_keyword(bare) == "stop" or all(sms_keyword(word) == "stop" for word in words)
        ):
            return fragment.strip()
    spaced = re.sub(r"\s+", " ", folded)
    for pattern in _STOP_PATTERNS:
        match = pattern.search(spaced)
        if match:
            return match.group(0).strip()
    return None


def asks_to_stop(text: str) -> bool:
    """True when the message asks, in any words, not to be contacted any more."""
    return find_stop_request(text) is not None
