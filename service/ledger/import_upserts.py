"""Set-based upserts of imported customers and invoices, on PostgreSQL and SQLite alike.

One `INSERT ... ON CONFLICT (tenant_id, key) DO UPDATE ... WHERE <something differs>` per chunk
(see `_execute` for how the rows travel): a row that would not change is not rewritten,
so its `updated_at` stays and re-importing a file is a no-op. A row the statement does not
return was left alone; of those it returns, PostgreSQL tells the inserted ones by `xmax = 0`
(no other transaction id touched them), SQLite by the keys that existed before the statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Table,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from service.ledger.import_rows import CustomerValues, InvoiceValues
from service.ledger.models import Customer, CustomerStatus, Invoice, InvoiceStatus
from service.types import new_id

CUSTOMERS: Table = Customer.metadata.tables["customers"]
INVOICES: Table = Invoice.metadata.tables["invoices"]

# Imported customer details that a blank cell leaves as they are (see import_rows).
_KEPT_WHEN_BLANK = ("language", "locale", "timezone", "email", "phone")
_INVOICE_FIELDS = ("customer_id", "currency", "amount", "balance", "issued_on", "due_on", "status")


@dataclass(frozen=True)
class Outcome:
    created: int
    updated: int
    unchanged: int


_INSERTED = literal_column("xmax = 0", Boolean)


def _is_postgres(session: AsyncSession) -> bool:
    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        raise RuntimeError(f"imports support PostgreSQL and SQLite, not {dialect}")
    return dialect == "postgresql"


async def _existing(
    session: AsyncSession, *, table: Table, key: str, tenant_id: uuid.UUID, values: Sequence[str]
) -> dict[str, uuid.UUID]:
    key_column = table.c[key]
    if _is_postgres(session):
        # A plan cached while the table was still empty scans it for each of the thousands of
        # keys (the import fills it meanwhile); planning every look-up afresh uses the index.
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    result = await session.execute(
        select(key_column, table.c.id).where(table.c.tenant_id == tenant_id, key_column.in_(values))
    )
    return {row[0]: row[1] for row in result}


@dataclass(frozen=True)
class _Upsert:
    """One chunk's upsert: per-row `columns`, values shared by every row, and the conflict rule."""

    table: Table
    key: str
    columns: dict[str, list[Any]]
    shared: dict[str, Any]
    update: Callable[[Any], tuple[dict[str, Any], ColumnElement[bool]]]
    returning: tuple[ColumnElement[Any], ...]


async def _execute(
    session: AsyncSession, upsert: _Upsert, *, postgres: bool
) -> list[tuple[Any, ...]]:
    """Run `upsert`; on PostgreSQL the first returned extra column says whether a row was new.

    PostgreSQL gets one `INSERT ... SELECT FROM unnest(arrays)`: a dozen parameters whatever the
    chunk size, encoded by asyncpg without per-value work in Python, and ids made by the server.
    SQLite gets an executemany that SQLAlchemy folds into multi-row VALUES.
    """
    target = upsert.table.c
    statement: Any
    if postgres:
        names = list(upsert.columns)
        arrays = (
            func.unnest(
                *(
                    bindparam(f"a_{name}", values, type_=postgresql.ARRAY(target[name].type))
                    for name, values in upsert.columns.items()
                )
            )
            .table_valued(*names)
            .render_derived()
        )
        shared = [
            bindparam(f"s_{name}", value, type_=target[name].type)
            for name, value in upsert.shared.items()
        ]
        source = select(func.gen_random_uuid(), *(arrays.c[name] for name in names), *shared)
        statement = postgresql.insert(upsert.table).from_select(
            ["id", *names, *upsert.shared], source
        )
        parameters: list[dict[str, Any]] | None = None
    else:
        statement = sqlite.insert(upsert.table)
        names = list(upsert.columns)
        parameters = [
            {"id": new_id(), **dict(zip(names, row, strict=True)), **upsert.shared}
            for row in zip(*upsert.columns.values(), strict=True)
        ]
    set_, changed = upsert.update(statement.excluded)
    statement = statement.on_conflict_do_update(
        index_elements=[target.tenant_id, target[upsert.key]], set_=set_, where=changed
    ).returning(*upsert.returning, *([_INSERTED] if postgres else []))
    return [tuple(row) for row in await session.execute(statement, parameters)]


async def upsert_customers(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    customers: Sequence[CustomerValues],
    now: datetime,
) -> tuple[dict[str, uuid.UUID], Outcome]:
    """Create or update `customers`; returns the id of each by external id, and the counts."""
    if not customers:
        return {}, Outcome(0, 0, 0)
    postgres = _is_postgres(session)
    external_ids = [customer["external_id"] for customer in customers]
    existing = (
        {}
        if postgres
        else await _existing(
            session, table=CUSTOMERS, key="external_id", tenant_id=tenant_id, values=external_ids
        )
    )
    target = CUSTOMERS.c

    def update(excluded: Any) -> tuple[dict[str, Any], ColumnElement[bool]]:
        kept: dict[str, ColumnElement[Any]] = {
            name: func.coalesce(excluded[name], target[name]) for name in _KEPT_WHEN_BLANK
        }
        changes = [target.name.is_distinct_from(excluded.name)]
        changes += [value.is_distinct_from(target[name]) for name, value in kept.items()]
        set_ = {"name": excluded.name, **kept, "updated_at": excluded.updated_at}
        return set_, or_(*changes)

    names = ("external_id", "name", *_KEPT_WHEN_BLANK)
    returned = await _execute(
        session,
        _Upsert(
            table=CUSTOMERS,
            key="external_id",
            columns={name: [customer[name] for customer in customers] for name in names},
            shared={
                "tenant_id": tenant_id,
                "tags": [],
                "status": CustomerStatus.active.value,
                "created_at": now,
                "updated_at": now,
            },
            update=update,
            returning=(target.external_id, target.id),
        ),
        postgres=postgres,
    )
    ids = {**existing, **{row[0]: row[1] for row in returned}}
    unchanged = [external_id for external_id in external_ids if external_id not in ids]
    if unchanged:
        ids.update(
            await _existing(
                session, table=CUSTOMERS, key="external_id", tenant_id=tenant_id, values=unchanged
            )
        )
    created = sum(1 for row in returned if (row[2] if postgres else row[0] not in existing))
    return ids, Outcome(
        created=created,
        updated=len(returned) - created,
        unchanged=len(customers) - len(returned),
    )


async def upsert_invoices(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    invoices: Sequence[InvoiceValues],
    customer_ids: Sequence[uuid.UUID],
    now: datetime,
) -> Outcome:
    """Create or update `invoices` as open invoices; `customer_ids` runs beside them."""
    if not invoices:
        return Outcome(0, 0, 0)
    postgres = _is_postgres(session)
    existing = (
        {}
        if postgres
        else await _existing(
            session,
            table=INVOICES,
            key="number",
            tenant_id=tenant_id,
            values=[invoice["number"] for invoice in invoices],
        )
    )
    target = INVOICES.c

    def update(excluded: Any) -> tuple[dict[str, Any], ColumnElement[bool]]:
        po_number = func.coalesce(excluded.po_number, target.po_number)
        changes = [target[name].is_distinct_from(excluded[name]) for name in _INVOICE_FIELDS]
        changes.append(po_number.is_distinct_from(target.po_number))
        set_ = {
            **{name: excluded[name] for name in _INVOICE_FIELDS},
            "po_number": po_number,
            "updated_at": excluded.updated_at,
        }
        return set_, or_(*changes)

    names = ("number", *(name for name in _INVOICE_FIELDS if name != "status"), "po_number")
    returned = await _execute(
        session,
        _Upsert(
            table=INVOICES,
            key="number",
            columns={
                name: (
                    list(customer_ids)
                    if name == "customer_id"
                    else [invoice[name] for invoice in invoices]
                )
                for name in names
            },
            shared={
                "tenant_id": tenant_id,
                "status": InvoiceStatus.open.value,
                "created_at": now,
                "updated_at": now,
            },
            update=update,
            returning=(target.number,),
        ),
        postgres=postgres,
    )
    created = sum(1 for row in returned if (row[1] if postgres else row[0] not in existing))
    return Outcome(
        created=created,
        updated=len(returned) - created,
        unchanged=len(invoices) - len(returned),
    )


__all__ = ["Outcome", "upsert_customers", "upsert_invoices"]
