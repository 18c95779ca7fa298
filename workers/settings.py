"""The arq worker of Cobro: its jobs, cron jobs and the context every job receives.

Jobs load what they need by id, call one service function and return. arq delivers at least once
(a killed worker's job runs again), so every job is idempotent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from arq.cron import CronJob, cron
from arq.worker import Worker

from service.queue import HEALTH_CHECK_KEY, QUEUE_NAME, redis_settings
from service.runtime import Runtime
from workers import campaigns, disputes, inbound, outreach, system

FUNCTIONS: Sequence[Any] = (
    system.ping,
    inbound.process_inbound,
    inbound.process_inbound_batch,
    campaigns.plan_campaign_run,
    campaigns.dispatch_campaign_run,
    *outreach.FUNCTIONS,
)
CRON_JOBS: Sequence[CronJob] = (
    cron(inbound.sweep_inbound, minute=set(range(0, 60, 5)), run_at_startup=False),
    cron(campaigns.tick_campaign_runs, run_at_startup=False),
    cron(campaigns.fire_campaign_schedules, run_at_startup=False),
    *outreach.CRON_JOBS,
    cron(disputes.escalate_threads, minute=set(range(2, 60, 5)), run_at_startup=False),
    cron(disputes.settle_promises, minute={17, 47}, run_at_startup=False),
)


def build_worker(runtime: Runtime, *, handle_signals: bool, burst: bool = False) -> Worker:
    """An arq worker bound to this process's runtime, which every job finds in ctx["runtime"].

    The worker opens its own Redis pool: arq closes the pool of a worker when it stops, and the
    runtime's pool must outlive it (the API keeps enqueueing through it).
    """
    return Worker(
        functions=FUNCTIONS,
        cron_jobs=CRON_JOBS,
        redis_settings=redis_settings(runtime.redis_url),
        queue_name=QUEUE_NAME,
        ctx={"runtime": runtime},
        handle_signals=handle_signals,
        burst=burst,
        health_check_key=HEALTH_CHECK_KEY,
        health_check_interval=30,
        # Inbound jobs wait in the worker's Collector while a round runs; the jobs started
        # meanwhile make the next round (at 20, a round took at most 20 single-reply jobs).
        max_jobs=100,
        # arq looks for due jobs this often (its default, half a second, is the better part of
        # the time a reply takes to be routed); a look is one cheap Redis command.
        poll_delay=0.05,
        job_timeout=600,
        keep_result=3600,
    )


async def close_worker(worker: Worker) -> None:
    """``worker.close()``, after cancelling and awaiting the jobs still running.

    arq's close() cancels them too, but gathers them without ``return_exceptions``: a job
    caught mid-flight (a cron job, a send batch) aborted the close with its CancelledError,
    before the health-check key was removed and the Redis pool closed. arq runs a cancelled
    job again (``retry_jobs``), so nothing is lost by cancelling it.
    """
    running = list(worker.tasks.values())
    for job in running:
        job.cancel()
    await asyncio.gather(*running, return_exceptions=True)
    worker.tasks.clear()
    await worker.close()
