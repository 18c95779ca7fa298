"""The database side of an import: each chunk goes to a stage table, and set-based statements
move it into the portfolio, on PostgreSQL and SQLite alike.

An import holds one connection and three temporary tables on it: the stage (the current chunk),
and, once a file outgrows `import_memory`, the invoice numbers it has shown (with the row that
showed each first) and the customers it has written, by which the database then settles chunks.
PostgreSQL receives a chunk by binary COPY, SQLite by executemany.

Writes are `INSERT ... SELECT FROM stage ... ON CONFLICT (tenant_id, key) DO UPDATE ... WHERE`:

- a customer is rewritten only when a detail differs (a blank cell keeps what is stored);
- an invoice is rewritten only when its row differs from the row last imported for it (the
  digest of `import_rows.invoice_digest`), so re-importing a file changes nothing, not even an
  invoice marked paid or written off through the API since. A row that does differ updates the
  invoice, and reopens it only when its currency, amount or balance differ from what Cobro holds
  (an export lists open receivables; a new figure for a closed invoice means it is open again).
  `updated_at` moves only when a value a user sees changes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Date,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.schema import CreateTable, DropTable

from service.db import time_ordered_uuid
from service.ledger.import_memory import Settled
from service.ledger.import_rows import STAGE_COLUMNS
from service.ledger.models import MONEY, Customer, CustomerStatus, Invoice, InvoiceStatus
from service.types import UTCDateTime, new_id

CUSTOMERS: Table = Customer.metadata.tables["customers"]
INVOICES: Table = Invoice.metadata.tables["invoices"]

# Temporary tables live on the import's connection only: never part of the models' schema.
_temporary = MetaData()
STAGE = Table(
    "cobro_import_stage",
    _temporary,
    Column("row", Integer, nullable=False),
    Column("number", Text, nullable=False),
    Column("valid", Boolean, nullable=False),
    *(Column(name, Text) for name in ("external_id", "name", "language", "locale", "timezone")),
    *(Column(name, Text) for name in ("email", "phone", "currency")),
    Column("amount", MONEY),
    Column("balance", MONEY),
    Column("issued_on", Date),
    Column("due_on", Date),
    Column("po_number", Text),
    Column("digest", Text),
    Column("first_row", Integer),
    Column("customer_first", Boolean),
    # SQLite has no UUID function: ids come with the rows there.
    Column("customer_new_id", Uuid),
    Column("invoice_new_id", Uuid),
    prefixes=["TEMPORARY"],
)
NUMBERS = Table(
    "cobro_import_numbers",
    _temporary,
    Column("number", Text, primary_key=True),
    Column("row", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)
WRITTEN_CUSTOMERS = Table(
    "cobro_import_customers",
    _temporary,
    Column("external_id", Text, primary_key=True),
    prefixes=["TEMPORARY"],
)
_TABLES = (STAGE, NUMBERS, WRITTEN_CUSTOMERS)
_COPIED = (*STAGE_COLUMNS, "customer_first")
_KEPT_WHEN_BLANK = ("language", "locale", "timezone", "email", "phone")


@dataclass(frozen=True)
class Written:
    """What one chunk did: rows rejected as repeats (row -> the row that first showed its
    number), customers created and updated, invoices created and updated."""

    duplicates: dict[int, int]
    customers_created: int
    customers_updated: int
    invoices_created: int
    invoices_updated: int


def _is_postgres(connection: AsyncConnection) -> bool:
    dialect = connection.dialect.name
    if dialect not in ("postgresql", "sqlite"):
        raise RuntimeError(f"imports support PostgreSQL and SQLite, not {dialect}")
    return dialect == "postgresql"


async def open_stage(connection: AsyncConnection) -> None:
    """Create the import's temporary tables (or empty those a failed import left behind)."""
    for table in _TABLES:
        await connection.execute(CreateTable(table, if_not_exists=True))
        await connection.execute(table.delete())


async def close_stage(connection: AsyncConnection) -> None:
    for table in _TABLES:
        await connection.execute(DropTable(table, if_exists=True))


async def write_chunk(
    connection: AsyncConnection, settled: Settled, *, tenant_id: uuid.UUID, now: datetime
) -> Written:
    """Stage a chunk; unless it was settled in memory, find its repeated invoice numbers and the
    rows that carry customer details; then write customers and invoices."""
    postgres = _is_postgres(connection)
    rows = settled.rows
    if postgres:
        # An import is idempotent: should the server crash right after a commit, re-importing
        # the file restores what was lost, so waiting for each chunk's WAL flush buys nothing.
        await connection.execute(text("SET LOCAL synchronous_commit = off"))
        # TRUNCATE, not DELETE: autovacuum never visits temporary tables, dead rows would pile up.
        await connection.execute(text(f"TRUNCATE {STAGE.name}"))
        driver: Any = (await connection.get_raw_connection()).driver_connection
        await driver.copy_records_to_table(STAGE.name, records=rows, columns=_COPIED)
    else:
        await connection.execute(STAGE.delete())
        if rows:
            await connection.execute(
                insert(STAGE),
                [
                    {
                        **dict(zip(_COPIED, staged, strict=True)),
                        "customer_new_id": new_id(),
                        "invoice_new_id": new_id(),
                    }
                    for staged in rows
                ],
            )
    shared = _Shared(tenant_id=tenant_id, now=now, postgres=postgres)
    if settled.in_memory:
        duplicates = settled.duplicates
        source = select(STAGE).where(STAGE.c.customer_first).subquery("firsts")
    else:
        duplicates = await _mark_duplicates(connection, postgres=postgres)
        source = _first_rows()
    customers = await connection.execute(_customers_statement(shared, source), shared.parameters)
    created = updated = 0
    for (created_at,) in customers:
        created, updated = (created + 1, updated) if created_at == now else (created, updated + 1)
    if not settled.in_memory:
        await connection.execute(_remember_customers(postgres=postgres))
    if settled.spilled is not None:
        await _spill(connection, settled.spilled, postgres=postgres)
    invoices = await connection.execute(_invoices_statement(shared), shared.parameters)
    invoices_created = invoices_updated = 0
    for created_at, updated_at in invoices:
        if created_at == now:
            invoices_created += 1
        elif updated_at == now:
            invoices_updated += 1
    return Written(
        duplicates=duplicates,
        customers_created=created,
        customers_updated=updated,
        invoices_created=invoices_created,
        invoices_updated=invoices_updated,
    )


async def _spill(
    connection: AsyncConnection,
    spilled: tuple[list[tuple[str, int]], list[tuple[str]]],
    *,
    postgres: bool,
) -> None:
    """What the file has shown so far, into the tables the database settles later chunks by."""
    numbers, customers = spilled
    if postgres:
        driver: Any = (await connection.get_raw_connection()).driver_connection
        await driver.copy_records_to_table(NUMBERS.name, records=numbers, columns=("number", "row"))
        await driver.copy_records_to_table(
            WRITTEN_CUSTOMERS.name, records=customers, columns=("external_id",)
        )
        return
    await connection.execute(
        insert(NUMBERS), [{"number": number, "row": row} for number, row in numbers]
    )
    await connection.execute(
        insert(WRITTEN_CUSTOMERS), [{"external_id": external_id} for (external_id,) in customers]
    )


async def _mark_duplicates(connection: AsyncConnection, *, postgres: bool) -> dict[int, int]:
    """Claim the chunk's invoice numbers for their first rows; return the rows that come later."""
    stage = STAGE.c
    firsts = (
        select(stage.number, func.min(stage.row)).where(stage.number != "").group_by(stage.number)
    )
    claim = _insert(postgres, NUMBERS).from_select(["number", "row"], firsts)
    await connection.execute(claim.on_conflict_do_nothing(index_elements=["number"]))
    # A look-up per row through the numbers' primary key; a join would scan them all.
    first = select(NUMBERS.c.row).where(NUMBERS.c.number == stage.number).scalar_subquery()
    marked = await connection.execute(
        update(STAGE)
        .where(first != stage.row)
        .values(first_row=first)
        .returning(stage.row, stage.first_row)
    )
    return {row.row: row.first_row for row in marked}


def _insert(postgres: bool, table: Table) -> Any:
    return postgresql.insert(table) if postgres else sqlite.insert(table)


@dataclass(frozen=True)
class _Shared:
    tenant_id: uuid.UUID
    now: datetime
    postgres: bool

    @property
    def parameters(self) -> dict[str, Any]:
        return {"tenant_id": self.tenant_id, "now": self.now}

    def tenant(self) -> ColumnElement[Any]:
        return bindparam("tenant_id", type_=CUSTOMERS.c.tenant_id.type)

    def timestamp(self) -> ColumnElement[Any]:
        return bindparam("now", type_=UTCDateTime())

    def new_id(self, staged: ColumnElement[Any]) -> ColumnElement[Any]:
        return time_ordered_uuid() if self.postgres else staged


def _accepted() -> ColumnElement[bool]:
    return and_(STAGE.c.valid, STAGE.c.first_row.is_(None))


def _first_rows() -> Any:
    """Per customer of the chunk, its first accepted row."""
    stage = STAGE.c
    ranked = (
        select(
            stage.external_id,
            stage.name,
            *(stage[name] for name in _KEPT_WHEN_BLANK),
            stage.customer_new_id,
            func.row_number()
            .over(partition_by=stage.external_id, order_by=stage.row)
            .label("rank"),
        )
        .where(_accepted())
        .subquery("ranked")
    )
    return ranked


def _customers_statement(shared: _Shared, ranked: Any) -> Any:
    """Upsert the customers of `ranked`: per customer, the row that carries its details."""
    target = CUSTOMERS.c
    source = select(
        shared.new_id(ranked.c.customer_new_id),
        shared.tenant(),
        ranked.c.external_id,
        ranked.c.name,
        *(ranked.c[name] for name in _KEPT_WHEN_BLANK),
        literal([], CUSTOMERS.c.tags.type),
        literal(CustomerStatus.active.value),
        shared.timestamp(),
        shared.timestamp(),
    )
    if "rank" in ranked.c:
        source = source.where(
            ranked.c.rank == 1,
            # Written by an earlier chunk of this file: its first row has had its say.
            ~exists().where(WRITTEN_CUSTOMERS.c.external_id == ranked.c.external_id),
        )
    else:
        source = source.where(true())  # SQLite reads `FROM (...) ON CONFLICT` as a join
    names = ["id", "tenant_id", "external_id", "name", *_KEPT_WHEN_BLANK]
    statement = _insert(shared.postgres, CUSTOMERS).from_select(
        [*names, "tags", "status", "created_at", "updated_at"], source
    )
    excluded = statement.excluded
    kept = {name: func.coalesce(excluded[name], target[name]) for name in _KEPT_WHEN_BLANK}
    changed = or_(
        target.name.is_distinct_from(excluded.name),
        *(value.is_distinct_from(target[name]) for name, value in kept.items()),
    )
    return statement.on_conflict_do_update(
        index_elements=[target.tenant_id, target.external_id],
        set_={"name": excluded.name, **kept, "updated_at": excluded.updated_at},
        where=changed,
    ).returning(target.created_at)


def _remember_customers(*, postgres: bool) -> Any:
    ranked = _first_rows()
    remembered = select(ranked.c.external_id).where(ranked.c.rank == 1)
    return (
        _insert(postgres, WRITTEN_CUSTOMERS)
        .from_select(["external_id"], remembered)
        .on_conflict_do_nothing(index_elements=["external_id"])
    )


def _invoices_statement(shared: _Shared) -> Any:
    stage = STAGE.c
    target = INVOICES.c
    customers = CUSTOMERS.c
    # A look-up per row through the (tenant_id, external_id) index, written so that no planner
    # can choose otherwise: statistics of a table an import is filling are always stale, and
    # with a join PostgreSQL took the customers for a handful and compared every pair.
    customer_id = (
        select(customers.id)
        .where(customers.tenant_id == shared.tenant(), customers.external_id == stage.external_id)
        .scalar_subquery()
    )
    source = select(
        shared.new_id(stage.invoice_new_id),
        shared.tenant(),
        customer_id,
        stage.number,
        stage.currency,
        stage.amount,
        stage.balance,
        stage.issued_on,
        stage.due_on,
        stage.po_number,
        literal(InvoiceStatus.open.value),
        stage.digest,
        shared.timestamp(),
        shared.timestamp(),
    ).where(_accepted())
    names = ["id", "tenant_id", "customer_id", "number", "currency", "amount", "balance"]
    names += ["issued_on", "due_on", "po_number", "status", "import_digest"]
    statement = _insert(shared.postgres, INVOICES).from_select(
        [*names, "created_at", "updated_at"], source
    )
    excluded = statement.excluded
    po_number = func.coalesce(excluded.po_number, target.po_number)
    money = ("currency", "amount", "balance")
    money_differs = or_(*(target[name].is_distinct_from(excluded[name]) for name in money))
    status = case((money_differs, InvoiceStatus.open.value), else_=target.status)
    # What a user sees (the status moves only with the money, so it is covered).
    seen = or_(
        money_differs,
        *(
            target[name].is_distinct_from(excluded[name])
            for name in ("customer_id", "issued_on", "due_on")
        ),
        po_number.is_distinct_from(target.po_number),
    )
    set_ = {
        **{
            name: excluded[name]
            for name in ("customer_id", "currency", "amount", "balance", "issued_on", "due_on")
        },
        "po_number": po_number,
        "status": status,
        "import_digest": excluded.import_digest,
        "updated_at": case((seen, excluded.updated_at), else_=target.updated_at),
    }
    return statement.on_conflict_do_update(
        index_elements=[target.tenant_id, target.number],
        set_=set_,
        where=target.import_digest.is_distinct_from(excluded.import_digest),
    ).returning(target.created_at, target.updated_at)


__all__ = ["Written", "close_stage", "open_stage", "write_chunk"]
