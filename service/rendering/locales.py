"""Which language(s) and Babel locale a message is written in."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError

__all__ = ["LANGUAGES", "Choice", "choose", "locale_for"]

LANGUAGES: tuple[str, ...] = ("es", "en")
"""Supported languages, in the order a bilingual message presents them."""

_DEFAULT_LOCALE = {"en": "en_US", "es": "es_MX"}


@dataclass(frozen=True, slots=True)
class Choice:
    """The languages of one message, each with its locale, primary first."""

    parts: tuple[tuple[str, str], ...]

    @property
    def language(self) -> str:
        """The primary language ("es" first for a bilingual message)."""
        return self.parts[0][0]

    @property
    def locale(self) -> str:
        """The primary locale."""
        return self.parts[0][1]

    @property
    def bilingual(self) -> bool:
        """Whether the message carries more than one language."""
        return len(self.parts) > 1


@lru_cache(maxsize=256)
def _known(locale_name: str) -> str | None:
    try:
        return str(Locale.parse(locale_name))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def _normalize_language(language: str | None) -> str | None:
    if not language:
        return None
    primary = language.replace("-", "_").split("_")[0].lower()
    return primary if primary in LANGUAGES else None


def locale_for(language: str, *, locale: str | None = None, country: str | None = None) -> str:
    """The Babel locale for `language`.

    The customer's `locale` wins when it is a known locale of that language (es_ES, es_US ...);
    else the language with the territory of that locale or of the tenant's `country` when Babel
    knows the pair (es + CO -> es_CO); else en_US for English and es_MX for Spanish.
    """
    territories: list[str] = []
    if locale:
        normalized = locale.replace("-", "_")
        parts = normalized.split("_")
        if parts[0].lower() == language and (found := _known(normalized)) is not None:
            return found
        if len(parts) > 1:
            territories.append(parts[-1].upper())
    if country:
        territories.append(country.upper())
    for territory in territories:
        found = _known(f"{language}_{territory}")
        if found is not None:
            return found
    return _DEFAULT_LOCALE[language]


def choose(
    *,
    language: str | None,
    locale: str | None,
    default_language: str,
    country: str | None,
    bilingual: bool,
    channel: str,
) -> Choice:
    """Pick the language(s) of a message.

    The customer's language when known, else the tenant's `default_language`. When the
    customer's language is unknown and `bilingual` is set, email and portal carry Spanish then
    English in full; SMS, with no room for two, uses the tenant's default.
    """
    fallback = _normalize_language(default_language) or "en"
    chosen = _normalize_language(language)
    if chosen is None and bilingual and channel != "sms":
        parts = tuple(
            (lang, locale_for(lang, locale=locale, country=country)) for lang in LANGUAGES
        )
        return Choice(parts=parts)
    lang = chosen or fallback
    return Choice(parts=((lang, locale_for(lang, locale=locale, country=country)),))
