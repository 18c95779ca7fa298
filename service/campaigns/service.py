"""Campaign rules: defining campaigns, starting idempotent runs, and reporting on them."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.campaigns.defaults import check_rules, known_rules, overrides_of
from service.campaigns.models import (
    Campaign,
    CampaignRun,
    CampaignStatus,
    ReminderLog,
    RunStatus,
)
from service.campaigns.schemas import (
    CampaignCreate,
    CampaignPublic,
    CampaignUpdate,
    Rules,
    RunCounts,
    RunPublic,
    Schedule,
    Step,
)
from service.db import enqueue_after_commit
from service.errors import Conflict, NotFound, Unprocessable
from service.ledger import normalize
from service.tenancy.clock import tenant_today
from service.tenancy.models import Tenant
from service.threads.models import Message, MessageStatus
from service.types import utcnow

PLAN_JOB = "plan_campaign_run"

DEFAULT_STEPS = [
    Step(name="courtesy", min_days_past_due=-5, max_days_past_due=-1, channels=["email", "sms"],
         template="upcoming_due"),
    Step(name="friendly", min_days_past_due=1, max_days_past_due=30, channels=["email", "sms"],
         template="reminder_friendly"),
    Step(name="firm", min_days_past_due=31, max_days_past_due=60, channels=["email", "sms"],
         template="reminder_firm"),
    Step(name="final", min_days_past_due=61, max_days_past_due=90,
         channels=["email", "sms", "portal"], template="final_notice"),
    Step(name="escalation", min_days_past_due=91, max_days_past_due=3650,
         channels=["email", "sms", "portal"], template="escalation_notice", opens_thread=True),
]  # fmt: skip


def ordered_steps(steps: list[Step]) -> list[Step]:
    """Steps from the earliest to the most advanced: the order consolidation relies upon."""
    return sorted(steps, key=lambda step: step.min_days_past_due)


def check_steps(steps: list[Step], *, templates: tuple[str, ...]) -> None:
    """Refuse overlapping day ranges, duplicate names and unknown templates with clear reasons."""
    names = [step.name for step in steps]
    if len(set(names)) != len(names):
        raise Unprocessable("steps: two steps share a name")
    ordered = ordered_steps(steps)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.min_days_past_due <= before.max_days_past_due:
            raise Unprocessable(
                f"steps: {before.name!r} ({before.min_days_past_due}..{before.max_days_past_due}) "
                f"overlaps {after.name!r} ({after.min_days_past_due}..{after.max_days_past_due})"
            )
    for step in steps:
        if step.template not in templates:
            raise Unprocessable(
                f"steps: step {step.name!r} names an unknown template {step.template!r}"
            )


def check_schedule(schedule: Schedule | None) -> None:
    if schedule is None:
        return
    if not croniter.is_valid(schedule.cron):
        raise Unprocessable(f"schedule.cron: not a cron expression: {schedule.cron!r}")
    try:
        normalize.timezone(schedule.timezone)
    except normalize.InvalidField as exc:
        raise Unprocessable(f"schedule.timezone: {exc.reason}") from exc


def public(campaign: Campaign, *, rules: Rules) -> CampaignPublic:
    """The campaign as shown, with `rules` the rules in force (see defaults.rules_for)."""
    schedule = (
        Schedule(cron=campaign.schedule_cron, timezone=campaign.schedule_timezone or "UTC")
        if campaign.schedule_cron
        else None
    )
    return CampaignPublic(
        id=campaign.id,
        name=campaign.name,
        steps=[Step.model_validate(step) for step in campaign.steps],
        schedule=schedule,
        rules=rules,
        rule_overrides=known_rules(campaign.rules),
        status=campaign.status,
        is_default=campaign.is_default,
        created_at=campaign.created_at,
    )


async def create_campaign(
    session: AsyncSession,
    *,
    tenant: Tenant,
    payload: CampaignCreate,
    templates: tuple[str, ...],
    is_default: bool = False,
) -> Campaign:
    check_steps(payload.steps, templates=templates)
    check_schedule(payload.schedule)
    check_rules(payload.rules)
    campaign = Campaign(
        tenant_id=tenant.id,
        name=payload.name,
        steps=[step.model_dump(mode="json") for step in ordered_steps(payload.steps)],
        rules=overrides_of(payload.rules),
        schedule_cron=payload.schedule.cron if payload.schedule else None,
        schedule_timezone=payload.schedule.timezone if payload.schedule else None,
        status=CampaignStatus(payload.status),
        is_default=is_default,
    )
    session.add(campaign)
    await session.flush()
    return campaign


async def ensure_default_campaign(
    session: AsyncSession, *, tenant: Tenant, templates: tuple[str, ...]
) -> Campaign:
    """Every tenant has a campaign that follows the aging buckets; made on first need."""
    existing = (
        await session.execute(
            select(Campaign).where(
                col(Campaign.tenant_id) == tenant.id, col(Campaign.is_default).is_(True)
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    payload = CampaignCreate(name="Aging reminders", steps=DEFAULT_STEPS)
    return await create_campaign(
        session, tenant=tenant, payload=payload, templates=templates, is_default=True
    )


async def get_campaign(
    session: AsyncSession, *, tenant_id: uuid.UUID, campaign_id: uuid.UUID
) -> Campaign:
    campaign = (
        await session.execute(
            select(Campaign).where(
                col(Campaign.tenant_id) == tenant_id, col(Campaign.id) == campaign_id
            )
        )
    ).scalar_one_or_none()
    if campaign is None:
        raise NotFound("campaign not found")
    return campaign


async def list_campaigns(session: AsyncSession, *, tenant_id: uuid.UUID) -> list[Campaign]:
    result = await session.execute(
        select(Campaign)
        .where(col(Campaign.tenant_id) == tenant_id)
        .order_by(col(Campaign.created_at))
    )
    return list(result.scalars())


async def update_campaign(
    session: AsyncSession,
    *,
    campaign: Campaign,
    payload: CampaignUpdate,
    templates: tuple[str, ...],
) -> Campaign:
    if payload.name is not None:
        campaign.name = payload.name
    if payload.steps is not None:
        check_steps(payload.steps, templates=templates)
        campaign.steps = [step.model_dump(mode="json") for step in ordered_steps(payload.steps)]
    if "schedule" in payload.model_fields_set:
        check_schedule(payload.schedule)
        campaign.schedule_cron = payload.schedule.cron if payload.schedule else None
        campaign.schedule_timezone = payload.schedule.timezone if payload.schedule else None
    if payload.rules is not None:
        check_rules(payload.rules)
        campaign.rules = overrides_of(payload.rules)
    if payload.status is not None:
        campaign.status = CampaignStatus(payload.status)
    campaign.updated_at = utcnow()
    await session.flush()
    return campaign


async def _existing_run(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    campaign_id: uuid.UUID,
    as_of: date,
    idempotency_key: str | None,
    dry_run: bool,
) -> CampaignRun | None:
    if idempotency_key is not None:
        found = (
            await session.execute(
                select(CampaignRun).where(
                    col(CampaignRun.tenant_id) == tenant_id,
                    col(CampaignRun.idempotency_key) == idempotency_key,
                )
            )
        ).scalar_one_or_none()
        if found is not None:
            if found.campaign_id != campaign_id:
                raise Conflict("Idempotency-Key was already used for another campaign")
            return found
    if dry_run:
        return None
    return (
        await session.execute(
            select(CampaignRun).where(
                col(CampaignRun.campaign_id) == campaign_id,
                col(CampaignRun.as_of) == as_of,
                col(CampaignRun.dry_run).is_(False),
            )
        )
    ).scalar_one_or_none()


async def start_run(
    session: AsyncSession,
    *,
    tenant: Tenant,
    campaign: Campaign,
    as_of: date | None,
    dry_run: bool,
    idempotency_key: str | None,
) -> tuple[CampaignRun, bool]:
    """The run for this campaign and day (made and planned in the background), and whether it
    is new. The same Idempotency-Key, or a second real run the same day, gives the same run."""
    day = as_of or tenant_today(tenant)
    found = await _existing_run(
        session, tenant_id=tenant.id, campaign_id=campaign.id, as_of=day,
        idempotency_key=idempotency_key, dry_run=dry_run,
    )  # fmt: skip
    if found is not None:
        return found, False
    if campaign.status != CampaignStatus.active and not dry_run:
        raise Conflict("the campaign is paused; resume it or ask for a dry run")
    run = CampaignRun(
        tenant_id=tenant.id,
        campaign_id=campaign.id,
        as_of=day,
        dry_run=dry_run,
        live_key=uuid.uuid4().hex if dry_run else "live",
        idempotency_key=idempotency_key,
    )
    try:
        async with session.begin_nested():
            session.add(run)
            await session.flush()
    except IntegrityError:
        # A concurrent request made the same run first: answer with that one.
        found = await _existing_run(
            session, tenant_id=tenant.id, campaign_id=campaign.id, as_of=day,
            idempotency_key=idempotency_key, dry_run=dry_run,
        )  # fmt: skip
        if found is None:
            raise
        return found, False
    enqueue_after_commit(session, PLAN_JOB, str(run.id), job_id=f"plan:{run.id}")
    return run, True


async def get_run(session: AsyncSession, *, tenant_id: uuid.UUID, run_id: uuid.UUID) -> CampaignRun:
    run = (
        await session.execute(
            select(CampaignRun).where(
                col(CampaignRun.tenant_id) == tenant_id, col(CampaignRun.id) == run_id
            )
        )
    ).scalar_one_or_none()
    if run is None:
        raise NotFound("run not found")
    return run


_WAITING = {MessageStatus.planned, MessageStatus.queued, MessageStatus.sending}
_FAILED = {MessageStatus.failed, MessageStatus.bounced, MessageStatus.undelivered}


async def run_report(session: AsyncSession, *, run: CampaignRun) -> RunPublic:
    rows = await session.execute(
        select(col(Message.status), col(Message.skip_reason), func.count())
        .where(col(Message.tenant_id) == run.tenant_id, col(Message.run_id) == run.id)
        .group_by(col(Message.status), col(Message.skip_reason))
    )
    by_status: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for status, reason, count in rows:
        by_status[str(status)] += count
        if status == MessageStatus.skipped:
            reasons[reason or "unknown"] += count
    skipped = by_status[MessageStatus.skipped]
    total = sum(by_status.values())
    counts = RunCounts(
        planned=total - skipped,
        # A dry run's messages wait for nothing: they are only the plan.
        queued=0 if run.dry_run else sum(by_status[s] for s in _WAITING),
        sent=by_status[MessageStatus.sent],
        delivered=by_status[MessageStatus.delivered],
        failed=sum(by_status[s] for s in _FAILED),
        skipped=skipped,
    )
    return RunPublic(
        run_id=run.id,
        campaign_id=run.campaign_id,
        as_of=run.as_of,
        dry_run=run.dry_run,
        status=run.status,
        counts=counts,
        skipped_reasons=dict(sorted(reasons.items())),
        skipped_invoices=dict(sorted(run.skipped_invoices.items())),
        created_at=run.created_at,
        planned_at=run.planned_at,
        finished_at=run.finished_at,
    )


async def set_run_state(session: AsyncSession, *, run: CampaignRun, action: str) -> CampaignRun:
    """Pause, resume or cancel. Pausing stops handing messages to the senders; cancelling also
    drops what has not been handed over yet."""
    allowed: dict[str, tuple[set[RunStatus], RunStatus]] = {
        "pause": ({RunStatus.planning, RunStatus.sending}, RunStatus.paused),
        "resume": ({RunStatus.paused}, RunStatus.sending),
        "cancel": ({RunStatus.planning, RunStatus.sending, RunStatus.paused}, RunStatus.cancelled),
    }
    sources, target = allowed[action]
    if run.dry_run:
        raise Conflict("a dry run sends nothing; there is nothing to pause, resume or cancel")
    if run.status not in sources:
        raise Conflict(f"cannot {action} a run that is {run.status}")
    if action == "resume" and run.planned_at is None:
        target = RunStatus.planning
        enqueue_after_commit(session, PLAN_JOB, str(run.id), job_id=f"plan:{run.id}:resume")
    run.status = target
    if target == RunStatus.cancelled:
        run.finished_at = utcnow()
        await _skip_waiting(session, run=run, reason="cancelled")
    await session.flush()
    return run


async def _skip_waiting(session: AsyncSession, *, run: CampaignRun, reason: str) -> None:
    """Skip what was not handed over yet. Its invoices were not reminded after all, so their
    reminder log goes too and a later run of the campaign may remind them."""
    waiting = select(col(Message.id)).where(
        col(Message.tenant_id) == run.tenant_id,
        col(Message.run_id) == run.id,
        col(Message.status) == MessageStatus.planned,
    )
    await session.execute(
        delete(ReminderLog).where(
            col(ReminderLog.campaign_id) == run.campaign_id,
            col(ReminderLog.message_id).in_(waiting.scalar_subquery()),
        )
    )
    await session.execute(
        update(Message)
        .where(col(Message.id).in_(waiting.scalar_subquery()))
        .values(status=MessageStatus.skipped, skip_reason=reason, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def due_fire_time(campaign: Campaign, *, now: datetime) -> datetime | None:
    """The latest scheduled moment at or before `now` not yet acted upon, if any."""
    if not campaign.schedule_cron or campaign.status != CampaignStatus.active:
        return None
    zone = ZoneInfo(campaign.schedule_timezone or "UTC")
    previous: Any = croniter(campaign.schedule_cron, now.astimezone(zone)).get_prev(datetime)
    if campaign.last_scheduled_for is not None and previous <= campaign.last_scheduled_for:
        return None
    if campaign.last_scheduled_for is None and previous < campaign.created_at:
        return None
    fired: datetime = previous
    return fired
