"""Opt-out, opt-in and help in inbound messages: consent records, thread flags, confirmations.

Keywords (English and Spanish) count on SMS when they are the whole message; plain requests
("stop texting me", "no me escriban más") count on every channel. Twilio's ``OptOutType`` is
honoured as given.

Confirmations: when Twilio sets ``OptOutType`` it has already answered the customer with its own
STOP / START / HELP reply (and blocks our messages to an opted-out number anyway), so Cobro
queues nothing then. Keywords Twilio does not know (BAJA, ALTO, PARAR, ALTA, AYUDA ...) and plain
requests get Cobro's own short confirmation, in the keyword's language when it has one, else in
the customer's language, else in English and Spanish.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName
from service.config import Settings
from service.consent import service as consent
from service.inbound.consent_replies import ConsentReply, queue_consent_reply
from service.inbound.optout import find_stop_request, sms_keyword
from service.ledger.models import Customer
from service.tenancy.models import Tenant
from service.threads.models import Message, Thread
from service.threads.service import add_event

_SPANISH_KEYWORDS = frozenset(
    {
        "baja",
        "alto",
        "parar",
        "cancelar",
        "alta",
        "ayuda",
        "dardebaja",
        "darmedebaja",
        "dardealta",
        "darmedealta",
        "desuscribir",
        "desuscribirme",
    }
)
_NAMES_SMS = re.compile(r"\b(?:text\w*|txt|sms|mensajes?\s+de\s+texto|whatsapp)\b")
_NAMES_EMAIL = re.compile(r"\b(?:e-?mail\w*|correos?\b|correo\s+electronico|mails?)\b")

Action = Literal["stop", "start", "help"]
_REPLY_CHANNELS: dict[str, ChannelName] = {"sms": "sms", "email": "email"}
_PROVIDER_ACTIONS: dict[str, Action] = {"stop": "stop", "start": "start", "help": "help"}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def keyword_language(text: str) -> str | None:
    """The language "es" for a Spanish-only keyword (BAJA, ALTA, AYUDA ...), else None."""
    key = re.sub(r"[^a-z]+", "", _fold(text))
    return "es" if key in _SPANISH_KEYWORDS else None


def channels_named(request: str, *, default: tuple[str, ...]) -> tuple[str, ...]:
    """The channels a stop request names ("stop texting me": sms), else ``default``."""
    folded = _fold(request)
    named = tuple(
        channel
        for channel, pattern in (("sms", _NAMES_SMS), ("email", _NAMES_EMAIL))
        if pattern.search(folded)
    )
    return named or default


def _address(channel: str, *, message: Message, customer: Customer | None) -> str | None:
    if channel == message.channel and message.from_address:
        return message.from_address
    if customer is None:
        return None
    if channel == "email":
        return customer.email
    if channel == "sms":
        return customer.phone
    return str(customer.id)


def decide(
    message: Message, *, provider_opt_out: str | None, opted_out: bool
) -> tuple[Action, str, str] | None:
    """(action, source, the words behind it) for a message, or None when it asks nothing."""
    text = message.body_clean or ""
    provided: Action | None = _PROVIDER_ACTIONS.get(provider_opt_out or "")
    if provided is not None:
        return provided, "twilio_opt_out_type", text[:200]
    keyword = sms_keyword(text, opted_out=opted_out) if message.channel != "portal" else None
    if keyword == "help" and message.channel != "sms":
        keyword = None  # an email saying "help" is a question for an agent
    if keyword is not None:
        return keyword, f"{message.channel}_keyword", text[:200]
    request = find_stop_request(text)
    if request is not None:
        return "stop", f"{message.channel}_request", request[:200]
    return None


async def handle_consent(
    session: AsyncSession,
    *,
    settings: Settings,
    tenant: Tenant,
    thread: Thread,
    customer: Customer | None,
    message: Message,
    provider_opt_out: str | None,
) -> Action | None:
    """Apply what ``message`` asks about consent; returns the action taken, if any."""
    own_address = _address(message.channel, message=message, customer=customer)
    # Consent records are written as soon as they change; what waits in the session (the
    # reply's events) is no part of the answer and is written later, with others.
    with session.no_autoflush:
        opted_out = bool(own_address) and await consent.is_opted_out(
            session, tenant_id=tenant.id, channel=message.channel, address=own_address or ""
        )
    decision = decide(message, provider_opt_out=provider_opt_out, opted_out=opted_out)
    if decision is None:
        return None
    action, source, words = decision
    if action == "stop":
        default = ("email", "sms", "portal") if message.channel == "portal" else (message.channel,)
        channels = default if source.endswith("keyword") else channels_named(words, default=default)
        for channel in channels:
            address = _address(channel, message=message, customer=customer)
            if address:
                await consent.record_opt_out(
                    session,
                    tenant_id=tenant.id,
                    channel=channel,
                    address=address,
                    source=source,
                    detail=words,
                )
        thread.opt_out = True
        add_event(
            session,
            thread=thread,
            kind="opted_out",
            data={"channels": list(channels), "source": source, "words": words},
        )
    elif action == "start":
        if own_address:
            await consent.record_opt_in(
                session,
                tenant_id=tenant.id,
                channel=message.channel,
                address=own_address,
                source=source,
                detail=words,
            )
        thread.opt_out = False
        add_event(
            session,
            thread=thread,
            kind="opted_in",
            data={"channels": [message.channel], "source": source},
        )
    else:
        add_event(session, thread=thread, kind="help_requested", data={"source": source})
    await _confirm(
        session,
        settings=settings,
        action=action,
        tenant=tenant,
        thread=thread,
        customer=customer,
        message=message,
        provider_answered=provider_opt_out is not None,
        address=own_address,
    )
    return action


async def _confirm(
    session: AsyncSession,
    *,
    settings: Settings,
    action: ConsentReply,
    tenant: Tenant,
    thread: Thread,
    customer: Customer | None,
    message: Message,
    provider_answered: bool,
    address: str | None,
) -> None:
    if provider_answered:
        add_event(session, thread=thread, kind="confirmation_by_provider", data={"action": action})
        return
    channel = _REPLY_CHANNELS.get(message.channel)
    if channel is None or not address:
        return
    language = (
        keyword_language(message.body_clean or "")
        or (customer.language if customer else None)
        or message.language
    )
    queued = await queue_consent_reply(
        session,
        settings=settings,
        kind=action,
        tenant=tenant,
        thread=thread,
        customer=customer,
        channel=channel,
        to_address=address,
        language=language,
    )
    add_event(
        session,
        thread=thread,
        kind="confirmation_queued" if queued else "confirmation_capped",
        data={"action": action, "message_id": str(queued.id) if queued else None},
    )
