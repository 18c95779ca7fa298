"""The resources one Cobro process holds: settings, database, queue, and the embedded Redis
when REDIS_URL is unset. Built at start-up and handed down; nothing lives in module globals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from service.config import Settings
from service.db import Database
from service.migrations import upgrade
from service.outreach.providers import Outbound, build_outbound
from service.queue import ArqQueue, EmbeddedRedis, connect_queue
from service.templating.service import TemplateCatalog


@dataclass
class Runtime:
    settings: Settings
    database: Database
    queue: ArqQueue
    redis_url: str
    templates: TemplateCatalog = field(default_factory=TemplateCatalog)
    outbound: Outbound = field(default_factory=Outbound)


def resolve_redis_url(settings: Settings) -> tuple[str, EmbeddedRedis | None]:
    """REDIS_URL when set, else a real Redis server started for this process under var/."""
    if settings.redis_url:
        return settings.redis_url, None
    embedded = EmbeddedRedis(settings.var_dir)
    return embedded.start(), embedded


def prepare_storage(settings: Settings) -> None:
    if settings.is_sqlite:
        settings.var_dir.mkdir(parents=True, exist_ok=True)


@asynccontextmanager
async def open_runtime(
    settings: Settings, *, migrate: bool = False, redis_url: str | None = None
) -> AsyncIterator[Runtime]:
    prepare_storage(settings)
    if migrate:
        upgrade(settings.resolved_database_url)
    # Built first: a provider missing its credentials stops start-up before anything opens.
    outbound = build_outbound(settings)
    embedded: EmbeddedRedis | None = None
    if redis_url is None:
        redis_url, embedded = resolve_redis_url(settings)
    queue = await connect_queue(redis_url)
    database = Database(settings.resolved_database_url, queue=queue)
    try:
        yield Runtime(
            settings=settings,
            database=database,
            queue=queue,
            redis_url=redis_url,
            outbound=outbound,
            templates=TemplateCatalog(tenant_root=settings.template_dir),
        )
    finally:
        await outbound.aclose()
        await database.dispose()
        await queue.close()
        if embedded is not None:
            embedded.stop()
