"""SMS through Twilio's Messages API, its status callbacks and its webhook signature.

Sending goes through the official client on its aiohttp transport. Status callbacks arrive
late and out of order; :func:`is_forward` tells whether one should move a message's status.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from channels.base import (
    ChannelMisconfigured,
    DeliveryEvent,
    DeliveryKind,
    InvalidRecipient,
    OutboundMessage,
    PermanentError,
    RecipientOptedOut,
    SendResult,
    TransientError,
    retry_after_from_headers,
)

SIGNATURE_HEADER = "X-Twilio-Signature"

OPTED_OUT_CODES = frozenset({21610})
INVALID_RECIPIENT_CODES = frozenset({21211, 21614})
# "Not reachable from this sender": about the pair of numbers, not the recipient's number,
# so the message fails (and falls back) without the number being marked dead.
UNREACHABLE_FROM_SENDER_CODES = frozenset({21612})
RATE_LIMIT_CODES = frozenset({20429, 14107})
MISCONFIGURED_CODES = frozenset({20003, 20404, 21606, 21659, 21703})
# Delivery error codes that say the number itself cannot take SMS.
DEAD_NUMBER_CODES = frozenset({"30005", "30006", "21211", "21614"})

# Raw Twilio statuses by progress; callbacks may only move a message forward.
STATUS_ORDER: dict[str, int] = {
    "scheduled": 0,
    "accepted": 1,
    "queued": 2,
    "sending": 3,
    "sent": 4,
    "delivered": 5,
    "read": 6,
    "undelivered": 7,
    "failed": 7,
    "canceled": 7,
}
TERMINAL_STATUSES = frozenset({"undelivered", "failed", "canceled", "read"})

_STATUS_KINDS: dict[str, DeliveryKind] = {
    "scheduled": "accepted",
    "accepted": "accepted",
    "queued": "accepted",
    "sending": "accepted",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "dropped",
}


def is_forward(old: str | None, new: str) -> bool:
    """Whether a message in Twilio status ``old`` should take status ``new``.

    queued < sending < sent < delivered < read; read, failed, undelivered and canceled are
    final.
    Unknown statuses never move a message.
    """
    new_rank = STATUS_ORDER.get(new)
    if new_rank is None:
        return False
    if old is None:
        return True
    if old in TERMINAL_STATUSES:
        return False
    old_rank = STATUS_ORDER.get(old)
    return old_rank is None or new_rank > old_rank


# The Retry-After of the last 429 seen by the current send. The client raises its exception
# from the body alone; each send runs in its own task, so a context variable keeps
# concurrent sends' answers apart.
_retry_after: ContextVar[float | None] = ContextVar("twilio_retry_after", default=None)


class _HttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]  # twilio ships no types
    """Twilio's aiohttp transport, noting the Retry-After of a 429 for :class:`TwilioChannel`."""

    async def request(self, *args: Any, **kwargs: Any) -> Response:
        response = await super().request(*args, **kwargs)
        if response.status_code == 429:
            headers = {str(k): str(v) for k, v in (response.headers or {}).items()}
            _retry_after.set(retry_after_from_headers(headers, now=time.time()))
        return response


class TwilioChannel:
    """Sends SMS; ``sender`` is an E.164 number or a Messaging Service SID ("MG...")."""

    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        api_url: str = "https://api.twilio.com",
        timeout: float = 10.0,
    ) -> None:
        self._account_sid = account_sid
        self._auth_token = auth_token
        self._api_url = api_url.rstrip("/")
        self._timeout = timeout
        self._client: Client | None = None
        self._http: AsyncTwilioHttpClient | None = None

    def _twilio(self) -> Client:
        # Built on first use: the aiohttp session must be created inside the running loop.
        if self._client is None:
            self._http = _HttpClient()
            client = Client(self._account_sid, self._auth_token, http_client=self._http)
            # An explicit API URL wins over TWILIO_EDGE / TWILIO_REGION in the environment,
            # which would otherwise rewrite the host.
            client.edge = None
            client.region = None
            client.api.base_url = self._api_url
            self._client = client
        return self._client

    async def send(self, message: OutboundMessage) -> SendResult:
        """Create the message; the provider id is Twilio's SM... sid."""
        client = self._twilio()
        sender = message.sender
        _retry_after.set(None)
        try:
            # The client ignores its own timeout on the async transport, hence this bound.
            async with asyncio.timeout(self._timeout):
                if sender.startswith("MG"):
                    created = await client.messages.create_async(
                        to=message.to,
                        messaging_service_sid=sender,
                        body=message.text,
                        status_callback=message.status_callback,
                    )
                else:
                    created = await client.messages.create_async(
                        to=message.to,
                        from_=sender,
                        body=message.text,
                        status_callback=message.status_callback,
                    )
        except aiohttp.ClientConnectorError as exc:
            raise TransientError(f"Twilio unreachable: {exc!r}", code="connection") from exc
        except TimeoutError as exc:
            # The bound covers connecting too, so the request may well have been accepted.
            raise TransientError("Twilio timed out", code="timeout", unconfirmed=True) from exc
        except aiohttp.ClientError as exc:
            raise TransientError(
                f"Twilio connection lost: {exc!r}", code="connection_lost", unconfirmed=True
            ) from exc
        except TwilioRestException as exc:
            raise _error_for(exc.status, exc.code, str(exc.msg), _retry_after.get()) from exc
        except TwilioServiceException as exc:
            detail = f"{exc.title}: {exc.detail}"
            raise _error_for(exc.status, exc.code, detail, _retry_after.get()) from exc
        return SendResult(
            message_id=message.id, provider_id=created.sid, status=created.status or "queued"
        )

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()
        self._client = None
        self._http = None


def _error_for(
    status: int, code: int | None, text: str, retry_after: float | None = None
) -> Exception:
    reason = f"Twilio {status}/{code}: {text}"
    code_text = str(code) if code is not None else str(status)
    if code in OPTED_OUT_CODES:
        return RecipientOptedOut(reason, code=code_text)
    if code in INVALID_RECIPIENT_CODES:
        return InvalidRecipient(reason, code=code_text)
    if code in UNREACHABLE_FROM_SENDER_CODES:
        return PermanentError(reason, code=code_text)
    if status == 429 or code in RATE_LIMIT_CODES:
        return TransientError(reason, code=code_text, retry_after=retry_after)
    if status >= 500:
        return TransientError(reason, code=code_text)
    if status in (401, 403) or code in MISCONFIGURED_CODES:
        return ChannelMisconfigured(reason, code=code_text)
    return PermanentError(reason, code=code_text)


def parse_status_callback(
    form: Mapping[str, str], *, received_at: datetime | None = None
) -> DeliveryEvent:
    """Normalize a status callback (form fields ``MessageSid``, ``MessageStatus``, ``ErrorCode``).

    Twilio sends one callback per status and retries it, so ``event_id`` is sid + status.
    Callbacks carry no event time; ``received_at`` (default now) stands in for it.
    Raises ValueError when the sid or status is missing.
    """
    sid = form.get("MessageSid") or form.get("SmsSid")
    status = form.get("MessageStatus") or form.get("SmsStatus")
    if not sid or not status:
        raise ValueError("status callback without MessageSid or MessageStatus")
    kind = _STATUS_KINDS.get(status)
    if kind is None:
        raise ValueError(f"unknown Twilio message status {status!r}")
    error_code = form.get("ErrorCode") or None
    return DeliveryEvent(
        event_id=f"{sid}:{status}",
        message_id=None,
        provider_id=sid,
        kind=kind,
        occurred_at=received_at or datetime.now(tz=UTC),
        error_code=error_code,
        reason=form.get("ErrorMessage") or None,
        permanent=error_code in DEAD_NUMBER_CODES,
        address=form.get("To") or None,
        raw=dict(form),
    )


def validate_twilio_signature(
    *, auth_token: str, url: str, params: Mapping[str, str], signature: str
) -> bool:
    """Whether ``X-Twilio-Signature`` matches the public ``url`` and every posted field.

    Rebuild ``url`` from configuration, not from the Host header. The URL is tried with and
    without its default port, as Twilio signs either form.
    """
    if not signature:
        return False
    # Passed as is: multi-valued form types (getlist / getall) are read by the validator.
    return bool(RequestValidator(auth_token).validate(url, params, signature))
