"""Consent rules: one record per (tenant, channel, address), checked before every send.

Every address is stored and compared in one form, :func:`normalize_address`: email in lower
case (mail systems treat local parts case-insensitively in practice, and a customer who writes
from ``Ana@Example.com`` has opted out ``ana@example.com`` too), SMS in E.164 without spaces,
the portal by customer id. Consent records, the suppression check before every send, the
campaign planner and inbound consent handling all compare through it (or, in SQL, through
:func:`normalized_column`), so an opt-out can never be missed for the way an address is written.
"""

from __future__ import annotations

import enum
import uuid
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.consent.models import ConsentRecord
from service.db import dialect_insert, table_of
from service.types import new_id, utcnow


class ConsentChannel(enum.StrEnum):
    email = "email"
    sms = "sms"
    portal = "portal"


def normalize_address(*, channel: str, address: str) -> str:
    """The one form of ``address`` on ``channel`` that Cobro stores and compares."""
    value = address.strip()
    if channel == ConsentChannel.email:
        return value.strip("<>").strip().lower()
    if channel == ConsentChannel.sms:
        return "".join(value.split())
    return value


def normalized_column(channel: str, column: ColumnElement[Any]) -> ColumnElement[Any]:
    """:func:`normalize_address` computed by the database, for a column holding addresses as
    written elsewhere (a customer's email). Phone columns hold E.164 already, as the ledger
    writes them."""
    if channel == ConsentChannel.email:
        return func.lower(func.trim(column))
    return column


def _address_clause(channel: str, address: str) -> ColumnElement[bool]:
    return col(ConsentRecord.address) == normalize_address(channel=channel, address=address)


async def find_record(
    session: AsyncSession, *, tenant_id: uuid.UUID, channel: str, address: str
) -> ConsentRecord | None:
    result = await session.execute(
        select(ConsentRecord)
        .where(
            col(ConsentRecord.tenant_id) == tenant_id,
            col(ConsentRecord.channel) == channel,
            _address_clause(channel, address),
        )
        .order_by(col(ConsentRecord.updated_at).desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def is_opted_out(
    session: AsyncSession, *, tenant_id: uuid.UUID, channel: str, address: str
) -> bool:
    """Whether ``address`` asked not to be contacted on ``channel`` by this tenant.

    Every sender calls this before sending. No record means consent was never withdrawn.
    """
    record = await find_record(session, tenant_id=tenant_id, channel=channel, address=address)
    return record is not None and record.opted_out


async def _set(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    channel: str,
    address: str,
    opted_out: bool,
    source: str,
    detail: str | None,
) -> tuple[ConsentRecord, bool]:
    """Write the record of (tenant, channel, address) in one statement that concurrent writers
    cannot both insert (``ON CONFLICT``), then settle its state under a row lock on PostgreSQL,
    so that of two requests at once (a STOP webhook and a provider's 21610, say) exactly one
    sees the change and has a confirmation sent."""
    normalized = normalize_address(channel=channel, address=address)
    source, detail = source[:64], detail[:500] if detail else None
    now = utcnow()
    table = table_of(ConsentRecord)
    inserted = (
        await session.execute(
            dialect_insert(session, table)
            .values(
                id=new_id(),
                tenant_id=tenant_id,
                channel=channel,
                address=normalized,
                opted_out=opted_out,
                source=source,
                detail=detail,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "channel", "address"])
            .returning(table.c.id)
        )
    ).scalar_one_or_none()
    if inserted is not None:
        record = await session.get(ConsentRecord, inserted)
        assert record is not None
        return record, True
    record = (
        await session.execute(
            select(ConsentRecord)
            .where(
                col(ConsentRecord.tenant_id) == tenant_id,
                col(ConsentRecord.channel) == channel,
                col(ConsentRecord.address) == normalized,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    changed = record.opted_out != opted_out
    record.opted_out = opted_out
    record.source = source
    record.detail = detail
    record.updated_at = now
    await session.flush()
    return record, changed


async def record_opt_out(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    channel: str,
    address: str,
    source: str,
    detail: str | None = None,
) -> tuple[ConsentRecord, bool]:
    """Withdraw consent for ``address`` on ``channel``; returns the record and whether it changed.

    ``source`` says where the request came from (``sms_keyword``, ``twilio_opt_out``,
    ``email_request``, ``bounce``, ``agent`` ...); ``detail`` keeps the words or status behind it.
    """
    return await _set(
        session,
        tenant_id=tenant_id,
        channel=channel,
        address=address,
        opted_out=True,
        source=source,
        detail=detail,
    )


async def record_opt_in(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    channel: str,
    address: str,
    source: str,
    detail: str | None = None,
) -> tuple[ConsentRecord, bool]:
    """Give consent back (START, UNSTOP, ALTA, or an agent's correction)."""
    return await _set(
        session,
        tenant_id=tenant_id,
        channel=channel,
        address=address,
        opted_out=False,
        source=source,
        detail=detail,
    )


async def list_records(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    channel: str | None = None,
    address: str | None = None,
    limit: int = 100,
) -> list[ConsentRecord]:
    query = select(ConsentRecord).where(col(ConsentRecord.tenant_id) == tenant_id)
    if channel is not None:
        query = query.where(col(ConsentRecord.channel) == channel)
        if address is not None:
            query = query.where(_address_clause(channel, address))
    elif address is not None:
        forms = {normalize_address(channel=channel, address=address) for channel in ConsentChannel}
        query = query.where(col(ConsentRecord.address).in_(forms))
    query = query.order_by(col(ConsentRecord.updated_at).desc()).limit(limit)
    return list((await session.execute(query)).scalars())
