"""Outbound jobs: sending the outbox, and the cron that settles what dead workers left.

``send_outbox`` is requested after each commit that queues messages (one job per run or
message); the cron job runs every few seconds on one worker at a time, settles leases that
ran out and sends whatever is due (retries, paced rows, rows whose job was lost).
"""

from __future__ import annotations

from typing import Any

from arq.cron import CronJob, cron
from arq.worker import Function, func

from service.outreach.pacing import Pacer
from service.outreach.reconcile import reconcile
from service.outreach.sending import Sender, send_due
from service.runtime import Runtime


def sender(runtime: Runtime) -> Sender:
    """The send pipeline's view of a runtime: its database, channels, pacer, settings and
    templates."""
    return Sender(
        database=runtime.database,
        outbound=runtime.outbound,
        pacer=Pacer(runtime.queue.pool, runtime.outbound.pacing),
        settings=runtime.settings,
        templates=runtime.templates,
    )


async def send_outbox(ctx: dict[str, Any]) -> dict[str, int]:
    """Send due outbox rows in batches until none is due (or the time budget is spent)."""
    report = await send_due(sender(ctx["runtime"]))
    return report.as_dict()


async def reconcile_outbox(ctx: dict[str, Any]) -> dict[str, int]:
    """Settle rows stuck in ``sending`` past their lease, then send what is due."""
    pipeline = sender(ctx["runtime"])
    settled = await reconcile(pipeline)
    report = await send_due(pipeline)
    return {
        "proven": settled.proven,
        "requeued": settled.requeued,
        "failed": settled.failed,
        **report.as_dict(),
    }


# keep_result=0: a finished job frees its id at once, so the next commit of the same run
# can ask for a new job instead of being refused for as long as the result is kept.
FUNCTIONS: tuple[Function, ...] = (func(send_outbox, name="send_outbox", keep_result=0),)
CRON_JOBS: tuple[CronJob, ...] = (
    cron(
        reconcile_outbox,
        name="reconcile_outbox",
        second=set(range(0, 60, 5)),
        run_at_startup=True,
        unique=True,
        keep_result=0,
    ),
)
