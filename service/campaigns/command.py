"""What `cobro campaign run` and `cobro campaign list` do, apart from printing.

A run started here is the same run the API starts (one per campaign and day, its plan job
enqueued); this process plans it at once, the worker dispatches and sends it through the queue,
and the command follows the run's counts until nothing is left to send now.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import col

from service.campaigns import runner
from service.campaigns import service as campaigns
from service.campaigns.models import Campaign, CampaignRun, RunStatus
from service.campaigns.schemas import RunPublic
from service.errors import NotFound
from service.queue import HEALTH_CHECK_KEY
from service.runtime import Runtime
from service.tenancy.models import Tenant
from service.threads.models import Message, MessageStatus
from service.types import utcnow

_OVER = {RunStatus.completed, RunStatus.cancelled, RunStatus.failed, RunStatus.paused}


@dataclass(frozen=True)
class Started:
    run_id: uuid.UUID
    created: bool
    campaign: str


@dataclass(frozen=True)
class Progress:
    report: RunPublic
    settled: int  # sent, delivered, failed or skipped
    total: int
    later: int  # waiting for a later send window or retry
    next_window: datetime | None

    @property
    def done(self) -> bool:
        waiting_now = self.report.counts.queued - self.later
        return self.report.status in _OVER or (
            self.report.status != RunStatus.planning and waiting_now <= 0
        )


def context(runtime: Runtime) -> runner.Context:
    return runner.Context(
        database=runtime.database, settings=runtime.settings, templates=runtime.templates
    )


async def start(
    runtime: Runtime, *, campaign_id: uuid.UUID, dry_run: bool, as_of: date | None
) -> Started:
    """Start (or find) the run and plan it in this process. Raises NotFound or Conflict."""
    async with runtime.database.transaction() as session:
        campaign = await session.get(Campaign, campaign_id)
        tenant = await session.get(Tenant, campaign.tenant_id) if campaign else None
        if campaign is None or tenant is None:
            raise NotFound(f"no campaign {campaign_id}")
        run, created = await campaigns.start_run(
            session, tenant=tenant, campaign=campaign, as_of=as_of, dry_run=dry_run,
            idempotency_key=None,
        )  # fmt: skip
        name = campaign.name
    # The worker may take the plan job first; planning twice is refused under the run's lock.
    await runner.plan(context(runtime), run_id=run.id)
    return Started(run_id=run.id, created=created, campaign=name)


async def worker_alive(runtime: Runtime) -> bool:
    return await runtime.queue.pool.get(HEALTH_CHECK_KEY) is not None


async def progress(runtime: Runtime, *, run_id: uuid.UUID) -> Progress:
    now = utcnow()
    async with runtime.database.transaction() as session:
        run = await session.get(CampaignRun, run_id)
        if run is None:
            raise NotFound(f"no run {run_id}")
        report = await campaigns.run_report(session, run=run)
        later, next_window = (
            await session.execute(
                select(func.count(), func.min(col(Message.send_after))).where(
                    col(Message.tenant_id) == run.tenant_id,
                    col(Message.run_id) == run.id,
                    # Waiting for a send window, or for a retry after a provider's hiccup.
                    col(Message.status).in_([MessageStatus.planned, MessageStatus.queued]),
                    col(Message.send_after) > now,
                )
            )
        ).one()
    counts = report.counts
    return Progress(
        report=report,
        settled=counts.sent + counts.delivered + counts.failed + counts.skipped,
        total=counts.planned + counts.skipped,
        later=int(later or 0),
        next_window=next_window,
    )


async def follow(
    runtime: Runtime,
    *,
    run_id: uuid.UUID,
    on_progress: Callable[[Progress], None],
    poll_seconds: float = 0.5,
) -> Progress:
    """Report the run's counts until nothing is left to send now (what waits for a later send
    window goes out then, with or without this command)."""
    while True:
        current = await progress(runtime, run_id=run_id)
        on_progress(current)
        if current.done:
            break
        await asyncio.sleep(poll_seconds)
    if current.report.status == RunStatus.sending and current.later == 0:
        await runner.settle(context(runtime), run_id=run_id)
        current = await progress(runtime, run_id=run_id)
    return current


@dataclass(frozen=True)
class Listed:
    id: uuid.UUID
    tenant: str
    name: str
    status: str
    steps: int
    schedule: str | None


async def listed(runtime: Runtime, *, tenant_id: uuid.UUID | None) -> list[Listed]:
    async with runtime.database.transaction() as session:
        query = (
            select(Campaign, col(Tenant.name))
            .join(Tenant, col(Tenant.id) == col(Campaign.tenant_id))
            .order_by(col(Tenant.name), col(Campaign.created_at))
        )
        if tenant_id is not None:
            query = query.where(col(Campaign.tenant_id) == tenant_id)
        rows = (await session.execute(query)).all()
    return [
        Listed(
            id=campaign.id,
            tenant=tenant_name,
            name=campaign.name,
            status=campaign.status,
            steps=len(campaign.steps),
            schedule=(
                f"{campaign.schedule_cron} ({campaign.schedule_timezone or 'UTC'})"
                if campaign.schedule_cron
                else None
            ),
        )
        for campaign, tenant_name in rows
    ]
