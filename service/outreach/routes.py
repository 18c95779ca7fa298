"""Outreach endpoints: provider delivery webhooks, one-click unsubscribe, and messages.

Webhooks authenticate before parsing anything: a request that fails answers 403 and
stores nothing, and with no secret configured every request is refused.
"""

from __future__ import annotations

import html
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from channels import sendgrid, twilio
from service.deps import SessionDep, SettingsDep, StaffDep
from service.errors import BadRequest, Forbidden
from service.outreach import events
from service.outreach import service as outreach
from service.outreach.schemas import MessagePublic, WebhookAck
from service.templating.service import TemplateCatalog
from service.threads.models import Message

webhooks = APIRouter(prefix="/webhooks", tags=["webhooks"])
pages = APIRouter(tags=["unsubscribe"])
api = APIRouter(prefix="/v1", tags=["messages"])


@webhooks.post("/sendgrid/events", response_model=WebhookAck)
async def sendgrid_events(
    request: Request, session: SessionDep, settings: SettingsDep
) -> WebhookAck:
    """SendGrid's Event Webhook, verified with SENDGRID_EVENT_PUBLIC_KEY over the raw body."""
    if not settings.sendgrid_event_public_key:
        raise Forbidden("the SendGrid event webhook is not configured")
    body = await request.body()
    if not sendgrid.verify_event_signature(
        public_key=settings.sendgrid_event_public_key,
        payload=body,
        signature=request.headers.get(sendgrid.SIGNATURE_HEADER, ""),
        timestamp=request.headers.get(sendgrid.TIMESTAMP_HEADER, ""),
    ):
        raise Forbidden("invalid SendGrid event signature")
    try:
        parsed = sendgrid.parse_events(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"malformed SendGrid events: {exc}") from exc
    applied = await events.record_events(
        session,
        settings=settings,
        templates=_templates(request),
        provider="sendgrid",
        events=parsed,
    )
    return WebhookAck(received=applied.received, stored=applied.stored)


@webhooks.post("/twilio/status", response_model=WebhookAck)
async def twilio_status(request: Request, session: SessionDep, settings: SettingsDep) -> WebhookAck:
    """Twilio's status callback, validated against COBRO_PUBLIC_URL + path + query."""
    token = settings.twilio_webhook_token()
    if token is None:
        raise Forbidden("the Twilio status webhook is not configured")
    form = await request.form()
    query = request.scope.get("query_string", b"").decode("latin-1")
    url = settings.public_url + request.url.path + (f"?{query}" if query else "")
    if not twilio.validate_twilio_signature(
        auth_token=token,
        url=url,
        params=form,  # type: ignore[arg-type]
        signature=request.headers.get(twilio.SIGNATURE_HEADER, ""),
    ):
        raise Forbidden("invalid Twilio signature")
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        event = twilio.parse_status_callback(fields)
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    applied = await events.record_events(
        session,
        settings=settings,
        templates=_templates(request),
        provider="twilio",
        events=[event],
        message_hint=_uuid(request.query_params.get("m")),
    )
    return WebhookAck(received=applied.received, stored=applied.stored)


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 3rem auto">
<h1>{title}</h1>{content}</body></html>"""


def _page(title: str, content: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=title, content=content), status_code=status_code)


@pages.get("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_page(token: str, settings: SettingsDep) -> HTMLResponse:
    """A page confirming the opt-out; opening the link alone changes nothing, since mail
    scanners follow links."""
    found = outreach.read_unsubscribe_token(secret=settings.resolved_secret_key(), token=token)
    if found is None:
        return _page("Link not valid", "<p>This unsubscribe link is not valid.</p>", 404)
    address = html.escape(found.address)
    action = html.escape(f"/unsubscribe/{token}")
    return _page(
        "Unsubscribe",
        f"<p>Stop reminder emails to <strong>{address}</strong>?</p>"
        f'<form method="post" action="{action}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        '<button type="submit">Unsubscribe</button></form>',
    )


@pages.post("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe(
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    one_click: Annotated[str | None, Form(alias="List-Unsubscribe")] = None,
) -> HTMLResponse:
    """RFC 8058 one-click unsubscribe: records the email opt-out the token names."""
    source = "list_unsubscribe" if one_click == "One-Click" else "unsubscribe_page"
    found = await outreach.unsubscribe(session, settings=settings, token=token, source=source)
    return _page(
        "Unsubscribed",
        f"<p>{html.escape(found.address)} will receive no more reminder emails.</p>",
    )


@api.get("/messages/{message_id}", response_model=MessagePublic)
async def get_message(
    message_id: uuid.UUID, session: SessionDep, principal: StaffDep
) -> MessagePublic:
    message = await outreach.get_message(
        session, tenant_id=principal.tenant.id, message_id=message_id
    )
    return message_public(message)


def message_public(message: Message) -> MessagePublic:
    return MessagePublic(
        id=message.id,
        thread_id=message.thread_id,
        customer_id=message.customer_id,
        run_id=message.run_id,
        channel=message.channel,
        language=message.language,
        template=message.template,
        to=message.to_address,
        subject=message.subject,
        body=message.body,
        status=message.status,
        skip_reason=message.skip_reason,
        invoices=list(message.invoice_numbers),
        headers=dict(message.headers or {}),
        provider_id=message.provider_id,
        attempts=message.attempts,
        last_error=message.last_error,
        created_at=message.created_at,
        sent_at=message.sent_at,
        delivered_at=message.delivered_at,
    )


def _templates(request: Request) -> TemplateCatalog:
    catalog: TemplateCatalog = request.app.state.runtime.templates
    return catalog


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None
