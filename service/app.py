"""create_app(): routers, middleware, lifespan; nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service.campaigns.routes import router as campaigns_router
from service.config import Settings, get_settings
from service.consent.routes import router as consent_router
from service.disputes.routes import router as disputes_router
from service.errors import install_error_handlers
from service.health import router as health_router
from service.inbound.routes import router as inbound_router
from service.ledger.routes import router as ledger_router
from service.outreach import routes as outreach_routes
from service.portal import routes as portal_routes
from service.runtime import Runtime, open_runtime
from service.templating.routes import router as templating_router
from service.threads.routes import router as threads_router


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """The API. With `runtime` given (tests, `cobro serve`) the app uses it as is; otherwise its
    lifespan opens one from `settings` and closes it at shutdown."""
    settings = settings or (runtime.settings if runtime else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if runtime is not None:
            _attach(app, runtime)
            yield
            return
        async with open_runtime(settings, migrate=True) as opened:
            _attach(app, opened)
            yield

    app = FastAPI(
        title="Cobro",
        version="1",
        summary="Collections messaging: reminders, replies, disputes and the customer portal.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(health_router)
    # Routes are matched in order, and the providers' webhooks are the busiest of them.
    app.include_router(inbound_router)
    app.include_router(ledger_router)
    app.include_router(templating_router)
    app.include_router(campaigns_router)
    app.include_router(threads_router)
    app.include_router(outreach_routes.api)
    app.include_router(outreach_routes.webhooks)
    app.include_router(outreach_routes.pages)
    app.include_router(consent_router)
    app.include_router(disputes_router)
    app.include_router(portal_routes.staff)
    app.include_router(portal_routes.api)
    app.include_router(portal_routes.pages)
    return app


def _attach(app: FastAPI, runtime: Runtime) -> None:
    app.state.settings = runtime.settings
    app.state.runtime = runtime
    app.state.database = runtime.database
    app.state.queue = runtime.queue
