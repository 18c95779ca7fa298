"""Disputes cron jobs: escalate passed SLA deadlines and aged disputes; settle promises to pay.

Both are idempotent (an escalation is recorded once per deadline; a promise is settled once)
and safe on several workers at once (rows another worker holds are skipped).
"""

from __future__ import annotations

from typing import Any

from service.disputes.promises_ledger import review_promises
from service.disputes.sla import escalate_due
from service.runtime import Runtime

_MAX_PAGES = 200


async def escalate_threads(ctx: dict[str, Any]) -> dict[str, int]:
    runtime: Runtime = ctx["runtime"]
    async with runtime.database.transaction() as session:
        return await escalate_due(session)


async def settle_promises(ctx: dict[str, Any]) -> dict[str, int]:
    """Settle every active promise, one page per transaction."""
    runtime: Runtime = ctx["runtime"]
    totals = {"kept": 0, "broken": 0, "looked_at": 0}
    after = None
    for _ in range(_MAX_PAGES):
        async with runtime.database.transaction() as session:
            review = await review_promises(session, after=after)
        totals["kept"] += review.kept
        totals["broken"] += review.broken
        totals["looked_at"] += review.looked_at
        if review.next_key is None:
            break
        after = review.next_key
    return totals
