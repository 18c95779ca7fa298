"""Inbound webhooks: authenticate first, store the raw body, answer at once.

Every endpoint refuses everything (403) while its secret is unset, and checks the secret before
reading a form field. Bodies are read with a size limit (413 beyond it). Parsing, threading and
classification happen later in the ``process_inbound`` job.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import uuid

from fastapi import APIRouter, Request, Response

from channels.twilio import SIGNATURE_HEADER, validate_twilio_signature
from service.config import Settings
from service.db import Database
from service.deps import SessionDep, StaffDep
from service.errors import BadRequest, Forbidden, PayloadTooLarge
from service.inbound import forms, unmatched
from service.inbound.intake import PayloadWriter
from service.inbound.schemas import AttachedThread, AttachRequest
from service.inbound.service import InboundSource, Received

router = APIRouter(tags=["inbound"])

SMS_MAX_BYTES = 64 * 1024
# SendGrid accepts messages up to 30 MB; the multipart post around one is a little larger.
EMAIL_MAX_BYTES = 32 * 1024 * 1024
EMPTY_TWIML = "<Response/>"


async def read_body(request: Request, *, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it exceeds ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body exceeds {limit} bytes")
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise PayloadTooLarge(f"the body exceeds {limit} bytes")
    return bytes(received)


def _same(presented: str, expected: str) -> bool:
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))


def public_webhook_url(settings: Settings, request: Request) -> str:
    """The URL the provider was given: COBRO_PUBLIC_URL and the path, never the Host header."""
    url = settings.public_url + request.url.path
    return f"{url}?{request.url.query}" if request.url.query else url


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _store(request: Request, received: Received) -> None:
    # Webhooks take the app state directly rather than through dependencies: synchronous
    # dependencies cost a thread hop each, and these endpoints are the hottest of the service.
    # Their payloads are written in shared transactions (service/inbound/intake.py).
    database: Database = request.app.state.database
    writer: PayloadWriter | None = getattr(request.app.state, "inbound_writer", None)
    if writer is None or writer.database is not database:
        writer = request.app.state.inbound_writer = PayloadWriter(database)
    await writer.store(received)


@router.post("/webhooks/twilio/sms", response_class=Response)
async def twilio_sms(request: Request) -> Response:
    settings = _settings(request)
    token = settings.twilio_webhook_token()
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not token or not signature:
        raise Forbidden("invalid Twilio signature")
    body = await read_body(request, limit=SMS_MAX_BYTES)
    try:
        params = forms.read_urlencoded(body)
    except forms.MalformedPayload as error:
        # Unreadable bodies cannot carry a valid signature; answer as for a forged one.
        raise Forbidden("invalid Twilio signature") from error
    valid = validate_twilio_signature(
        auth_token=token,
        url=public_webhook_url(settings, request),
        params=params,
        signature=signature,
    )
    if not valid:
        raise Forbidden("invalid Twilio signature")
    sid = params.get("MessageSid") or params.get("SmsSid")
    if not params.get("From") or not (params.get("To") or params.get("MessagingServiceSid")):
        raise BadRequest("an inbound message needs From and To")
    await _store(
        request,
        Received(
            source=InboundSource.twilio_sms,
            dedupe_key=sid or forms.content_hash(body),
            content_type="application/x-www-form-urlencoded",
            body=body,
        ),
    )
    return Response(content=EMPTY_TWIML, media_type="text/xml")


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, colon, password = decoded.partition(":")
    return (user, password) if colon else None


@router.post("/webhooks/sendgrid/inbound")
async def sendgrid_inbound(request: Request) -> dict[str, str]:
    settings = _settings(request)
    user = settings.sendgrid_inbound_user or ""
    password = (
        settings.sendgrid_inbound_password.get_secret_value()
        if settings.sendgrid_inbound_password
        else ""
    )
    presented = _basic_credentials(request.headers.get("authorization", ""))
    # Both comparisons always run, so timing tells nothing about which part was wrong.
    if not user or not password or presented is None:
        raise Forbidden("invalid credentials")
    user_ok = _same(presented[0], user)
    password_ok = _same(presented[1], password)
    if not (user_ok and password_ok):
        raise Forbidden("invalid credentials")
    content_type = request.headers.get("content-type", "")
    body = await read_body(request, limit=EMAIL_MAX_BYTES)
    try:
        form = forms.read_multipart(content_type=content_type, body=body)
    except forms.MalformedPayload as error:
        raise BadRequest(f"malformed Inbound Parse post: {error}") from error
    if "email" not in form.fields and "from" not in form.fields and "headers" not in form.fields:
        raise BadRequest("malformed Inbound Parse post: no email, from or headers field")
    message_id = forms.sendgrid_message_id(form)
    await _store(
        request,
        Received(
            source=InboundSource.sendgrid_inbound,
            dedupe_key=message_id or forms.content_hash(body),
            content_type=content_type,
            body=body,
        ),
    )
    return {"status": "accepted"}


@router.post("/webhooks/email/mime")
async def raw_mime(request: Request) -> dict[str, str]:
    settings = _settings(request)
    expected = settings.mime_token.get_secret_value() if settings.mime_token else ""
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not _same(presented.strip(), expected):
        raise Forbidden("invalid token")
    body = await read_body(request, limit=EMAIL_MAX_BYTES)
    if not body.strip() or not forms.has_header_block(body):
        raise BadRequest("the body is not an RFC 5322 message")
    message_id = forms.mime_message_id(body)
    await _store(
        request,
        Received(
            source=InboundSource.mime,
            dedupe_key=message_id or forms.content_hash(body),
            content_type=request.headers.get("content-type", "message/rfc822"),
            body=body,
        ),
    )
    return {"status": "accepted"}


@router.post("/v1/threads/{thread_id}/attach")
async def attach_thread(
    thread_id: uuid.UUID, body: AttachRequest, principal: StaffDep, session: SessionDep
) -> AttachedThread:
    """Give an unmatched thread (unknown sender) to a customer of the tenant."""
    attached = await unmatched.attach_to_customer(
        session,
        tenant_id=principal.tenant.id,
        thread_id=thread_id,
        customer_external_id=body.customer_external_id,
        actor=f"key:{principal.key.prefix}",
    )
    return AttachedThread(
        id=attached.thread.id,
        customer_id=attached.customer.id,
        customer_external_id=attached.customer.external_id,
        messages_moved=attached.messages_moved,
    )
