"""Campaign jobs: plan a run, dispatch its due messages, fire schedules."""

from __future__ import annotations

import uuid
from typing import Any

from service.campaigns import runner
from service.runtime import Runtime


def context(runtime: Runtime) -> runner.Context:
    return runner.Context(
        database=runtime.database, settings=runtime.settings, templates=runtime.templates
    )


async def plan_campaign_run(ctx: dict[str, Any], run_id: str) -> str:
    return await runner.plan(context(ctx["runtime"]), run_id=uuid.UUID(run_id))


async def dispatch_campaign_run(ctx: dict[str, Any], run_id: str) -> int:
    return await runner.dispatch(context(ctx["runtime"]), run_id=uuid.UUID(run_id))


async def tick_campaign_runs(ctx: dict[str, Any]) -> int:
    return await runner.tick(context(ctx["runtime"]))


async def fire_campaign_schedules(ctx: dict[str, Any]) -> int:
    return await runner.fire_schedules(context(ctx["runtime"]))
