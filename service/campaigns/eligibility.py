"""Which invoices a run reminds, and why the others are left out: one statement over the invoices.

Every open invoice whose days past due fall in a step is a candidate. A candidate is left out,
in this order of precedence, when it is in dispute, under a promise to pay, below the minimum
balance (counted per customer and currency, see `Rules.min_balance`), or reminded by its step
already. The candidates go to a temporary table with their reason (none when eligible), from
which the planner builds one row per customer.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
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

from service.campaigns.models import CampaignRun, ReminderLog
from service.campaigns.schemas import Rules, Step
from service.ledger.models import Invoice, InvoiceStatus

# Invoice-level reasons, most telling first: when none of a customer's invoices is eligible,
# the customer is skipped with the first of its invoices' reasons.
INVOICE_REASONS = ("in_dispute", "promise_to_pay", "below_min_balance", "already_reminded")
CANDIDATES = "cobro_plan_candidates"


def ordered(steps: Sequence[dict[str, Any]]) -> list[Step]:
    """The campaign's steps from the earliest to the most advanced, however they were stored."""
    return sorted((Step.model_validate(step) for step in steps), key=lambda s: s.min_days_past_due)


def under_promise(promised_until: date | None, day: date) -> bool:
    """An invoice under a promise rests up to and including `promised_until`, which already
    holds the tenant's grace days; the day after, it is reminded again."""
    return promised_until is not None and day <= promised_until


def _under_promise_sql(day: date) -> ColumnElement[bool]:
    # The same rule as under_promise(), in SQL.
    return col(Invoice.promised_until) >= day


def step_case(steps: Sequence[Step], as_of: date) -> ColumnElement[Any]:
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


def by_step(step_index: ColumnElement[Any], values: Sequence[Any]) -> ColumnElement[Any]:
    return case(*[(step_index == index, value) for index, value in enumerate(values)])


def reason_rank(reason: ColumnElement[Any]) -> ColumnElement[Any]:
    return case(*[(reason == name, rank) for rank, name in enumerate(INVOICE_REASONS)])


def reason_of_rank(rank: ColumnElement[Any]) -> ColumnElement[Any]:
    return case(*[(rank == index, name) for index, name in enumerate(INVOICE_REASONS)])


def _reason(
    *, steps: Sequence[Step], rules: Rules, campaign_id: uuid.UUID, as_of: date
) -> ColumnElement[Any]:
    step_index = step_case(steps, as_of)
    already = exists().where(
        col(ReminderLog.campaign_id) == campaign_id,
        col(ReminderLog.invoice_id) == col(Invoice.id),
        col(ReminderLog.step) == by_step(step_index, [step.name for step in steps]),
    )
    disputed = col(Invoice.disputed).is_(True)
    promised = _under_promise_sql(as_of)
    branches: list[tuple[ColumnElement[bool], str]] = [
        (disputed, "in_dispute"),
        (promised, "promise_to_pay"),
    ]
    if rules.min_balance > 0:
        # What the customer owes in that currency and may be asked for; computed only when a
        # minimum is set, since the window sorts every candidate.
        payable = case((or_(disputed, promised), 0), else_=col(Invoice.balance))
        owed = func.sum(payable).over(
            partition_by=(col(Invoice.customer_id), col(Invoice.currency))
        )
        branches.append((owed < rules.min_balance, "below_min_balance"))
    branches.append((already, "already_reminded"))
    return case(*branches, else_=null())


async def candidates_table(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    campaign_id: uuid.UUID,
    run: CampaignRun,
    steps: Sequence[Step],
    rules: Rules,
) -> tuple[Table, dict[str, int]]:
    """Materialize the run's candidate invoices with their reasons; count the left-out ones."""
    table = Table(
        CANDIDATES,
        MetaData(),
        Column("invoice_id", Uuid()),
        Column("customer_id", Uuid()),
        Column("number", String(128)),
        Column("due_on", Date),
        Column("step_index", Integer),
        Column("reason", String(32)),
        prefixes=["TEMPORARY"],
    )
    await session.execute(text(f"DROP TABLE IF EXISTS {CANDIDATES}"))
    await session.run_sync(lambda sync: table.create(sync.connection()))
    step_index = step_case(steps, run.as_of)
    candidates = (
        select(
            col(Invoice.id), col(Invoice.customer_id), col(Invoice.number), col(Invoice.due_on),
            step_index,
            _reason(steps=steps, rules=rules, campaign_id=campaign_id, as_of=run.as_of),
        )
        .where(
            col(Invoice.tenant_id) == tenant_id,
            col(Invoice.status) == InvoiceStatus.open,
            col(Invoice.balance) > 0,
            step_index.is_not(None),
        )
        # Reminders list a customer's invoices oldest first.
        .order_by(col(Invoice.due_on), col(Invoice.number))
    )  # fmt: skip
    await session.execute(
        insert(table).from_select(
            ["invoice_id", "customer_id", "number", "due_on", "step_index", "reason"], candidates
        )
    )
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text(f"CREATE INDEX ON {CANDIDATES} (customer_id)"))
        await session.execute(text(f"ANALYZE {CANDIDATES}"))
    counted = await session.execute(
        select(table.c.reason, func.count())
        .where(table.c.reason.is_not(None))
        .group_by(table.c.reason)
    )
    return table, {str(reason): int(count) for reason, count in counted}
