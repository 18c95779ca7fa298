"""Planning a campaign run with set-based SQL: no Python loop per invoice or per customer.

1. Every open invoice whose days past due fall in a step is either eligible or left out for a
   reason (in dispute, under a promise, below the minimum balance, reminded by that step
   already); the counts go to the run.
2. Eligible invoices are consolidated per customer: one reminder at the customer's most advanced
   step, listing all its eligible invoices.
3. Each customer gets a message row on the first reachable channel of that step (or one per
   channel when the step sends on all), with the send time moved out of quiet hours in the
   customer's time zone, or a skipped row saying why not (legal hold, no reachable channel, too
   soon after the last contact, too many contacts this week ...).
4. A real run logs each reminded invoice per step, so that no step reminds an invoice twice.

Rows are written unrendered (status planned): rendering happens just before sending, when the
send-time checks run too.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Date,
    Integer,
    MetaData,
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

from service.campaigns.models import Campaign, CampaignRun, ReminderLog
from service.campaigns.schemas import Rules, Step
from service.campaigns.windows import next_send_time
from service.consent.models import ConsentRecord
from service.ledger.models import Customer, CustomerStatus, Invoice, InvoiceStatus
from service.tenancy.models import Tenant
from service.threads.models import Direction, Message, MessageStatus
from service.types import UTCDateTime

CONTACT_STATUSES = (
    MessageStatus.queued,
    MessageStatus.sending,
    MessageStatus.sent,
    MessageStatus.delivered,
)
_CANDIDATES = "cobro_plan_candidates"
_CONTACTS = "cobro_plan_contacts"


@dataclass(frozen=True)
class PlanSummary:
    messages: int
    skipped_customers: int
    skipped_invoices: dict[str, int]


def _new_uuid(dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.gen_random_uuid()
    # SQLAlchemy keeps UUIDs on SQLite as 32 lowercase hex characters.
    return func.lower(func.hex(func.randomblob(16)))


def _json_array(dialect: str, value: ColumnElement[Any]) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.json_agg(value)
    return func.json_group_array(value)


def _json_literal(dialect: str, value: Sequence[str] | dict[str, str]) -> ColumnElement[Any]:
    rendered = literal(json.dumps(value))
    # SQLite keeps JSON as text; a CAST there would turn it into a number.
    return cast(rendered, JSON) if dialect == "postgresql" else rendered


def _step_case(steps: Sequence[Step], as_of: date) -> ColumnElement[Any]:
    due_on = col(Invoice.due_on)
    return case(
        *[
            (
                and_(
                    due_on >= as_of - timedelta(days=step.max_days_past_due),
                    due_on <= as_of - timedelta(days=step.min_days_past_due),
                ),
                index,
            )
            for index, step in enumerate(steps)
        ],
        else_=null(),
    )


def _by_step(step_index: ColumnElement[Any], values: Sequence[Any]) -> ColumnElement[Any]:
    return case(*[(step_index == index, value) for index, value in enumerate(values)])


def _opted_out(tenant_id: uuid.UUID, channel: str, address: Any) -> ColumnElement[bool]:
    return exists().where(
        col(ConsentRecord.tenant_id) == tenant_id,
        col(ConsentRecord.channel) == channel,
        col(ConsentRecord.address) == address,
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


async def _candidates_table(
    session: AsyncSession, *, tenant: Tenant, campaign: Campaign, run: CampaignRun
) -> tuple[Table, dict[str, int]]:
    """Materialize eligible invoices into a temporary table; count the others by reason."""
    steps = [Step.model_validate(step) for step in campaign.steps]
    rules = Rules.model_validate(campaign.rules)
    step_index = _step_case(steps, run.as_of)
    already = exists().where(
        col(ReminderLog.campaign_id) == campaign.id,
        col(ReminderLog.invoice_id) == col(Invoice.id),
        col(ReminderLog.step) == _by_step(step_index, [step.name for step in steps]),
    )
    reason = case(
        (col(Invoice.disputed).is_(True), "in_dispute"),
        (col(Invoice.promised_until) >= run.as_of, "promise_to_pay"),
        (col(Invoice.balance) < rules.min_balance, "below_min_balance"),
        (already, "already_reminded"),
        else_="eligible",
    ).label("reason")
    in_scope = and_(
        col(Invoice.tenant_id) == tenant.id,
        col(Invoice.status) == InvoiceStatus.open,
        col(Invoice.balance) > 0,
        step_index.is_not(None),
    )
    counted = await session.execute(select(reason, func.count()).where(in_scope).group_by(reason))
    skipped = {str(name): int(count) for name, count in counted if name != "eligible"}

    table = Table(
        _CANDIDATES,
        MetaData(),
        Column("invoice_id", Uuid()),
        Column("customer_id", Uuid()),
        Column("number", String(128)),
        Column("due_on", Date),
        Column("step_index", Integer),
        prefixes=["TEMPORARY"],
    )
    await session.execute(text(f"DROP TABLE IF EXISTS {_CANDIDATES}"))
    await session.run_sync(lambda sync: table.create(sync.connection()))
    eligible = (
        select(
            col(Invoice.id), col(Invoice.customer_id), col(Invoice.number), col(Invoice.due_on),
            step_index,
        )
        .where(in_scope, reason == "eligible")
        .order_by(col(Invoice.due_on), col(Invoice.number))
    )  # fmt: skip
    await session.execute(
        insert(table).from_select(
            ["invoice_id", "customer_id", "number", "due_on", "step_index"], eligible
        )
    )
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text(f"CREATE INDEX ON {_CANDIDATES} (customer_id)"))
        await session.execute(text(f"ANALYZE {_CANDIDATES}"))
    return table, skipped


async def _contacts_table(
    session: AsyncSession, *, tenant: Tenant, rules: Rules, now: datetime
) -> Table:
    """Each customer's last contact and contacts of the past week, computed once up front.

    Computed inside the INSERT, the look-ups would scan the rows that statement is adding.
    """
    table = Table(
        _CONTACTS,
        MetaData(),
        Column("customer_id", Uuid()),
        Column("last_contact", UTCDateTime()),
        Column("recent", Integer),
        prefixes=["TEMPORARY"],
    )
    await session.execute(text(f"DROP TABLE IF EXISTS {_CONTACTS}"))
    await session.run_sync(lambda sync: table.create(sync.connection()))
    week_ago = now - timedelta(days=7)
    since = min(week_ago, now - timedelta(hours=rules.min_gap_hours))
    recent = func.sum(case((col(Message.created_at) >= week_ago, 1), else_=0))
    stats = (
        select(col(Message.customer_id), func.max(col(Message.created_at)), recent)
        .where(
            col(Message.tenant_id) == tenant.id,
            col(Message.customer_id).is_not(None),
            col(Message.direction) == Direction.outbound,
            col(Message.status).in_(CONTACT_STATUSES),
            col(Message.created_at) >= since,
        )
        .group_by(col(Message.customer_id))
    )
    await session.execute(
        insert(table).from_select(["customer_id", "last_contact", "recent"], stats)
    )
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text(f"CREATE INDEX ON {_CONTACTS} (customer_id)"))
        await session.execute(text(f"ANALYZE {_CONTACTS}"))
    return table


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
    now: datetime,
) -> PlanSummary:
    """Write the run's message rows (planned or skipped) and, for a real run, its reminder log."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # The plan's many CASE branches look expensive enough to PostgreSQL to JIT-compile them,
        # which costs seconds, far more than running the statements.
        await session.execute(text("SET LOCAL jit = off"))
    steps = [Step.model_validate(step) for step in campaign.steps]
    rules = Rules.model_validate(campaign.rules)
    candidates, skipped_invoices = await _candidates_table(
        session, tenant=tenant, campaign=campaign, run=run
    )
    cand = candidates.c
    per_customer = (
        select(
            cand.customer_id.label("customer_id"),
            # Consolidation: the customer's most advanced step carries all its invoices.
            func.max(cand.step_index).label("step_index"),
            _json_array(dialect, cand.number).label("numbers"),
        )
        .group_by(cand.customer_id)
        .subquery("per_customer")
    )

    contacts = await _contacts_table(session, tenant=tenant, rules=rules, now=now)
    last_contact = contacts.c.last_contact
    recent_contacts = func.coalesce(contacts.c.recent, 0)
    # One pass over the customers computes what every later expression needs: reachability
    # per channel and the reasons that do not depend on the channel.
    base = (
        select(
            per_customer.c.customer_id,
            per_customer.c.step_index,
            per_customer.c.numbers,
            col(Customer.language).label("language"),
            col(Customer.email).label("email"),
            col(Customer.phone).label("phone"),
            func.coalesce(col(Customer.timezone), tenant.timezone).label("zone"),
            _reachable(tenant.id, "email").label("email_ok"),
            _reachable(tenant.id, "sms").label("sms_ok"),
            case(
                (col(Customer.status) != CustomerStatus.active, cast(col(Customer.status), String)),
                (_tag_excluded(rules.exclude_tags), "excluded_tag"),
                (last_contact > now - timedelta(hours=rules.min_gap_hours), "min_gap"),
                (recent_contacts >= rules.max_contacts_per_7_days, "max_contacts"),
                else_=null(),
            ).label("held"),
        )
        .select_from(per_customer)
        .join(Customer, col(Customer.id) == per_customer.c.customer_id)
        .join(contacts, contacts.c.customer_id == per_customer.c.customer_id, isouter=True)
        .subquery("base")
    )
    b = base.c
    step_index = b.step_index

    def ok(channel: str) -> ColumnElement[bool]:
        if channel == "email":
            return b.email_ok.is_(True)
        if channel == "sms":
            return b.sms_ok.is_(True)
        return literal(True)

    def first_reachable(channels: Sequence[str]) -> ColumnElement[Any]:
        return case(*[(ok(c), c) for c in channels], else_=null())

    primary = _by_step(step_index, [first_reachable(step.channels) for step in steps])
    choice = select(
        *base.c, primary.label("primary"),
        case(
            (b.held.is_not(None), b.held),
            (primary.is_(None), "no_reachable_channel"),
            else_=null(),
        ).label("skip"),
    ).subquery("choice")  # fmt: skip
    c = choice.c

    zones = (await session.execute(select(c.zone).distinct())).scalars()
    send_times = {name: next_send_time(now, zone=name, rules=rules) for name in zones}
    send_after: ColumnElement[Any] = literal(now, UTCDateTime)
    if send_times:
        send_after = case(
            *[(c.zone == name, literal(at, UTCDateTime)) for name, at in send_times.items()],
            else_=literal(now, UTCDateTime),
        )

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
            _by_step(c.step_index, [s.template for s in steps]),
            _by_step(c.step_index, [s.name for s in steps]),
            address,
            literal(""),
            _json_literal(dialect, {}),
            c.numbers,
            status,
            c.skip,
            fallbacks,
            literal(0),
            send_after,
            literal(now, UTCDateTime),
            literal(now, UTCDateTime),
        ).select_from(choice)

    first_listed = _by_step(c.step_index, [s.channels[0] for s in steps])
    primary_rows = rows(
        func.coalesce(c.primary, first_listed),
        _fallbacks(dialect, steps, c.step_index, c.primary),
        case(
            (c.skip.is_(None), MessageStatus.planned.value),
            else_=MessageStatus.skipped.value,
        ),
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
            ).where(c.step_index == index, c.skip.is_(None), ok(extra), c.primary != extra)
            result = await session.execute(
                insert(Message).from_select(_MESSAGE_COLUMNS, extra_rows)
            )
            planned += max(getattr(result, "rowcount", 0), 0)
    await session.execute(text(f"DROP TABLE IF EXISTS {_CANDIDATES}"))
    await session.execute(text(f"DROP TABLE IF EXISTS {_CONTACTS}"))
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
            _by_step(cand.step_index, [s.name for s in steps]),
            cand.invoice_id,
            col(Message.id),
            literal(now, UTCDateTime),
        )
        .select_from(candidates)
        .join(
            Message,
            and_(
                col(Message.run_id) == run.id,
                col(Message.customer_id) == cand.customer_id,
                col(Message.status) == MessageStatus.planned,
            ),
        )
    )
    await session.execute(
        insert(ReminderLog).from_select(
            ["id", "tenant_id", "campaign_id", "step", "invoice_id", "message_id", "created_at"],
            rows,
        )
    )


__all__ = ["PlanSummary", "plan_run"]
