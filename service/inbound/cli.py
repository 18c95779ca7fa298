"""`cobro inbound`: the operator's view of inbound payloads that reached no tenant.

Such payloads belong to no tenant's API (showing them to one tenant could show it another's
customer), so the installation's operator lists them here and delivers each to the tenant it
belongs to, where it joins that tenant's threads or unmatched queue like any reply.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Annotated

import typer

from service.config import ConfigurationError, Settings, get_settings
from service.logging import configure_logging

inbound_app = typer.Typer(help="Inbound payloads that reached no conversation.")


def _settings() -> Settings:
    try:
        settings = get_settings()
    except ConfigurationError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    configure_logging(settings.log_level)
    return settings


def _uuid(value: str, option: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        typer.echo(f"{option} takes an id (a UUID)", err=True)
        raise typer.Exit(2) from exc


@inbound_app.command("unrouted")
def unrouted(
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="at most this many")] = 100,
) -> None:
    """List payloads that reached no conversation, newest first, one JSON object a line: no
    tenant could be told apart, unreadable, or given up after repeated failures."""
    from service.inbound.unmatched import unrouted_payloads
    from service.runtime import open_runtime

    settings = _settings()

    async def run() -> list[dict[str, object]]:
        async with open_runtime(settings, migrate=True) as runtime:
            async with runtime.database.transaction() as session:
                found = await unrouted_payloads(session, limit=limit)
        return [item.as_document() for item in found]

    for document in asyncio.run(run()):
        typer.echo(json.dumps(document, ensure_ascii=False))


@inbound_app.command("route")
def route(
    payload_id: Annotated[str, typer.Argument(help="the payload id `unrouted` lists")],
    tenant: Annotated[str | None, typer.Option(help="tenant id: route within this tenant")] = None,
) -> None:
    """Process an unrouted payload again, within TENANT when given (its customer, else its
    unmatched queue); prints the outcome as JSON."""
    from service.errors import CobroError
    from service.inbound.unmatched import route_payload
    from service.runtime import open_runtime

    settings = _settings()
    ident = _uuid(payload_id, "PAYLOAD_ID")
    tenant_id = _uuid(tenant, "--tenant") if tenant else None

    async def run() -> dict[str, str | None]:
        async with open_runtime(settings, migrate=True) as runtime:
            async with runtime.database.transaction() as session:
                return await route_payload(
                    session, payload_id=ident, tenant_id=tenant_id, settings=settings
                )

    try:
        outcome = asyncio.run(run())
    except CobroError as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(2) from exc
    typer.echo(json.dumps(outcome))
