"""An app whose webhooks have their secrets configured, on the session's database and queue."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from service.app import create_app
from service.config import Settings
from service.runtime import Runtime
from tests.inbound.builders import MIME_TOKEN, SENDGRID_PASSWORD, SENDGRID_USER, TWILIO_TOKEN


@pytest.fixture(scope="session")
def inbound_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "twilio_auth_token": SecretStr(TWILIO_TOKEN),
            "sendgrid_inbound_user": SENDGRID_USER,
            "sendgrid_inbound_password": SecretStr(SENDGRID_PASSWORD),
            "mime_token": SecretStr(MIME_TOKEN),
        }
    )


@pytest.fixture(scope="session")
def inbound_runtime(runtime: Runtime, inbound_settings: Settings) -> Runtime:
    return Runtime(
        settings=inbound_settings,
        database=runtime.database,
        queue=runtime.queue,
        redis_url=runtime.redis_url,
    )


@pytest.fixture(scope="session")
async def webhooks(inbound_runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=inbound_runtime)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://cobro.test") as http:
            yield http
