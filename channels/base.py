"""The one interface every outbound channel implements, and the values it speaks in.

A channel turns an :class:`OutboundMessage` into a provider request and reports the outcome as a
:class:`SendResult` or one of the errors below. Provider webhooks are normalized into
:class:`DeliveryEvent` by each provider module. Nothing here knows about the database or the app.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol, runtime_checkable

ChannelName = Literal["email", "sms", "portal"]

DeliveryKind = Literal[
    "accepted",
    "sent",
    "delivered",
    "deferred",
    "bounced",
    "dropped",
    "failed",
    "undelivered",
    "opened",
    "clicked",
    "spam_report",
    "unsubscribed",
    "read",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboundMessage:
    """One message to one recipient, fully rendered.

    ``sender`` is an email address, an E.164 number, or a Twilio Messaging Service SID ("MG...").
    ``headers`` are already built by the caller (Message-ID, Reply-To, List-Unsubscribe, ...);
    channels that cannot carry a header drop it rather than fail.
    """

    id: str
    channel: ChannelName
    to: str
    sender: str
    sender_name: str | None = None
    subject: str | None = None
    text: str
    html: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    status_callback: str | None = None
    custom_args: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SendResult:
    """The provider accepted the message; ``provider_id`` is its id for later webhooks."""

    message_id: str
    provider_id: str | None
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryEvent:
    """A provider's report about a message, normalized across providers.

    ``event_id`` is stable across webhook retries: store it to drop duplicates. ``message_id`` is
    ours when the provider echoed it back. ``permanent`` is true when the failure says the
    address itself is unusable (hard bounce, landline, unknown number), not merely this attempt.
    ``raw`` keeps the provider's event as received.
    """

    event_id: str
    message_id: str | None
    provider_id: str | None
    kind: DeliveryKind
    occurred_at: datetime
    error_code: str | None = None
    reason: str | None = None
    permanent: bool = False
    address: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


class ChannelError(Exception):
    """Base of every error a channel raises from ``send``."""


class TransientError(ChannelError):
    """Sending may succeed later: rate limits, provider outages, timeouts, dropped connections.

    ``retry_after`` is the provider's own hint in seconds, when it gave one. ``unconfirmed``
    says the request may have reached the provider and been accepted (a timeout or a
    dropped connection after it was sent): the outcome is unknown, and a resend waits for
    the provider's own event to prove or disprove acceptance.
    """

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        code: str | None = None,
        unconfirmed: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.code = code
        self.unconfirmed = unconfirmed


class PermanentError(ChannelError):
    """Sending this message will never succeed as it is; do not retry it."""

    def __init__(self, reason: str, *, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class RecipientOptedOut(PermanentError):
    """The recipient opted out at the provider (Twilio 21610): record consent, do not retry."""


class InvalidRecipient(PermanentError):
    """The address is unusable (Twilio 21211 / 21614, SMTP 550 5.1.1): mark it dead."""


class ChannelMisconfigured(PermanentError):
    """Credentials or sender were refused: every message on this channel will fail alike."""


@runtime_checkable
class Channel(Protocol):
    """What the outreach worker sends through."""

    name: str

    async def send(self, message: OutboundMessage) -> SendResult:
        """Hand ``message`` to the provider.

        Raises :class:`TransientError` when a retry may succeed and :class:`PermanentError`
        (or a subclass) when it cannot.
        """
        ...

    async def aclose(self) -> None:
        """Release connections; the channel is not used afterwards."""
        ...


def retry_delay(
    attempt: int,
    *,
    base: float,
    cap: float,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before retry number ``attempt`` (1 for the first retry).

    Exponential backoff with full jitter: uniform in ``[0, min(cap, base * 2**(attempt-1))]``,
    so that many workers hitting the same outage spread out. A provider's ``retry_after``
    is a floor, since retrying earlier is refused anyway; it may exceed ``cap``.
    """
    if attempt < 1:
        raise ValueError("attempt starts at 1")
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 62))
    delay = (rng or _jitter).uniform(0.0, ceiling)
    if retry_after is not None and retry_after > delay:
        return retry_after
    return delay


_jitter = random.Random()


def retry_after_from_headers(headers: Mapping[str, str], *, now: float) -> float | None:
    """Seconds a rate-limited client must wait: ``X-RateLimit-Reset`` (epoch seconds, as
    SendGrid sends it) or ``Retry-After`` (seconds or an HTTP date, as Twilio and RFC 9110
    have it). ``now`` is the current epoch time. Unparseable values give None."""
    lowered = {name.lower(): value for name, value in headers.items()}
    reset = lowered.get("x-ratelimit-reset")
    if reset:
        try:
            return max(0.0, float(reset) - now)
        except ValueError:
            pass
    retry_after = lowered.get("retry-after")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            when = _http_date(retry_after)
            if when is not None:
                return max(0.0, when.timestamp() - now)
    return None


def _http_date(value: str) -> datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


# Ranks of normalized delivery kinds: a status may only move to a higher rank. Failures rank
# above "delivered" because email can bounce after the receiving server first accepted it.
_KIND_RANK: dict[str, int] = {
    "accepted": 0,
    "deferred": 1,
    "sent": 1,
    "delivered": 2,
    "opened": 3,
    "clicked": 3,
    "read": 3,
    "bounced": 4,
    "dropped": 4,
    "failed": 4,
    "undelivered": 4,
}
_TERMINAL_KINDS = frozenset({"bounced", "dropped", "failed", "undelivered"})


def advances(old: str | None, new: str) -> bool:
    """Whether a message whose delivery status is ``old`` should take status ``new``.

    Webhooks arrive late and out of order, so a status never moves backwards and a failure
    is final. ``spam_report`` and ``unsubscribed`` are about the recipient, not the delivery,
    and never advance a status.
    """
    new_rank = _KIND_RANK.get(new)
    if new_rank is None:
        return False
    if old is None:
        return True
    if old in _TERMINAL_KINDS:
        return False
    old_rank = _KIND_RANK.get(old)
    return old_rank is None or new_rank > old_rank
