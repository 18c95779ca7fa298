"""Addresses Cobro must not send to: opt-outs (consent) and addresses a provider called dead.

Both are keyed by tenant, channel and address in its one normalized form
(:func:`service.consent.service.normalize_address`) and read in bulk before every batch is
sent. Opt-outs are written by :func:`service.consent.service.record_opt_out`; unusable
addresses here, with an upsert so that concurrent webhooks and send jobs never collide.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.consent.models import ConsentRecord
from service.consent.service import normalize_address
from service.db import dialect_insert, table_of
from service.outreach.models import UnusableAddress
from service.types import utcnow


@dataclass(frozen=True, slots=True)
class AddressKey:
    tenant_id: uuid.UUID
    channel: str
    address: str


async def mark_unusable(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    channel: str,
    address: str,
    code: str | None,
    reason: str | None,
) -> None:
    """Record that ``address`` can never take ``channel`` (idempotent; the first reason stays)."""
    statement = dialect_insert(session, table_of(UnusableAddress)).values(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        channel=channel,
        address=normalize_address(channel=channel, address=address),
        code=code[:32] if code else None,
        reason=reason[:1000] if reason else None,
        created_at=utcnow(),
    )
    await session.execute(
        statement.on_conflict_do_nothing(index_elements=["tenant_id", "channel", "address"])
    )


async def blocked_addresses(
    session: AsyncSession, *, keys: Iterable[AddressKey]
) -> dict[AddressKey, str]:
    """Of ``keys``, those that must not be sent to, with the skip reason.

    ``opted_out`` wins over ``address_unusable``: it is the customer's own word.
    """
    wanted = {
        AddressKey(
            key.tenant_id, key.channel, normalize_address(channel=key.channel, address=key.address)
        )
        for key in keys
    }
    if not wanted:
        return {}
    tenants = sorted({key.tenant_id for key in wanted})
    addresses = sorted({key.address for key in wanted})
    blocked: dict[AddressKey, str] = {}
    for model, reason in ((UnusableAddress, "address_unusable"), (ConsentRecord, "opted_out")):
        for chunk in _chunks(addresses, 500):
            query = select(col(model.tenant_id), col(model.channel), col(model.address)).where(
                col(model.tenant_id).in_(tenants), col(model.address).in_(chunk)
            )
            if model is ConsentRecord:
                query = query.where(col(ConsentRecord.opted_out).is_(True))
            for tenant_id, channel, address in (await session.execute(query)).all():
                key = AddressKey(tenant_id, channel, address)
                if key in wanted:
                    blocked[key] = reason
    return blocked


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
