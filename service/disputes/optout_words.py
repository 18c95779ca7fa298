"""The words of an opt-out by keyword ("STOP", "BAJA por favor"), English and Spanish."""

from __future__ import annotations

# Carrier opt-out keywords (CTIA / Twilio advanced opt-out, English and Spanish).
KEYWORDS = frozenset(
    {
        "stop",
        "stopall",
        "unsubscribe",
        "cancel",
        "end",
        "quit",
        "optout",
        "revoke",
        "baja",
        "alto",
        "parar",
        "detener",
        "cancelar",
        "desuscribir",
        "unsub",
    }
)
# Words that may surround a keyword without changing its meaning ("STOP please").
FILLER = frozenset(
    {
        "please",
        "pls",
        "plz",
        "plis",
        "now",
        "all",
        "it",
        "already",
        "immediately",
        "thanks",
        "thank",
        "you",
        "ok",
        "okay",
        "por",
        "favor",
        "porfa",
        "porfavor",
        "xfa",
        "ya",
        "todo",
        "gracias",
        "me",
        "opt",
        "out",
        "de",
        "dar",
        "la",
        "una",
        "vez",
    }
)
