"""Inbound jobs: process one stored payload, and re-ask for payloads whose job was lost."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from service.inbound import processing
from service.inbound.service import PROCESS_JOB, unprocessed_payloads
from service.runtime import Runtime
from service.types import utcnow

SWEEP_AFTER = timedelta(minutes=2)


async def process_inbound(ctx: dict[str, Any], payload_id: str) -> dict[str, str | None]:
    """Parse, thread and record one inbound payload (idempotent: a processed one is skipped)."""
    runtime: Runtime = ctx["runtime"]
    async with runtime.database.transaction() as session:
        outcome = await processing.process_payload(
            session,
            payload_id=uuid.UUID(payload_id),
            settings=runtime.settings,
            templates=runtime.templates,
        )
    return {
        "method": outcome.method,
        "message_id": str(outcome.message_id) if outcome.message_id else None,
        "thread_id": str(outcome.thread_id) if outcome.thread_id else None,
        "error": outcome.error,
    }


async def sweep_inbound(ctx: dict[str, Any]) -> int:
    """Enqueue again the payloads still unprocessed after ``SWEEP_AFTER`` (a lost or failed job).

    The job id carries the sweep's minute, so a payload is retried at most once per sweep.
    """
    runtime: Runtime = ctx["runtime"]
    async with runtime.database.transaction() as session:
        waiting = await unprocessed_payloads(session, older_than=SWEEP_AFTER)
    minute = utcnow().strftime("%Y%m%d%H%M")
    for payload_id in waiting:
        await runtime.queue.pool.enqueue_job(
            PROCESS_JOB, str(payload_id), _job_id=f"inbound:{payload_id}:sweep:{minute}"
        )
    return len(waiting)
