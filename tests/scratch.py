"""Scratch resources on a shared server, for test runs and benchmarks: a PostgreSQL database of
one's own, and a numbered Redis db claimed so that concurrent runs never touch each other's.

A Redis claim is a key set with NX naming ``host:pid``; a claim whose process is gone from this
host (a run killed before its teardown) may be taken over. Only a db still held is ever emptied.
"""

from __future__ import annotations

import os
import secrets
import socket
from typing import cast

import redis
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

CLAIM_KEY = "cobro:test:claim"
_CLAIM_SECONDS = 6 * 3600


async def _admin(server_url: str, statement: str) -> None:
    admin = create_async_engine(
        make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    async with admin.connect() as connection:
        await connection.execute(text(statement))
    await admin.dispose()


async def create_postgres_database(server_url: str, *, prefix: str) -> str:
    """A new, empty database on the server of ``server_url``; returns its URL."""
    name = f"{prefix}{os.getpid()}_{secrets.token_hex(4)}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(database_url: str) -> None:
    name = make_url(database_url).database
    await _admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim_is_stale(holder: bytes | None) -> bool:
    """A claim made on this host by a process that is gone."""
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


def claim_redis_db(server_url: str) -> str:
    """Claim a Redis db (1-15) of the server of ``server_url``, emptied; returns its URL."""
    base = server_url.rsplit("/", 1)[0] if server_url.count("/") > 2 else server_url.rstrip("/")
    me = _me()
    for number in range(1, 16):
        client = redis.Redis.from_url(f"{base}/{number}")
        try:
            claimed = client.set(CLAIM_KEY, me, nx=True, ex=_CLAIM_SECONDS)
            if not claimed and _claim_is_stale(cast(bytes | None, client.get(CLAIM_KEY))):
                client.delete(CLAIM_KEY)
                claimed = client.set(CLAIM_KEY, me, nx=True, ex=_CLAIM_SECONDS)
            if claimed:
                client.flushdb()
                client.set(CLAIM_KEY, me, ex=_CLAIM_SECONDS)
                return f"{base}/{number}"
        finally:
            client.close()
    raise RuntimeError("every Redis db 1-15 is claimed by another run")


def release_redis_db(url: str) -> None:
    """Empty a claimed db, and only while this process still holds its claim."""
    client = redis.Redis.from_url(url)
    try:
        holder = cast(bytes | None, client.get(CLAIM_KEY))
        if holder is not None and holder.decode() == _me():
            client.flushdb()
    finally:
        client.close()
