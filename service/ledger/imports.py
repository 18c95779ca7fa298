"""Importing an aging export (CSV or XLSX, one row per invoice) into a tenant's portfolio.

The file is read as a stream and written chunk by chunk through a stage table with set-based
statements, so an export of any length needs neither an ORM object per row nor the file in
memory: the process holds about two chunks (one being validated in a worker thread while the
previous one is in the database) and what `import_memory` keeps of the file, which is bounded.
Row rules (duplicates, whose customer details win, blank cells) are those of `import_rows`;
writes are those of `import_stage`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fastapi import UploadFile
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from service.db import Database
from service.errors import NotFound, PayloadTooLarge
from service.ledger.import_files import Sheet, open_sheet
from service.ledger.import_memory import MEMORY_LIMIT, FileMemory
from service.ledger.import_rows import Chunk, RowValidator
from service.ledger.import_stage import Written, close_stage, open_stage, write_chunk
from service.ledger.schemas import ImportReport, RejectedRow
from service.tenancy.models import Tenant
from service.types import utcnow

CHUNK_ROWS = 20_000
"""Rows per chunk. A chunk travels by COPY on PostgreSQL, so no parameter limit binds it; larger
chunks spare per-statement and per-commit round trips (which a busy server makes slow), smaller
ones hold less memory. Two chunks of 20,000 rows take some 40 MB."""
MAX_LISTED_REJECTIONS = 1_000

UnitOfWork = Callable[[], AbstractAsyncContextManager[AsyncConnection]]


@dataclass(frozen=True)
class ImportProgress:
    """How far an import is: `rows` processed; `done` of `total` bytes (CSV) or rows (XLSX),
    `total` None when the file does not tell."""

    rows: int
    done: int
    total: int | None


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
    connection = await session.connection()

    @asynccontextmanager
    async def same_transaction() -> AsyncIterator[AsyncConnection]:
        yield connection

    sheet = await asyncio.to_thread(open_sheet, upload.file)
    try:
        await open_stage(connection)
        report = await _import(
            sheet,
            tenant=tenant,
            unit_of_work=same_transaction,
            on_progress=None,
            memory=FileMemory(),
        )
        await close_stage(connection)
        return report
    finally:
        sheet.close()


async def import_path(
    database: Database,
    *,
    tenant_id: uuid.UUID,
    path: Path,
    on_progress: Callable[[ImportProgress], None] | None = None,
    memory_limit: int = MEMORY_LIMIT,
) -> ImportReport:
    """Import the export at `path`, committing chunk by chunk; `on_progress` is told how far the
    import is after each chunk. Interrupted, it leaves whole chunks behind, and running it again
    completes the import (a re-import changes only what differs)."""
    async with database.transaction() as session:
        tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound(f"tenant {tenant_id} not found")
    with path.open("rb") as binary:
        sheet = await asyncio.to_thread(open_sheet, binary)
        try:
            # One connection throughout: the import's temporary tables live on it.
            async with database.engine.connect() as connection:

                @asynccontextmanager
                async def per_chunk() -> AsyncIterator[AsyncConnection]:
                    async with connection.begin():
                        yield connection

                async with per_chunk():
                    await open_stage(connection)
                try:
                    return await _import(
                        sheet,
                        tenant=tenant,
                        unit_of_work=per_chunk,
                        on_progress=on_progress,
                        memory=FileMemory(memory_limit),
                    )
                finally:
                    # The connection goes back to the pool; a failed drop is redone on next use.
                    with suppress(SQLAlchemyError):
                        async with per_chunk():
                            await close_stage(connection)
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
    rejected_rows: list[RejectedRow] = field(default_factory=list)

    def add(self, chunk: Chunk, written: Written) -> None:
        rejected = chunk.rejections(written.duplicates)
        self.rows += chunk.rows
        self.rejected += len(rejected)
        self.accepted += chunk.rows - len(rejected)
        room = MAX_LISTED_REJECTIONS - len(self.rejected_rows)
        self.rejected_rows.extend(rejected[:room])
        self.customers_created += written.customers_created
        self.customers_updated += written.customers_updated
        self.invoices_created += written.invoices_created
        self.invoices_updated += written.invoices_updated

    def report(self) -> ImportReport:
        return ImportReport(
            rows=self.rows,
            accepted=self.accepted,
            rejected=self.rejected,
            customers_created=self.customers_created,
            customers_updated=self.customers_updated,
            invoices_created=self.invoices_created,
            invoices_updated=self.invoices_updated,
            unchanged=self.accepted - self.invoices_created - self.invoices_updated,
            rejected_rows=self.rejected_rows,
            rejected_rows_truncated=self.rejected > len(self.rejected_rows),
        )


async def _import(
    sheet: Sheet,
    *,
    tenant: Tenant,
    unit_of_work: UnitOfWork,
    on_progress: Callable[[ImportProgress], None] | None,
    memory: FileMemory,
) -> ImportReport:
    validator = RowValidator(sheet, country=tenant.country, chunk_size=CHUNK_ROWS)
    tally = _Tally()
    now: datetime = utcnow()
    upcoming = asyncio.ensure_future(asyncio.to_thread(validator.next_chunk))
    try:
        while (chunk := await upcoming) is not None:
            # Validation of the next chunk touches only the validator's state and the file, so
            # it can run while this chunk is in the database.
            upcoming = asyncio.ensure_future(asyncio.to_thread(validator.next_chunk))
            settled = memory.settle(chunk)
            async with unit_of_work() as connection:
                written = await write_chunk(connection, settled, tenant_id=tenant.id, now=now)
            tally.add(chunk, written)
            if on_progress is not None:
                on_progress(ImportProgress(rows=tally.rows, done=chunk.done, total=chunk.total))
    finally:
        if not upcoming.done():
            # A thread cannot be cancelled; let it finish before the file is closed under it.
            await asyncio.gather(upcoming, return_exceptions=True)
    return tally.report()
