"""Engine and sessions. The request session commits on success and rolls back on error, so the
domain services never commit; jobs they ask for are sent to the queue only after that commit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, Uuid, event, inspect, literal_column
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from service.queue import JobQueue


def table_of(model: type[Any]) -> Table:
    """The Core table of a SQLModel table class, for bulk statements."""
    return cast(Table, inspect(model).local_table)


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT supporting ON CONFLICT for the session's database (PostgreSQL or SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


# RFC 9562's version 7: the first 48 bits are the Unix time in milliseconds, the rest random.
_UUID7_SQL = (
    "encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing "
    "substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) "
    "from 1 for 6), 52, 1), 53, 1), 'hex')::uuid"
)


def time_ordered_uuid() -> ColumnElement[Any]:
    """A new version-7 UUID made by PostgreSQL, for statements that insert many rows at once:
    keys that grow with time land at the end of the primary-key index, where random ones
    would touch (and write to the WAL) a page of it for nearly every row."""
    return literal_column(_UUID7_SQL, Uuid())


@dataclass(frozen=True)
class PendingJob:
    function: str
    args: tuple[Any, ...]
    job_id: str | None = None


@dataclass
class _JobBuffer:
    jobs: list[PendingJob] = field(default_factory=list)


_BUFFER_KEY = "cobro_jobs"


def enqueue_after_commit(
    session: AsyncSession, function: str, *args: Any, job_id: str | None = None
) -> None:
    """Ask for a background job that runs only if, and after, this session's transaction commits.

    A job enqueued before the commit could run before the rows it needs are visible, or for rows
    that a rollback then erases.
    """
    buffer: _JobBuffer = session.info.setdefault(_BUFFER_KEY, _JobBuffer())
    buffer.jobs.append(PendingJob(function=function, args=args, job_id=job_id))


def _take_jobs(session: AsyncSession) -> list[PendingJob]:
    buffer: _JobBuffer | None = session.info.pop(_BUFFER_KEY, None)
    return buffer.jobs if buffer else []


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, echo=echo)
        sync_engine: Engine = engine.sync_engine
        event.listen(sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True)


class Database:
    """Owns the engine and the session factory of one process (API or worker)."""

    def __init__(self, url: str, *, queue: JobQueue | None = None) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.queue = queue

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: commit on success, roll back on error, then flush its queued jobs."""
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                _take_jobs(session)
                raise
            jobs = _take_jobs(session)
        if jobs and self.queue is not None:
            await self.queue.enqueue_many(jobs)

    async def dispose(self) -> None:
        await self.engine.dispose()
