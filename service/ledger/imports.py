"""Importing an aging export (CSV or XLSX, one row per invoice) into a tenant's portfolio.

The file is read as a stream and written chunk by chunk with set-based upserts, so a 200,000-row
export needs neither 200,000 ORM objects nor the whole file in memory. While one chunk is written,
the next is parsed and validated in a worker thread. Row rules (duplicates, whose customer
details win, blank cells) are those of `import_rows`; writes are those of `import_upserts`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fastapi import UploadFile
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from service.db import Database
from service.errors import NotFound, PayloadTooLarge
from service.ledger.import_files import Sheet, open_sheet
from service.ledger.import_rows import Chunk, RowValidator
from service.ledger.import_upserts import upsert_customers, upsert_invoices
from service.ledger.schemas import ImportReport, RejectedRow
from service.tenancy.models import Tenant
from service.types import utcnow

CHUNK_ROWS = 5_000
"""Rows per chunk. PostgreSQL receives a chunk as a dozen arrays, so asyncpg's 32,767-parameter
limit does not bind it; SQLite's multi-row VALUES pages hold 1,000 rows (13,000 values, under its
32,766). Fewer, larger chunks spare per-statement and per-commit costs; beyond 5,000 nothing
more is gained."""
MAX_LISTED_REJECTIONS = 1_000

UnitOfWork = Callable[[], AbstractAsyncContextManager[AsyncSession]]


async def import_upload(
    session: AsyncSession, *, tenant: Tenant, upload: UploadFile, max_bytes: int
) -> ImportReport:
    """Import an uploaded export within the request's transaction (all or nothing on error).

    Raises `PayloadTooLarge` above `max_bytes`, `BadRequest` for a file that is neither CSV nor
    XLSX, `Unprocessable` for an empty file or a header lacking a required column. Bad rows are
    not errors: they are reported with their row number and reason.
    """
    size = upload.size if upload.size is not None else _size(upload)
    if size > max_bytes:
        raise PayloadTooLarge(f"the file has {size} bytes; imports take at most {max_bytes}")

    @asynccontextmanager
    async def same_session() -> AsyncIterator[AsyncSession]:
        yield session

    sheet = await asyncio.to_thread(open_sheet, upload.file)
    try:
        return await _import(sheet, tenant=tenant, unit_of_work=same_session, on_progress=None)
    finally:
        sheet.close()


async def import_path(
    database: Database,
    *,
    tenant_id: uuid.UUID,
    path: Path,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the export at `path`, committing chunk by chunk; `on_progress` receives the number
    of rows processed so far. Interrupted, it leaves whole chunks behind, and running it again
    completes the import (a re-import changes only what differs)."""
    async with database.transaction() as session:
        tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound(f"tenant {tenant_id} not found")
    with path.open("rb") as binary:
        sheet = await asyncio.to_thread(open_sheet, binary)
        try:
            return await _import(
                sheet, tenant=tenant, unit_of_work=database.transaction, on_progress=on_progress
            )
        finally:
            sheet.close()


def _size(upload: UploadFile) -> int:
    upload.file.seek(0, 2)
    size = upload.file.tell()
    upload.file.seek(0)
    return size


@dataclass
class _Tally:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    customers_created: int = 0
    customers_updated: int = 0
    invoices_created: int = 0
    invoices_updated: int = 0
    unchanged: int = 0
    rejected_rows: list[RejectedRow] = field(default_factory=list)

    def add_rows(self, chunk: Chunk) -> None:
        self.rows += chunk.rows
        self.accepted += len(chunk.invoices)
        self.rejected += len(chunk.rejected)
        room = MAX_LISTED_REJECTIONS - len(self.rejected_rows)
        self.rejected_rows.extend(chunk.rejected[:room])

    def report(self) -> ImportReport:
        return ImportReport(
            rows=self.rows,
            accepted=self.accepted,
            rejected=self.rejected,
            customers_created=self.customers_created,
            customers_updated=self.customers_updated,
            invoices_created=self.invoices_created,
            invoices_updated=self.invoices_updated,
            unchanged=self.unchanged,
            rejected_rows=self.rejected_rows,
            rejected_rows_truncated=self.rejected > len(self.rejected_rows),
        )


async def _import(
    sheet: Sheet,
    *,
    tenant: Tenant,
    unit_of_work: UnitOfWork,
    on_progress: Callable[[int], None] | None,
) -> ImportReport:
    validator = RowValidator(sheet, country=tenant.country, chunk_size=CHUNK_ROWS)
    customer_ids: dict[str, uuid.UUID] = {}
    tally = _Tally()
    now = utcnow()
    upcoming = asyncio.ensure_future(asyncio.to_thread(validator.next_chunk))
    try:
        while (chunk := await upcoming) is not None:
            # Validation of the next chunk touches only the validator's state, never the ids
            # being written, so it can run while this chunk is in the database.
            upcoming = asyncio.ensure_future(asyncio.to_thread(validator.next_chunk))
            tally.add_rows(chunk)
            async with unit_of_work() as session:
                await _write(
                    session,
                    chunk,
                    tenant_id=tenant.id,
                    customer_ids=customer_ids,
                    tally=tally,
                    now=now,
                )
            if on_progress is not None:
                on_progress(tally.rows)
    finally:
        if not upcoming.done():
            # A thread cannot be cancelled; let it finish before the file is closed under it.
            await asyncio.gather(upcoming, return_exceptions=True)
    return tally.report()


async def _write(
    session: AsyncSession,
    chunk: Chunk,
    *,
    tenant_id: uuid.UUID,
    customer_ids: dict[str, uuid.UUID],
    tally: _Tally,
    now: datetime,
) -> None:
    """Customers first (their ids are needed), then the chunk's invoices."""
    if session.get_bind().dialect.name == "postgresql":
        # An import is idempotent: should the server crash right after a commit, re-importing
        # the file restores what was lost, so waiting for each chunk's WAL flush buys nothing.
        await session.execute(text("SET LOCAL synchronous_commit = off"))
    ids, customers = await upsert_customers(
        session, tenant_id=tenant_id, customers=chunk.customers, now=now
    )
    customer_ids.update(ids)
    tally.customers_created += customers.created
    tally.customers_updated += customers.updated
    invoices = await upsert_invoices(
        session,
        tenant_id=tenant_id,
        invoices=[invoice for _external_id, invoice in chunk.invoices],
        customer_ids=[customer_ids[external_id] for external_id, _invoice in chunk.invoices],
        now=now,
    )
    tally.invoices_created += invoices.created
    tally.invoices_updated += invoices.updated
    tally.unchanged += invoices.unchanged
