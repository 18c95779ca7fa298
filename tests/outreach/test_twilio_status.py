"""Twilio status callbacks: refused outright without a real auth token, and Twilio's own
status word kept up to date even when Cobro's status does not move."""

from __future__ import annotations

import dataclasses

import httpx
from pydantic import SecretStr
from twilio.request_validator import RequestValidator

from service.app import create_app
from service.outreach.sending import Sender
from service.runtime import Runtime
from service.threads.models import MessageStatus
from tests.emulators import TwilioEmulator
from tests.outreach.builders import reload
from tests.outreach.test_webhooks import _callback, _sent_sms, _stored_events
from tests.tenancy.builders import TenantHandle


async def test_an_empty_twilio_auth_token_refuses_every_status_callback(
    emulated: Runtime, sender: Sender, tenant: TenantHandle, twilio: TwilioEmulator
) -> None:
    message = await _sent_sms(emulated, sender, tenant, "+15005550025")
    (sms,) = twilio.accepted
    blank = emulated.settings.model_copy(update={"twilio_auth_token": SecretStr("")})
    app = create_app(runtime=dataclasses.replace(emulated, settings=blank))
    form = twilio.status_form(sms.sid, "failed", error_code=30003)
    url = sms.status_callback or ""
    # Signed with the empty key: valid HMAC, and still no proof of anything.
    forged = str(RequestValidator("").compute_signature(url, form))

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://cobro.test") as http:
            response = await http.post(
                url.removeprefix("https://cobro.test"),
                data=form,
                headers={"X-Twilio-Signature": forged},
            )

    assert response.status_code == 403
    assert await _stored_events(emulated, message.id) == []
    assert (await reload(emulated.database, message.id)).status == MessageStatus.sent


async def test_a_callback_that_moves_no_status_still_records_twilios_word(
    emulated: Runtime,
    sender: Sender,
    tenant: TenantHandle,
    twilio: TwilioEmulator,
    hooks: httpx.AsyncClient,
) -> None:
    message = await _sent_sms(emulated, sender, tenant, "+15005550026")
    (sms,) = twilio.accepted
    assert (message.status, message.provider_status) == (MessageStatus.sent, "queued")

    sent = await _callback(hooks, twilio, sms.sid, "sent")
    after_sent = await reload(emulated.database, message.id)
    late = await _callback(hooks, twilio, sms.sid, "sending")

    assert (sent.status_code, late.status_code) == (200, 200)
    assert (after_sent.status, after_sent.provider_status) == (MessageStatus.sent, "sent")
    # A late "sending" is older news than "sent": Twilio's word does not move back either.
    stored = await reload(emulated.database, message.id)
    assert (stored.status, stored.provider_status) == (MessageStatus.sent, "sent")
