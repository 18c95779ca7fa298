from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import update
from sqlmodel import col

from channels.portal import PortalChannel
from channels.sendgrid import SendGridChannel
from channels.twilio import TwilioChannel
from service.app import create_app
from service.config import Settings
from service.outreach.pacing import Pacer, PacingPolicy
from service.outreach.providers import Outbound, SendTuning
from service.outreach.sending import Sender
from service.runtime import Runtime
from service.threads.models import Direction, Message, MessageStatus
from tests.emulators import SendGridEmulator, SmtpEmulator, TwilioEmulator

SENDGRID_KEY = "SG.outreach-test-key"
TWILIO_SID = "AC" + "1" * 32
TWILIO_TOKEN = "outreach-twilio-token"


@pytest.fixture(autouse=True)
async def _park_leftover_outbox(runtime: Runtime) -> None:
    """Rows other tests left due must not be sent to this test's emulators."""
    async with runtime.database.transaction() as session:
        await session.execute(
            update(Message)
            .where(
                col(Message.direction) == Direction.outbound,
                col(Message.status).in_([MessageStatus.queued, MessageStatus.sending]),
            )
            .values(status=MessageStatus.skipped, skip_reason="parked_by_test")
        )


@pytest.fixture
async def sendgrid() -> AsyncIterator[SendGridEmulator]:
    emulator = SendGridEmulator(SENDGRID_KEY)
    async with emulator:
        yield emulator


@pytest.fixture
async def twilio() -> AsyncIterator[TwilioEmulator]:
    emulator = TwilioEmulator(TWILIO_SID, TWILIO_TOKEN)
    async with emulator:
        yield emulator


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpEmulator]:
    async with SmtpEmulator() as server:
        yield server


@pytest.fixture
def hooks_settings(
    settings: Settings, sendgrid: SendGridEmulator, twilio: TwilioEmulator
) -> Settings:
    return settings.model_copy(
        update={
            "sendgrid_event_public_key": sendgrid.public_key,
            "twilio_auth_token": SecretStr(TWILIO_TOKEN),
            "twilio_account_sid": TWILIO_SID,
        }
    )


def emulated_outbound(
    sendgrid: SendGridEmulator,
    twilio: TwilioEmulator,
    *,
    pacing: PacingPolicy | None = None,
    tuning: SendTuning | None = None,
) -> Outbound:
    return Outbound(
        channels={
            "email": SendGridChannel(SENDGRID_KEY, api_url=sendgrid.url),
            "sms": TwilioChannel(TWILIO_SID, TWILIO_TOKEN, api_url=twilio.url),
            "portal": PortalChannel(),
        },
        pacing=pacing or PacingPolicy(enabled=False),
        tuning=tuning or SendTuning(retry_base=0.05, retry_cap=0.2, batch_size=50),
    )


@pytest.fixture
async def emulated(
    runtime: Runtime,
    hooks_settings: Settings,
    sendgrid: SendGridEmulator,
    twilio: TwilioEmulator,
) -> AsyncIterator[Runtime]:
    """The session's runtime with SendGrid and Twilio emulators as its providers."""
    outbound = emulated_outbound(sendgrid, twilio)
    yield dataclasses.replace(runtime, settings=hooks_settings, outbound=outbound)
    await outbound.aclose()


@pytest.fixture
def sender(emulated: Runtime) -> Sender:
    return Sender(
        database=emulated.database,
        outbound=emulated.outbound,
        pacer=Pacer(emulated.queue.pool, emulated.outbound.pacing),
        settings=emulated.settings,
    )


@pytest.fixture
async def hooks(emulated: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The API with webhook secrets configured (the emulators' keys)."""
    app = create_app(runtime=emulated)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://cobro.test") as http:
            yield http
