"""A loopback SendGrid: v3 Mail Send, plus signed Event Webhook posts back to Cobro."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.emulators.faults import FaultPlan, LoopbackServer

_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
_RESERVED = frozenset(
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
_HELP = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html"


@dataclass(frozen=True, slots=True)
class AcceptedMail:
    """One mail SendGrid answered 202 for; ``payload`` is the JSON body as posted."""

    x_message_id: str
    payload: dict[str, Any]

    @property
    def to(self) -> str:
        return str(self.payload["personalizations"][0]["to"][0]["email"])

    @property
    def custom_args(self) -> dict[str, str]:
        return dict(self.payload.get("custom_args") or {})

    @property
    def headers(self) -> dict[str, str]:
        return dict(self.payload.get("headers") or {})


class _Invalid(Exception):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class SendGridEmulator(LoopbackServer):
    """``POST /v3/mail/send`` with Bearer ``api_key``; 202 + ``X-Message-Id`` when valid.

    ``faults`` scripts outages, 429s and delays; ``reject(address)`` makes a recipient fail
    with SendGrid's 400. Event Webhook posts can be built, signed with the emulator's own
    P-256 key (``public_key`` is what SendGrid would show) and sent with :meth:`post_events`.
    """

    def __init__(self, api_key: str) -> None:
        super().__init__()
        self.api_key = api_key
        self.faults = FaultPlan()
        self.requests = 0
        self.accepted: list[AcceptedMail] = []
        self.rejected_recipients: dict[str, str] = {}
        self._signing_key = ec.generate_private_key(ec.SECP256R1())
        self._session: aiohttp.ClientSession | None = None
        self.app.router.add_post("/v3/mail/send", self._mail_send)

    @property
    def public_key(self) -> str:
        """The verification key in SendGrid's format: base64 DER, no PEM armour."""
        der = self._signing_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode("ascii")

    def reject(self, address: str, *, message: str = "Does not contain a valid address.") -> None:
        self.rejected_recipients[address] = message

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        await super().stop()

    async def _mail_send(self, request: web.Request) -> web.Response:
        self.requests += 1
        fault = await self.faults.take()
        if self.faults.dropped(fault, request):
            return web.Response(status=500)  # never reaches the client: the connection is gone
        if fault is not None and fault.kind in ("error", "rate_limit"):
            return _fault_response(fault.status, fault.retry_after)
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _errors(
                401, None, "The provided authorization grant is invalid, expired, or revoked"
            )
        try:
            payload = json.loads(await request.read())
            _validate(payload)
            for index, recipient in enumerate(payload["personalizations"][0]["to"]):
                refusal = self.rejected_recipients.get(recipient["email"])
                if refusal is not None:
                    raise _Invalid(f"personalizations.0.to.{index}.email", refusal)
        except _Invalid as exc:
            return _errors(400, exc.field, exc.message)
        except (ValueError, UnicodeDecodeError):
            return _errors(400, None, "Bad Request")
        x_message_id = secrets.token_urlsafe(16)[:22]
        self.accepted.append(AcceptedMail(x_message_id=x_message_id, payload=payload))
        await self.faults.answer(fault)
        return web.Response(status=202, headers={"X-Message-Id": x_message_id})

    def event(self, mail: AcceptedMail, kind: str, **fields: Any) -> dict[str, Any]:
        """An Event Webhook event about ``mail``, as SendGrid shapes it.

        ``kind`` is SendGrid's event name (processed, delivered, bounce, open, ...); custom
        args sit at the top level of the event, as SendGrid puts them.
        """
        event: dict[str, Any] = {
            "email": mail.to,
            "timestamp": int(time.time()),
            "event": kind,
            "sg_event_id": secrets.token_urlsafe(16),
            "sg_message_id": f"{mail.x_message_id}.filterdrecv-5645d9c87f-abcde-1-0",
            "smtp-id": f"<{mail.x_message_id}@ismtpd0001p1iad2.sendgrid.net>",
            **mail.custom_args,
        }
        event.update(fields)
        return event

    def sign(self, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
        """The signature headers SendGrid would send with ``body``."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self._signing_key.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": stamp,
        }

    async def post_events(self, url: str, events: list[dict[str, Any]]) -> int:
        """POST ``events`` as one signed webhook call; returns the receiver's HTTP status."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        body = json.dumps(events).encode()
        headers = {"Content-Type": "application/json", **self.sign(body)}
        async with self._session.post(url, data=body, headers=headers) as response:
            await response.read()
            return response.status


def _validate(payload: Any) -> None:
    if not isinstance(payload, dict):
        raise _Invalid(None, "Bad Request")
    personalizations = payload.get("personalizations")
    if not isinstance(personalizations, list) or not 1 <= len(personalizations) <= 1000:
        raise _Invalid(
            "personalizations",
            "The personalizations field is required and must have at least one personalization.",
        )
    for p_index, personalization in enumerate(personalizations):
        recipients = personalization.get("to") if isinstance(personalization, dict) else None
        if not isinstance(recipients, list) or not recipients:
            raise _Invalid(f"personalizations.{p_index}.to", "The to array is required.")
        for r_index, recipient in enumerate(recipients):
            _check_email(recipient, f"personalizations.{p_index}.to.{r_index}.email")
    _check_email(payload.get("from"), "from.email")
    if "reply_to" in payload:
        _check_email(payload["reply_to"], "reply_to.email")
    subjects = [p.get("subject") for p in personalizations]
    if not _text(payload.get("subject")) and not all(_text(s) for s in subjects):
        raise _Invalid(
            "subject",
            "The subject is required. You can get around this requirement if you use a "
            "template with a subject defined or if every personalization has a subject defined.",
        )
    _check_content(payload.get("content"))
    _check_string_map(payload.get("headers"), "headers", reserved=_RESERVED)
    _check_string_map(payload.get("custom_args"), "custom_args", reserved=frozenset())
    if len(json.dumps(payload.get("custom_args") or {})) > 10_000:
        raise _Invalid("custom_args", "Custom args must be less than 10000 bytes.")


def _check_email(value: Any, field: str) -> None:
    address = value.get("email") if isinstance(value, dict) else None
    if not isinstance(address, str) or not _EMAIL.fullmatch(address):
        raise _Invalid(field, "Does not contain a valid address.")


def _check_content(content: Any) -> None:
    if not isinstance(content, list) or not content:
        raise _Invalid("content", "Unless a valid template_id is provided, content is required.")
    types = []
    for index, part in enumerate(content):
        if not isinstance(part, dict) or not _text(part.get("value")):
            raise _Invalid(
                f"content.{index}.value",
                "The content value must be a string at least one character in length.",
            )
        types.append(part.get("type"))
    plain_misplaced = "text/plain" in types and types[0] != "text/plain"
    html_misplaced = "text/plain" in types and "text/html" in types and types[1] != "text/html"
    if plain_misplaced or html_misplaced:
        raise _Invalid(
            "content",
            "If present, text/plain content must be first, followed by text/html, "
            "followed by any other content.",
        )


def _check_string_map(value: Any, field: str, *, reserved: frozenset[str]) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise _Invalid(field, f"Invalid type. Expected: object, given: {type(value).__name__}.")
    for key, item in value.items():
        if not isinstance(item, str):
            raise _Invalid(f"{field}.{key}", "Invalid type. Expected: string.")
        if key.lower() in reserved:
            raise _Invalid(field, f"The '{key}' header is a reserved header.")


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _errors(status: int, field: str | None, message: str) -> web.Response:
    body = {"errors": [{"message": message, "field": field, "help": _HELP if field else None}]}
    return web.json_response(body, status=status)


def _fault_response(status: int, retry_after: float) -> web.Response:
    if status == 429:
        reset = int(time.time() + retry_after + 0.999)
        return web.json_response(
            {"errors": [{"field": None, "message": "too many requests"}]},
            status=429,
            headers={
                "X-RateLimit-Limit": "600",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(reset),
            },
        )
    return web.json_response(
        {"errors": [{"field": None, "message": "Internal Server Error"}]}, status=status
    )
