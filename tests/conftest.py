"""Shared fixtures: one migrated database and one Redis db per test run, and the app on them.

With DATABASE_URL / REDIS_URL set (CI: the machine's PostgreSQL and Redis) the run creates its own
database on that server and claims a Redis db nobody else holds, so concurrent runs never collide.
Unset, it uses a SQLite file and an embedded Redis server, as a newcomer's machine would.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from service.app import create_app
from service.config import Settings
from service.db import Database
from service.migrations import upgrade
from service.queue import EmbeddedRedis
from service.runtime import Runtime, open_runtime
from tests.scratch import (
    claim_redis_db,
    create_postgres_database,
    drop_postgres_database,
    release_redis_db,
)
from tests.tenancy.builders import TenantHandle, make_tenant

TEST_DB_PREFIX = "cobro_test_"


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session")
async def database_url(var_dir: Path) -> AsyncIterator[str]:
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        url = f"sqlite+aiosqlite:///{var_dir / 'cobro-test.db'}"
        upgrade(url)
        yield url
        return
    url = await create_postgres_database(
        Settings(DATABASE_URL=server_url).resolved_database_url, prefix=TEST_DB_PREFIX
    )
    upgrade(url)
    yield url
    await drop_postgres_database(url)


@pytest.fixture(scope="session")
def redis_url(var_dir: Path) -> Iterator[str]:
    server_url = os.environ.get("REDIS_URL")
    if server_url:
        url = claim_redis_db(server_url)
        yield url
        release_redis_db(url)
        return
    embedded = EmbeddedRedis(var_dir / "redis")
    yield embedded.start()
    embedded.stop()


@pytest.fixture(scope="session")
def settings(var_dir: Path, database_url: str, redis_url: str) -> Settings:
    return Settings(
        COBRO_VAR_DIR=var_dir,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        COBRO_PUBLIC_URL="https://cobro.test",
        COBRO_INBOUND_DOMAIN="reply.cobro.test",
        COBRO_SECRET_KEY="test-secret-key-" + "x" * 32,
        _env_file=None,
    )


@pytest.fixture(scope="session")
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    async with open_runtime(settings, redis_url=settings.redis_url) as opened:
        yield opened


@pytest.fixture(scope="session")
def database(runtime: Runtime) -> Database:
    return runtime.database


@pytest.fixture(scope="session")
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=runtime)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://cobro.test") as http:
            yield http


@pytest.fixture
async def tenant(database: Database) -> TenantHandle:
    return await make_tenant(database)


@pytest.fixture
async def other_tenant(database: Database) -> TenantHandle:
    return await make_tenant(database, name="Other Client Inc.")
