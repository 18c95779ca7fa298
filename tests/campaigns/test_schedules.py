"""Scheduled campaigns start one run per cron time, in the schedule's time zone."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select
from sqlmodel import col

from service.campaigns import runner
from service.campaigns.models import CampaignRun
from service.db import Database
from service.runtime import Runtime
from tests.campaigns.builders import as_uuid, create_campaign, runner_context
from tests.tenancy.builders import TenantHandle
from workers.campaigns import fire_campaign_schedules

WEEKDAYS_AT_NINE = {"cron": "0 9 * * 1-5", "timezone": "America/New_York"}


async def _runs(database: Database, campaign_id: uuid.UUID) -> list[date]:
    async with database.transaction() as session:
        rows = await session.execute(
            select(col(CampaignRun.as_of))
            .where(col(CampaignRun.campaign_id) == campaign_id)
            .order_by(col(CampaignRun.as_of))
        )
        return list(rows.scalars())


def _upcoming_weekday(after: datetime) -> date:
    day = after.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _first_nine_after(moment: datetime) -> date:
    """The weekday of the schedule's first cron time after ``moment``: in New York's date, which
    is the day before UTC's in the evening."""
    day = moment.astimezone(ZoneInfo("America/New_York")).date()
    while day.weekday() >= 5 or _at_nine_new_york(day) <= moment:
        day += timedelta(days=1)
    return day


def _at_nine_new_york(day: date, *, seconds: int = 0) -> datetime:
    # 09:00 in New York is 13:00 or 14:00 UTC; the schedule's zone decides which.
    local = datetime(
        day.year, day.month, day.day, 9, 0, seconds, tzinfo=ZoneInfo("America/New_York")
    )
    return local.astimezone(UTC)


async def test_a_schedule_fires_once_per_cron_time(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant, schedule=WEEKDAYS_AT_NINE)
    campaign_id = as_uuid(campaign["id"])
    context = runner_context(runtime)
    # The first cron time after the campaign was made: no earlier one may fire.
    first_day = _first_nine_after(datetime.now(UTC))
    nine = _at_nine_new_york(first_day, seconds=30)
    await runner.fire_schedules(context, now=nine - timedelta(minutes=1))
    assert await _runs(database, campaign_id) == []
    await runner.fire_schedules(context, now=nine)
    assert await _runs(database, campaign_id) == [first_day]
    # The cron job runs every minute, on any worker: the same cron time never fires again.
    for later in (nine, nine + timedelta(minutes=1), nine + timedelta(hours=8)):
        await runner.fire_schedules(context, now=later)
    assert await _runs(database, campaign_id) == [first_day]
    next_day = _upcoming_weekday(nine)
    await runner.fire_schedules(context, now=_at_nine_new_york(next_day, seconds=5))
    assert await _runs(database, campaign_id) == [first_day, next_day]


async def test_a_paused_campaign_does_not_fire(
    client: httpx.AsyncClient, runtime: Runtime, database: Database, tenant: TenantHandle
) -> None:
    paused = await create_campaign(client, tenant, schedule={"cron": "* * * * *"}, status="paused")
    day = _upcoming_weekday(datetime.now(UTC))
    await runner.fire_schedules(runner_context(runtime), now=_at_nine_new_york(day, seconds=10))
    # The worker's cron function, as arq calls it every minute.
    assert await fire_campaign_schedules({"runtime": runtime}) >= 0
    assert await _runs(database, as_uuid(paused["id"])) == []
