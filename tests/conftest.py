"""Shared fixtures: one migrated database and one Redis db per test run, and the app on them.

With DATABASE_URL / REDIS_URL set (CI: the machine's PostgreSQL and Redis) the run creates its own
database on that server and claims a Redis db nobody else holds, so concurrent runs never collide.
Unset, it uses a SQLite file and an embedded Redis server, as a newcomer's machine would.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from service.app import create_app
from service.config import Settings
from service.db import Database
from service.migrations import upgrade
from service.queue import EmbeddedRedis
from service.runtime import Runtime, open_runtime
from tests.tenancy.builders import TenantHandle, make_tenant

TEST_DB_PREFIX = "cobro_test_"
CLAIM_KEY = "cobro:test:claim"


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


async def _create_postgres_database(server_url: str) -> str:
    url = make_url(server_url)
    name = f"{TEST_DB_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


async def _drop_postgres_database(database_url: str) -> None:
    url = make_url(database_url)
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture(scope="session")
async def database_url(var_dir: Path) -> AsyncIterator[str]:
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        url = f"sqlite+aiosqlite:///{var_dir / 'cobro-test.db'}"
        upgrade(url)
        yield url
        return
    url = await _create_postgres_database(Settings(DATABASE_URL=server_url).resolved_database_url)
    upgrade(url)
    yield url
    await _drop_postgres_database(url)


def _claim_is_stale(holder: bytes | None) -> bool:
    """A claim made on this host by a process that is gone (a run killed before its teardown)."""
    if holder is None:
        return True
    host, _, pid = holder.decode().rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _claim_redis_db(server_url: str) -> str:
    """Claim a numbered Redis db for this run: a key set with NX says who holds it."""
    base = server_url.rsplit("/", 1)[0] if server_url.count("/") > 2 else server_url
    me = f"{socket.gethostname()}:{os.getpid()}"
    for number in range(1, 16):
        client = redis.Redis.from_url(f"{base}/{number}")
        try:
            claimed = client.set(CLAIM_KEY, me, nx=True, ex=6 * 3600)
            if not claimed and _claim_is_stale(client.get(CLAIM_KEY)):
                client.delete(CLAIM_KEY)
                claimed = client.set(CLAIM_KEY, me, nx=True, ex=6 * 3600)
            if claimed:
                client.flushdb()
                client.set(CLAIM_KEY, me, ex=6 * 3600)
                return f"{base}/{number}"
        finally:
            client.close()
    raise RuntimeError("every Redis db 1-15 is claimed by another test run")


@pytest.fixture(scope="session")
def redis_url(var_dir: Path) -> Iterator[str]:
    server_url = os.environ.get("REDIS_URL")
    if server_url:
        url = _claim_redis_db(server_url)
        yield url
        client = redis.Redis.from_url(url)
        client.flushdb()
        client.close()
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
