"""A loopback Twilio Messages API, with signed status callbacks back to Cobro."""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import aiohttp
from aiohttp import web
from twilio.request_validator import RequestValidator

from tests.emulators.faults import FaultPlan, LoopbackServer

API_VERSION = "2010-04-01"
_E164 = re.compile(r"\+[1-9]\d{6,14}")
_GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)
_ERRORS: dict[int, tuple[int, str]] = {
    20003: (401, "Authenticate"),
    20404: (404, "The requested resource was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "An internal server error has occurred"),
    20503: (503, "Service Unavailable"),
    21211: (400, "The 'To' number {to} is not a valid phone number."),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' phone number is required."),
    21604: (400, "A 'To' phone number is required."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21612: (
        400,
        "The 'To' phone number: {to}, is not currently reachable using the 'From' phone "
        "number via SMS.",
    ),
    21614: (400, "'To' number {to} is not a valid mobile number"),
}


@dataclass(slots=True)
class SentSms:
    """A message the emulator created; ``status`` follows the callbacks it sent."""

    sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status_callback: str | None
    status: str
    callbacks: list[dict[str, str]] = field(default_factory=list)


class TwilioEmulator(LoopbackServer):
    """``POST /2010-04-01/Accounts/{sid}/Messages.json``, form-encoded, basic auth.

    Answers 201 with Twilio's message JSON, or Twilio's error JSON (``code``, ``message``,
    ``more_info``, ``status``). ``faults`` scripts outages, 429s and delays; ``reject(number,
    code)`` refuses a recipient with 21610 / 21211 / 21612 / 21614. :meth:`send_status` posts
    a signed status callback to the message's StatusCallback URL.
    """

    def __init__(self, account_sid: str, auth_token: str) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.faults = FaultPlan()
        self.requests = 0
        self.messages: dict[str, SentSms] = {}
        self.rejected_recipients: dict[str, int] = {}
        credentials = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self._auth = f"Basic {credentials}"
        self._validator = RequestValidator(auth_token)
        self._session: aiohttp.ClientSession | None = None
        self.app.router.add_post(
            "/2010-04-01/Accounts/{account_sid}/Messages.json", self._create_message
        )

    @property
    def accepted(self) -> list[SentSms]:
        return list(self.messages.values())

    def reject(self, number: str, *, code: int = 21610) -> None:
        if code not in _ERRORS:
            raise ValueError(f"the emulator does not know Twilio error {code}")
        self.rejected_recipients[number] = code

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        await super().stop()

    async def _create_message(self, request: web.Request) -> web.Response:
        self.requests += 1
        fault = await self.faults.take()
        if self.faults.dropped(fault, request):
            return web.Response(status=500)  # never reaches the client: the connection is gone
        if fault is not None and fault.kind in ("error", "rate_limit"):
            if fault.status == 429:
                headers = {"Retry-After": str(max(1, round(fault.retry_after)))}
                return _error(20429, headers=headers)
            return _error(20503 if fault.status == 503 else 20500, status=fault.status)
        if request.headers.get("Authorization") != self._auth:
            return _error(20003)
        if request.match_info["account_sid"] != self.account_sid:
            return _error(20404)
        form = await request.post()
        to = str(form.get("To", ""))
        sender = str(form.get("From", "")) or None
        service = str(form.get("MessagingServiceSid", "")) or None
        body = str(form.get("Body", ""))
        if not to:
            return _error(21604)
        if not sender and not service:
            return _error(21603)
        if not body:
            return _error(21602)
        if not _E164.fullmatch(to):
            return _error(21211, to=to)
        refusal = self.rejected_recipients.get(to)
        if refusal is not None:
            return _error(refusal, to=to)
        sms = SentSms(
            sid="SM" + secrets.token_hex(16),
            to=to,
            from_=sender,
            messaging_service_sid=service,
            body=body,
            status_callback=str(form.get("StatusCallback", "")) or None,
            status="accepted" if service and not sender else "queued",
        )
        self.messages[sms.sid] = sms
        await self.faults.answer(fault)
        return web.json_response(self._resource(sms), status=201)

    def _resource(self, sms: SentSms) -> dict[str, Any]:
        now = format_datetime(datetime.now(tz=UTC))
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sms.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": sms.body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": sms.from_,
            "messaging_service_sid": sms.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(_segments(sms.body)),
            "price": None,
            "price_unit": "USD",
            "sid": sms.sid,
            "status": sms.status,
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": sms.to,
            "uri": f"{uri}.json",
        }

    def status_form(
        self, sid: str, status: str, *, error_code: int | None = None
    ) -> dict[str, str]:
        """The form fields Twilio posts to StatusCallback for message ``sid``."""
        sms = self.messages[sid]
        form = {
            "ApiVersion": API_VERSION,
            "AccountSid": self.account_sid,
            "MessageSid": sid,
            "SmsSid": sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "To": sms.to,
            "From": sms.from_ or "+15005550006",
        }
        if sms.messaging_service_sid:
            form["MessagingServiceSid"] = sms.messaging_service_sid
        if error_code is not None:
            form["ErrorCode"] = str(error_code)
        return form

    def signature(self, url: str, form: dict[str, str]) -> str:
        return str(self._validator.compute_signature(url, form))

    async def send_status(self, sid: str, status: str, *, error_code: int | None = None) -> int:
        """POST a signed status callback for ``sid``; returns the receiver's HTTP status."""
        sms = self.messages[sid]
        if not sms.status_callback:
            raise ValueError(f"message {sid} was created without a StatusCallback")
        form = self.status_form(sid, status, error_code=error_code)
        headers = {"X-Twilio-Signature": self.signature(sms.status_callback, form)}
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.post(sms.status_callback, data=form, headers=headers) as resp:
            await resp.read()
        sms.status = status
        sms.callbacks.append(form)
        return resp.status


def _error(
    code: int,
    *,
    status: int | None = None,
    to: str = "",
    headers: dict[str, str] | None = None,
) -> web.Response:
    default_status, message = _ERRORS[code]
    http_status = status or default_status
    body = {
        "code": code,
        "message": message.format(to=to),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": http_status,
    }
    return web.json_response(body, status=http_status, headers=headers)


def _segments(body: str) -> int:
    gsm = all(char in _GSM7 for char in body)
    single, multi = (160, 153) if gsm else (70, 67)
    if len(body) <= single:
        return 1
    return -(-len(body) // multi)
