"""Contacts with a customer, across all campaigns and agents: what the minimum gap and the weekly
cap are measured against, at planning and again at send time.

- A contact is an outbound message that went out or is on its way: sent or delivered, with the
  senders (queued, sending), or, at planning, planned by another real run (two campaigns planned
  before the window opens must not both reach the customer).
- Its time is when it was sent, else when it is planned to go (`send_after`), else when it was
  written: not the moment a run planned it.
- A reminder on several channels, and its fallbacks, are one contact: one per run, while each
  message outside a run (an agent's reply) is one.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Table,
    Uuid,
    case,
    exists,
    func,
    insert,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.campaigns.models import CampaignRun
from service.campaigns.schemas import Rules
from service.threads.models import Direction, Message, MessageStatus
from service.types import UTCDateTime

HANDED_OVER = (
    MessageStatus.queued,
    MessageStatus.sending,
    MessageStatus.sent,
    MessageStatus.delivered,
)
WEEK = timedelta(days=7)
# A reminder goes out within days of its planning (quiet hours, a weekend, a paused run); one
# planned more than this before it was sent is not looked for, which keeps the look-up on the
# (tenant, customer, created_at) index.
PLANNED_AHEAD = timedelta(days=31)
CONTACTS = "cobro_plan_contacts"


def contact_time() -> ColumnElement[datetime]:
    return func.coalesce(col(Message.sent_at), col(Message.send_after), col(Message.created_at))


def _contact_key() -> ColumnElement[uuid.UUID]:
    return func.coalesce(col(Message.run_id), col(Message.id))


def _is_contact(
    *, tenant_id: uuid.UUID, since: datetime, run_id: uuid.UUID, with_planned: bool
) -> list[ColumnElement[bool]]:
    statuses = [*HANDED_OVER, MessageStatus.planned] if with_planned else list(HANDED_OVER)
    conditions = [
        col(Message.tenant_id) == tenant_id,
        col(Message.customer_id).is_not(None),
        col(Message.direction) == Direction.outbound,
        col(Message.status).in_(statuses),
        col(Message.created_at) >= since - PLANNED_AHEAD,
        contact_time() >= since,
        or_(col(Message.run_id).is_(None), col(Message.run_id) != run_id),
    ]
    if with_planned:
        # A dry run's messages are planned too, and never go out.
        real_run = exists().where(
            col(CampaignRun.id) == col(Message.run_id), col(CampaignRun.dry_run).is_(False)
        )
        conditions.append(or_(col(Message.status) != MessageStatus.planned, real_run))
    return conditions


def _window_start(now: datetime, rules: Rules) -> datetime:
    return min(now - WEEK, now - timedelta(hours=rules.min_gap_hours))


async def contacts_table(
    session: AsyncSession, *, tenant_id: uuid.UUID, run_id: uuid.UUID, rules: Rules, now: datetime
) -> Table:
    """Each customer's latest contact and its contacts from a week ago on (later ones, planned,
    included), computed once before the planner writes its own rows."""
    table = Table(
        CONTACTS,
        MetaData(),
        Column("customer_id", Uuid()),
        Column("last_contact", UTCDateTime()),
        Column("recent", Integer),
        prefixes=["TEMPORARY"],
    )
    await session.execute(text(f"DROP TABLE IF EXISTS {CONTACTS}"))
    await session.run_sync(lambda sync: table.create(sync.connection()))
    at = contact_time()
    recent = func.count(case((at >= now - WEEK, _contact_key()), else_=null()).distinct())
    stats = (
        select(col(Message.customer_id), func.max(at), recent)
        .where(
            *_is_contact(
                tenant_id=tenant_id, since=_window_start(now, rules), run_id=run_id,
                with_planned=True,
            )
        )
        .group_by(col(Message.customer_id))
    )  # fmt: skip
    await session.execute(
        insert(table).from_select(["customer_id", "last_contact", "recent"], stats)
    )
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text(f"CREATE INDEX ON {CONTACTS} (customer_id)"))
        await session.execute(text(f"ANALYZE {CONTACTS}"))
    return table


def held_by_contacts_sql(
    contacts: Table, *, gap_floor: ColumnElement[Any], rules: Rules
) -> ColumnElement[Any]:
    """The planner's reason to hold a customer back: a contact closer than the gap to this
    reminder's send time (`gap_floor` is that time less the gap), or the week's cap reached."""
    branches: list[tuple[ColumnElement[bool], str]] = []
    if rules.min_gap_hours:
        branches.append((contacts.c.last_contact > gap_floor, "min_gap"))
    branches.append(
        (func.coalesce(contacts.c.recent, 0) >= rules.max_contacts_per_7_days, "max_contacts")
    )
    return case(*branches, else_=null())


@dataclass
class History:
    """A customer's contacts around a send time: their times, one per contact."""

    times: dict[uuid.UUID, datetime] = field(default_factory=dict)

    def add(self, key: uuid.UUID, at: datetime) -> None:
        self.times[key] = max(at, self.times.get(key, at))

    def reason_at(self, moment: datetime, rules: Rules) -> str | None:
        if rules.min_gap_hours and any(
            at > moment - timedelta(hours=rules.min_gap_hours) for at in self.times.values()
        ):
            return "min_gap"
        if sum(at > moment - WEEK for at in self.times.values()) >= rules.max_contacts_per_7_days:
            return "max_contacts"
        return None


async def histories(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    customer_ids: Iterable[uuid.UUID],
    run_id: uuid.UUID,
    rules: Rules,
    now: datetime,
) -> dict[uuid.UUID, History]:
    """At send time: the contacts other than this run's that went out or are with the senders,
    for the customers about to be contacted."""
    ids = set(customer_ids)
    found: dict[uuid.UUID, History] = defaultdict(History)
    if not ids:
        return found
    rows = await session.execute(
        select(col(Message.customer_id), _contact_key(), contact_time()).where(
            *_is_contact(
                tenant_id=tenant_id, since=_window_start(now, rules), run_id=run_id,
                with_planned=False,
            ),
            col(Message.customer_id).in_(ids),
        )
    )  # fmt: skip
    for customer_id, key, at in rows:
        if customer_id is not None:
            found[customer_id].add(key, at)
    return found
