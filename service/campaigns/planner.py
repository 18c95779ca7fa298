"""Planning a campaign run with set-based SQL: no Python loop per invoice or per customer.

1. Every open invoice whose days past due fall in a step is a candidate, eligible or left out
   for a reason (eligibility.py); the counts go to the run.
2. Candidates are consolidated per customer: one reminder at the customer's most advanced
   step, listing all its eligible invoices.
3. Each customer considered gets a row: a message on the first reachable channel of that step
   (or one per channel when the step sends on all), its send time moved out of quiet hours in
   the customer's time zone; or a skipped row saying why not (legal hold, every invoice in
   dispute, no reachable channel, too soon after the last contact ...). A real run leaves out
   customers whose every invoice its steps reminded already: between two steps that is most
   customers every day, and the run's `skipped_invoices` counts them.
4. A real run logs each reminded invoice per step, so that no step reminds an invoice twice.

Rows are written unrendered (status planned): rendering happens just before sending, when the
send-time checks run too.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    String,
    Table,
    Uuid,
    and_,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    not_,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.campaigns.contacts import CONTACTS, contacts_table, held_by_contacts_sql
from service.campaigns.eligibility import (
    CANDIDATES,
    by_step,
    candidates_table,
    ordered,
    reason_of_rank,
    reason_rank,
)
from service.campaigns.models import Campaign, CampaignRun, ReminderLog
from service.campaigns.schemas import Rules, Step
from service.campaigns.windows import next_send_time
from service.consent.models import ConsentRecord
from service.consent.service import normalized_column
from service.db import time_ordered_uuid
from service.ledger.models import Customer, CustomerStatus
from service.tenancy.models import Tenant
from service.threads.models import Direction, Message, MessageStatus
from service.types import UTCDateTime


@dataclass(frozen=True)
class PlanSummary:
    messages: int
    skipped_customers: int
    skipped_invoices: dict[str, int]


def _new_uuid(dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return time_ordered_uuid()
    # SQLAlchemy keeps UUIDs on SQLite as 32 lowercase hex characters.
    return func.lower(func.hex(func.randomblob(16)))


def _json_array(dialect: str, value: ColumnElement[Any]) -> Any:
    if dialect == "postgresql":
        return func.json_agg(value)
    return func.json_group_array(value)


def _json_literal(dialect: str, value: Sequence[str] | dict[str, str]) -> ColumnElement[Any]:
    rendered = literal(json.dumps(value))
    # SQLite keeps JSON as text; a CAST there would turn it into a number.
    return cast(rendered, JSON) if dialect == "postgresql" else rendered


def _opted_out(tenant_id: uuid.UUID, channel: str, address: Any) -> ColumnElement[bool]:
    return exists().where(
        col(ConsentRecord.tenant_id) == tenant_id,
        col(ConsentRecord.channel) == channel,
        col(ConsentRecord.address) == normalized_column(channel, address),
        col(ConsentRecord.opted_out).is_(True),
    )


def _reachable(tenant_id: uuid.UUID, channel: str) -> ColumnElement[bool]:
    if channel == "email":
        return and_(
            col(Customer.email).is_not(None), not_(_opted_out(tenant_id, "email", Customer.email))
        )
    if channel == "sms":
        return and_(
            col(Customer.phone).is_not(None), not_(_opted_out(tenant_id, "sms", Customer.phone))
        )
    return literal(True)


def _tag_excluded(tags: Sequence[str]) -> ColumnElement[bool]:
    if not tags:
        return literal(False)
    as_text = cast(col(Customer.tags), String)
    # The JSON array is stored as text on both databases; a quoted tag inside it is a member.
    return or_(*[as_text.contains(json.dumps(tag), autoescape=True) for tag in tags])


def _per_zone(
    zone: ColumnElement[Any], values: dict[str, datetime], default: datetime
) -> ColumnElement[Any]:
    if not values:
        return literal(default, UTCDateTime)
    return case(
        *[(zone == name, literal(at, UTCDateTime)) for name, at in values.items()],
        else_=literal(default, UTCDateTime),
    )


def _per_customer(dialect: str, candidates: Table) -> Any:
    """One row per customer considered: its step, the invoices the reminder lists and, when
    none is eligible, the most telling reason its invoices were left out (and which they are)."""
    cand = candidates.c
    eligible = cand.reason.is_(None)
    has_eligible = func.count().filter(eligible) > 0
    return (
        select(
            cand.customer_id.label("customer_id"),
            # Consolidation: the customer's most advanced step carries all its invoices.
            func.coalesce(
                func.max(cand.step_index).filter(eligible), func.max(cand.step_index)
            ).label("step_index"),
            case(
                (has_eligible, _json_array(dialect, cand.number).filter(eligible)),
                else_=_json_array(dialect, cand.number).filter(not_(eligible)),
            ).label("numbers"),
            case(
                (has_eligible, null()), else_=reason_of_rank(func.min(reason_rank(cand.reason)))
            ).label("invoice_reason"),
        )
        .group_by(cand.customer_id)
        .subquery("per_customer")
    )


_MESSAGE_COLUMNS = [
    "id", "tenant_id", "customer_id", "run_id", "direction", "channel", "language", "template",
    "step", "to_address", "body", "headers", "invoice_numbers", "status", "skip_reason",
    "fallback_channels", "attempts", "send_after", "created_at", "updated_at",
]  # fmt: skip


async def plan_run(
    session: AsyncSession,
    *,
    tenant: Tenant,
    campaign: Campaign,
    run: CampaignRun,
    rules: Rules,
    now: datetime,
) -> PlanSummary:
    """Write the run's message rows (planned or skipped) and, for a real run, its reminder log.
    `rules` are the rules in force for the campaign (defaults.rules_for)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # The plan's many CASE branches look expensive enough to PostgreSQL to JIT-compile them,
        # which costs seconds, far more than running the statements.
        await session.execute(text("SET LOCAL jit = off"))
    steps = ordered(campaign.steps)
    candidates, skipped_invoices = await candidates_table(
        session, tenant_id=tenant.id, campaign_id=campaign.id, run=run, steps=steps, rules=rules
    )
    per_customer = _per_customer(dialect, candidates)
    contacts = await contacts_table(
        session, tenant_id=tenant.id, run_id=run.id, rules=rules, now=now
    )
    zone = func.coalesce(col(Customer.timezone), tenant.timezone)
    zones = (
        await session.execute(select(zone).where(col(Customer.tenant_id) == tenant.id).distinct())
    ).scalars()
    send_times = {name: next_send_time(now, zone=name, rules=rules) for name in {*zones}}
    gap = timedelta(hours=rules.min_gap_hours)
    # One pass over the customers computes what every later expression needs: reachability
    # per channel and the reasons that do not depend on the channel.
    base = (
        select(
            per_customer.c.customer_id,
            per_customer.c.step_index,
            per_customer.c.numbers,
            per_customer.c.invoice_reason,
            col(Customer.language).label("language"),
            col(Customer.email).label("email"),
            col(Customer.phone).label("phone"),
            zone.label("zone"),
            _reachable(tenant.id, "email").label("email_ok"),
            _reachable(tenant.id, "sms").label("sms_ok"),
            case(
                (col(Customer.status) != CustomerStatus.active, cast(col(Customer.status), String)),
                (_tag_excluded(rules.exclude_tags), "excluded_tag"),
                else_=null(),
            ).label("customer_reason"),
            held_by_contacts_sql(
                contacts,
                gap_floor=_per_zone(
                    zone, {name: at - gap for name, at in send_times.items()}, now - gap
                ),
                rules=rules,
            ).label("contact_reason"),
        )
        .select_from(per_customer)
        .join(Customer, col(Customer.id) == per_customer.c.customer_id)
        .join(contacts, contacts.c.customer_id == per_customer.c.customer_id, isouter=True)
        .subquery("base")
    )
    b = base.c

    def ok(channel: str, columns: Any) -> ColumnElement[bool]:
        if channel == "email":
            return columns.email_ok.is_(True)  # type: ignore[no-any-return]
        if channel == "sms":
            return columns.sms_ok.is_(True)  # type: ignore[no-any-return]
        return literal(True)

    def first_reachable(channels: Sequence[str]) -> ColumnElement[Any]:
        return case(*[(ok(name, b), name) for name in channels], else_=null())

    primary = by_step(b.step_index, [first_reachable(step.channels) for step in steps])
    choice = select(
        *base.c, primary.label("primary"),
        func.coalesce(
            b.customer_reason, b.invoice_reason, b.contact_reason,
            case((primary.is_(None), "no_reachable_channel"), else_=null()),
        ).label("skip"),
        _per_zone(b.zone, send_times, now).label("send_after"),
    ).subquery("choice")  # fmt: skip
    c = choice.c

    def rows(channel: ColumnElement[Any], fallbacks: ColumnElement[Any], status: Any) -> Any:
        address = case((channel == "email", c.email), (channel == "sms", c.phone), else_=null())
        return select(
            _new_uuid(dialect),
            literal(tenant.id, Uuid()),
            c.customer_id,
            literal(run.id, Uuid()),
            literal(Direction.outbound.value),
            channel,
            c.language,
            by_step(c.step_index, [s.template for s in steps]),
            by_step(c.step_index, [s.name for s in steps]),
            address,
            literal(""),
            _json_literal(dialect, {}),
            c.numbers,
            status,
            c.skip,
            fallbacks,
            literal(0),
            c.send_after,
            literal(now, UTCDateTime),
            literal(now, UTCDateTime),
        ).select_from(choice)

    first_listed = by_step(c.step_index, [s.channels[0] for s in steps])
    primary_rows = rows(
        func.coalesce(c.primary, first_listed),
        _fallbacks(dialect, steps, c.step_index, c.primary),
        case(
            (c.skip.is_(None), MessageStatus.planned.value),
            else_=MessageStatus.skipped.value,
        ),
    )
    if not run.dry_run:
        primary_rows = primary_rows.where(
            or_(c.invoice_reason.is_(None), c.invoice_reason != "already_reminded")
        )
    await session.execute(insert(Message).from_select(_MESSAGE_COLUMNS, primary_rows))
    counted = dict(
        (
            await session.execute(
                select(col(Message.status), func.count())
                .where(col(Message.tenant_id) == tenant.id, col(Message.run_id) == run.id)
                .group_by(col(Message.status))
            )
        ).all()
    )
    planned = int(counted.get(MessageStatus.planned, 0))
    skipped_customers = int(counted.get(MessageStatus.skipped, 0))
    if not run.dry_run:
        await _log_reminders(
            session, tenant=tenant, campaign=campaign, run=run, steps=steps, candidates=candidates,
            now=now,
        )  # fmt: skip
    for index, step in enumerate(steps):
        if not step.all_channels:
            continue
        for extra in step.channels:
            extra_rows = rows(
                literal(extra), _json_literal(dialect, []), literal(MessageStatus.planned.value)
            ).where(c.step_index == index, c.skip.is_(None), ok(extra, c), c.primary != extra)
            result = await session.execute(
                insert(Message).from_select(_MESSAGE_COLUMNS, extra_rows)
            )
            planned += max(getattr(result, "rowcount", 0), 0)
    await session.execute(text(f"DROP TABLE IF EXISTS {CANDIDATES}"))
    await session.execute(text(f"DROP TABLE IF EXISTS {CONTACTS}"))
    return PlanSummary(
        messages=planned, skipped_customers=skipped_customers, skipped_invoices=skipped_invoices
    )


def _fallbacks(
    dialect: str, steps: Sequence[Step], step_index: ColumnElement[Any], channel: ColumnElement[Any]
) -> ColumnElement[Any]:
    """The channels to fall back to, in order, after the chosen one fails."""
    branches = []
    for index, step in enumerate(steps):
        if step.all_channels:
            continue
        for position, listed in enumerate(step.channels):
            rest = list(step.channels[position + 1 :])
            branches.append(
                (and_(step_index == index, channel == listed), _json_literal(dialect, rest))
            )
    if not branches:
        return _json_literal(dialect, [])
    return case(*branches, else_=_json_literal(dialect, []))


async def _log_reminders(
    session: AsyncSession,
    *,
    tenant: Tenant,
    campaign: Campaign,
    run: CampaignRun,
    steps: Sequence[Step],
    candidates: Table,
    now: datetime,
) -> None:
    """One log row per reminded invoice and step, pointing at the customer's message (the run
    has exactly one planned row per customer at this point)."""
    dialect = session.get_bind().dialect.name
    cand = candidates.c
    rows = (
        select(
            _new_uuid(dialect),
            literal(tenant.id, Uuid()),
            literal(campaign.id, Uuid()),
            by_step(cand.step_index, [s.name for s in steps]),
            cand.invoice_id,
            col(Message.id),
            literal(now, UTCDateTime),
        )
        .select_from(candidates)
        .where(cand.reason.is_(None))
        .join(
            Message,
            and_(
                col(Message.run_id) == run.id,
                col(Message.customer_id) == cand.customer_id,
                col(Message.status) == MessageStatus.planned,
            ),
        )
        # In the order of the unique index (campaign, invoice, step), which it then fills
        # from one end instead of at random places.
        .order_by(cand.invoice_id)
    )
    await session.execute(
        insert(ReminderLog).from_select(
            ["id", "tenant_id", "campaign_id", "step", "invoice_id", "message_id", "created_at"],
            rows,
        )
    )


__all__ = ["PlanSummary", "plan_run"]
