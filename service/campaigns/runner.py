"""Running campaigns in the background: planning a run, dispatching what is due, scheduling."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.campaigns import service as campaigns
from service.campaigns.defaults import rules_for
from service.campaigns.dispatch import dispatch_due
from service.campaigns.models import Campaign, CampaignRun, CampaignStatus, RunStatus
from service.campaigns.planner import plan_run
from service.config import Settings
from service.db import Database, enqueue_after_commit
from service.templating.service import TemplateCatalog
from service.tenancy.models import Tenant
from service.threads.models import Message, MessageStatus
from service.types import utcnow

DISPATCH_JOB = "dispatch_campaign_run"


@dataclass(frozen=True)
class Context:
    database: Database
    settings: Settings
    templates: TemplateCatalog


async def plan(context: Context, *, run_id: uuid.UUID, now: datetime | None = None) -> str:
    """Plan a run once; a repeated job (arq delivers at least once) finds it planned already."""
    moment = now or utcnow()
    async with context.database.transaction() as session:
        # Claim the run with an UPDATE, which locks it on either database (a row lock on
        # PostgreSQL, the write lock on SQLite): a second planner of the same run (the job
        # delivered twice, `cobro campaign run` beside a worker) waits, then finds it planned.
        claimed = await session.execute(
            update(CampaignRun)
            .where(col(CampaignRun.id) == run_id, col(CampaignRun.status) == RunStatus.planning)
            .values(status=RunStatus.planning)
            .execution_options(synchronize_session=False)
        )
        run = await session.get(CampaignRun, run_id) if _matched(claimed) else None
        if run is None:
            return "nothing to plan"
        campaign = await session.get(Campaign, run.campaign_id)
        tenant = await session.get(Tenant, run.tenant_id)
        if campaign is None or tenant is None:
            run.status = RunStatus.failed
            run.error = "campaign or tenant missing"
            return "failed"
        rules = await rules_for(session, campaign=campaign)
        summary = await plan_run(
            session, tenant=tenant, campaign=campaign, run=run, rules=rules, now=moment
        )
        run.skipped_invoices = summary.skipped_invoices
        run.planned_at = moment
        run.status = RunStatus.planned if run.dry_run else RunStatus.sending
        if not run.dry_run:
            enqueue_after_commit(session, DISPATCH_JOB, str(run.id), job_id=f"dispatch:{run.id}")
        return f"planned {summary.messages}, skipped {summary.skipped_customers} customers"


def _matched(result: object) -> bool:
    return int(getattr(result, "rowcount", 0) or 0) > 0


async def dispatch(context: Context, *, run_id: uuid.UUID, now: datetime | None = None) -> int:
    """Hand every due message of a sending run to the senders, batch by batch; close the run
    when nothing is left to send."""
    queued = 0
    while True:
        async with context.database.transaction() as session:
            run = await session.get(CampaignRun, run_id)
            if run is None or run.status != RunStatus.sending:
                return queued
            campaign = await session.get(Campaign, run.campaign_id)
            tenant = await session.get(Tenant, run.tenant_id)
            if campaign is None or tenant is None:
                return queued
            renderer = await context.templates.for_tenant(session, tenant_id=tenant.id)
            rules = await rules_for(session, campaign=campaign)
            batch = await dispatch_due(
                session, settings=context.settings, renderer=renderer, tenant=tenant,
                campaign=campaign, rules=rules, run=run, now=now,
            )  # fmt: skip
            queued += batch.queued
            if not batch.remaining:
                await _complete_if_done(session, run=run)
                return queued


async def settle(context: Context, *, run_id: uuid.UUID) -> None:
    """Close a sending run whose messages all went out, without waiting for the next tick."""
    async with context.database.transaction() as session:
        run = await session.get(CampaignRun, run_id)
        if run is not None and run.status == RunStatus.sending:
            await _complete_if_done(session, run=run)


async def _complete_if_done(session: AsyncSession, *, run: CampaignRun) -> None:
    waiting = await session.scalar(
        select(func.count()).where(
            col(Message.tenant_id) == run.tenant_id,
            col(Message.run_id) == run.id,
            col(Message.status).in_(
                [MessageStatus.planned, MessageStatus.queued, MessageStatus.sending]
            ),
        )
    )
    if not waiting:
        run.status = RunStatus.completed
        run.finished_at = utcnow()


async def tick(context: Context, *, now: datetime | None = None) -> int:
    """Every minute: dispatch sending runs whose messages came due (quiet hours ended), and
    close the ones that are done."""
    async with context.database.transaction() as session:
        run_ids = list(
            (
                await session.execute(
                    select(col(CampaignRun.id)).where(col(CampaignRun.status) == RunStatus.sending)
                )
            ).scalars()
        )
    total = 0
    for run_id in run_ids:
        total += await dispatch(context, run_id=run_id, now=now)
    return total


async def fire_schedules(context: Context, *, now: datetime | None = None) -> int:
    """Start the run of every scheduled campaign whose cron time has come (once per time)."""
    moment = now or utcnow()
    started = 0
    async with context.database.transaction() as session:
        scheduled = (
            await session.execute(
                select(Campaign).where(
                    col(Campaign.schedule_cron).is_not(None),
                    col(Campaign.status) == CampaignStatus.active,
                )
            )
        ).scalars()
        for campaign in scheduled:
            fired = campaigns.due_fire_time(campaign, now=moment)
            if fired is None:
                continue
            tenant = await session.get(Tenant, campaign.tenant_id)
            if tenant is None:
                continue
            _run, created = await campaigns.start_run(
                session, tenant=tenant, campaign=campaign, as_of=fired.date(),
                dry_run=False, idempotency_key=None,
            )  # fmt: skip
            campaign.last_scheduled_for = fired
            started += int(created)
    return started
