"""Email through SendGrid's v3 Mail Send API, and its Event Webhook.

The SendGrid SDK speaks synchronous urllib, so the request is built here and sent with aiohttp.
Our message id travels as the custom arg ``cobro_message_id``, which SendGrid echoes on every
event of the message.
"""

from __future__ import annotations

import binascii
import email.utils
import json
import re
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.header import Header
from functools import lru_cache
from typing import Any

import aiohttp
from cryptography.exceptions import UnsupportedAlgorithm
from sendgrid.helpers.eventwebhook import EventWebhook

from channels.base import (
    ChannelMisconfigured,
    DeliveryEvent,
    DeliveryKind,
    InvalidRecipient,
    OutboundMessage,
    PermanentError,
    SendResult,
    TransientError,
    retry_after_from_headers,
)

MESSAGE_ID_ARG = "cobro_message_id"
SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"

# SendGrid refuses these in "headers"; Reply-To travels as "reply_to" instead.
RESERVED_HEADERS = frozenset(
    {
        "x-sg-id",
        "x-sg-eid",
        "received",
        "dkim-signature",
        "content-type",
        "content-transfer-encoding",
        "to",
        "from",
        "subject",
        "reply-to",
        "cc",
        "bcc",
    }
)

_EVENT_KINDS: dict[str, DeliveryKind] = {
    "processed": "accepted",
    "deferred": "deferred",
    "delivered": "delivered",
    "bounce": "bounced",
    "dropped": "dropped",
    "open": "opened",
    "click": "clicked",
    "spamreport": "spam_report",
    "unsubscribe": "unsubscribed",
    "group_unsubscribe": "unsubscribed",
}

_RECIPIENT_FIELD = re.compile(r"personalizations\.\d+\.to\.\d+\.email")

# Drop reasons that mean the address itself is on a suppression list for being unusable.
_DEAD_ADDRESS_DROPS = ("bounced address", "invalid")


class SendGridChannel:
    """Sends one email per request to ``{api_url}/v3/mail/send``.

    The transport is aiohttp, shared with the Twilio channel: under concurrent sends it
    sustains several times the request rate of httpx's pool. A given ``session`` is used as
    is and left open by :meth:`aclose`.
    """

    name = "sendgrid"

    def __init__(
        self,
        api_key: str,
        *,
        api_url: str = "https://api.sendgrid.com",
        session: aiohttp.ClientSession | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._url = api_url.rstrip("/") + "/v3/mail/send"
        self._headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
        # Connecting has its own bound, so that a connect timeout (the request never left)
        # is told apart from a timeout waiting for the answer.
        self._timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=min(timeout, 5.0))
        self._owns_session = session is None
        self._session = session

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use: an aiohttp session belongs to the running loop.
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=64), timeout=self._timeout
            )
        return self._session

    async def send(self, message: OutboundMessage) -> SendResult:
        """POST the message; 202 gives ``X-Message-Id`` as the provider id.

        Failing to connect is plainly transient. A timeout or a dropped connection once
        connected leaves the outcome unknown: it is transient and ``unconfirmed``, so the
        resend waits for SendGrid's "processed" event, which would prove acceptance.
        """
        body = json.dumps(build_payload(message)).encode()
        try:
            async with self._client().post(
                self._url, data=body, headers=self._headers, timeout=self._timeout
            ) as response:
                content = await response.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise TransientError("SendGrid timed out connecting", code="connection") from exc
        except aiohttp.ClientConnectorError as exc:
            raise TransientError(f"SendGrid unreachable: {exc!r}", code="connection") from exc
        except TimeoutError as exc:
            raise TransientError(
                "SendGrid timed out after the request was sent", code="timeout", unconfirmed=True
            ) from exc
        except aiohttp.ClientError as exc:
            raise TransientError(
                f"SendGrid connection lost after the request was sent: {exc!r}",
                code="connection_lost",
                unconfirmed=True,
            ) from exc
        if response.status in (200, 202):
            return SendResult(
                message_id=message.id,
                provider_id=response.headers.get("X-Message-Id"),
                status="accepted",
            )
        raise _error_for(response.status, response.headers, content)

    async def aclose(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None


def build_payload(message: OutboundMessage) -> dict[str, Any]:
    """The Mail Send JSON body for ``message``."""
    if not message.subject:
        raise PermanentError("SendGrid requires a subject", code="missing_subject")
    sender: dict[str, str] = {"email": message.sender}
    if message.sender_name:
        sender["name"] = message.sender_name
    content = [{"type": "text/plain", "value": message.text}]
    if message.html:
        content.append({"type": "text/html", "value": message.html})
    payload: dict[str, Any] = {
        "personalizations": [{"to": [{"email": message.to}]}],
        "from": sender,
        "subject": message.subject,
        "content": content,
        "custom_args": {**message.custom_args, MESSAGE_ID_ARG: message.id},
    }
    headers: dict[str, str] = {}
    for name, value in message.headers.items():
        if name.lower() == "reply-to":
            payload["reply_to"] = _address(value)
        elif name.lower() not in RESERVED_HEADERS:
            headers[name] = value if value.isascii() else Header(value, "utf-8").encode()
    if headers:
        payload["headers"] = headers
    return payload


def _address(value: str) -> dict[str, str]:
    name, address = email.utils.parseaddr(value)
    result = {"email": address or value}
    if name:
        result["name"] = name
    return result


def _error_for(status: int, headers: Mapping[str, str], content: bytes) -> Exception:
    errors = _error_list(content)
    messages = "; ".join(str(error.get("message")) for error in errors)
    reason = f"SendGrid {status}: {messages or content[:200].decode('utf-8', 'replace')}"
    if status == 429:
        retry_after = retry_after_from_headers(headers, now=time.time())
        return TransientError(reason, retry_after=retry_after, code="429")
    if status >= 500:
        return TransientError(reason, code=str(status))
    if status in (401, 403):
        return ChannelMisconfigured(reason, code=str(status))
    fields = [str(error.get("field")) for error in errors if error.get("field")]
    if any(_RECIPIENT_FIELD.fullmatch(field) for field in fields):
        return InvalidRecipient(reason, code=str(status))
    return PermanentError(reason, code=str(status))


def _error_list(content: bytes) -> Sequence[Mapping[str, Any]]:
    try:
        body = json.loads(content)
    except ValueError:
        return ()
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return ()
    return [error for error in errors if isinstance(error, dict)]


def parse_events(payload: bytes) -> list[DeliveryEvent]:
    """Normalize an Event Webhook POST body (a JSON array of events).

    Events Cobro has no use for (group_resubscribe, unknown future ones) are skipped.
    Raises ValueError when the body is not a JSON array.
    """
    events = json.loads(payload)
    if not isinstance(events, list):
        raise ValueError("SendGrid event payload must be a JSON array")
    return [event for raw in events if (event := _event(raw)) is not None]


def _event(raw: Any) -> DeliveryEvent | None:
    if not isinstance(raw, dict):
        return None
    kind = _EVENT_KINDS.get(str(raw.get("event")))
    if kind is None:
        return None
    sg_message_id = raw.get("sg_message_id")
    status = _str_or_none(raw.get("status"))
    reason = _str_or_none(raw.get("reason")) or _str_or_none(raw.get("response"))
    return DeliveryEvent(
        event_id=str(raw.get("sg_event_id") or _fallback_event_id(raw)),
        message_id=_our_message_id(raw),
        # The part before the first dot is the X-Message-Id returned at send time.
        provider_id=str(sg_message_id).split(".", 1)[0] if sg_message_id else None,
        kind=kind,
        occurred_at=_timestamp(raw.get("timestamp")),
        error_code=status,
        reason=reason,
        permanent=_is_permanent(kind, raw, status),
        address=_str_or_none(raw.get("email")),
        raw=raw,
    )


def _our_message_id(raw: Mapping[str, Any]) -> str | None:
    value = raw.get(MESSAGE_ID_ARG)
    if value is None:
        # Legacy events nest custom args under "unique_args".
        nested = raw.get("unique_args")
        if isinstance(nested, dict):
            value = nested.get(MESSAGE_ID_ARG)
    return _str_or_none(value)


def _is_permanent(kind: DeliveryKind, raw: Mapping[str, Any], status: str | None) -> bool:
    if kind == "bounced":
        # "blocked" is the receiving server refusing this send (reputation, content),
        # not the mailbox being gone.
        return raw.get("type") != "blocked" and (status is None or status.startswith("5"))
    if kind == "dropped":
        reason = str(raw.get("reason") or "").lower()
        return any(marker in reason for marker in _DEAD_ADDRESS_DROPS)
    return False


def _timestamp(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(tz=UTC)


def _fallback_event_id(raw: Mapping[str, Any]) -> str:
    return "sg:" + json.dumps(raw, sort_keys=True, separators=(",", ":"), default=str)


def _str_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def verify_event_signature(
    *,
    public_key: str,
    payload: bytes,
    signature: str,
    timestamp: str,
    now: datetime | None = None,
    tolerance: timedelta = timedelta(minutes=10),
) -> bool:
    """Whether an Event Webhook POST is SendGrid's and fresh.

    ``public_key`` is the base64 key shown in SendGrid's settings (PEM armour accepted too);
    ``payload`` the exact raw body; ``signature`` and ``timestamp`` the
    ``X-Twilio-Email-Event-Webhook-Signature`` / ``-Timestamp`` headers. The signature is
    ECDSA P-256/SHA-256 over timestamp + body. A timestamp further than ``tolerance`` from
    ``now`` fails, which bounds replays. Malformed input gives False, never an exception.
    """
    try:
        sent_at = datetime.fromtimestamp(int(timestamp), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return False
    if abs((now or datetime.now(tz=UTC)) - sent_at) > tolerance:
        return False
    try:
        body = payload.decode("utf-8")
        verifier = _verifier(public_key)
        return bool(verifier.verify_signature(body, signature, timestamp))
    except (ValueError, TypeError, AttributeError, binascii.Error, UnsupportedAlgorithm):
        return False


@lru_cache(maxsize=8)
def _verifier(public_key: str) -> EventWebhook:
    body = "".join(line for line in public_key.strip().splitlines() if not line.startswith("-----"))
    return EventWebhook(body)
