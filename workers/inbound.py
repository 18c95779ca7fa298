"""Inbound jobs: process one stored payload, and re-ask for payloads whose job was lost."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import structlog
from arq import Retry
from sqlalchemy.exc import IntegrityError, OperationalError

from service.inbound import processing
from service.inbound.service import (
    PROCESS_JOB,
    begin_attempt,
    record_failure,
    unprocessed_payloads,
)
from service.runtime import Runtime
from service.types import utcnow

SWEEP_AFTER = timedelta(minutes=2)
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(seconds=1)

_log = structlog.get_logger("cobro.inbound")


async def process_inbound(ctx: dict[str, Any], payload_id: str) -> dict[str, str | None]:
    """Parse, thread and record one inbound payload (idempotent: a processed one is skipped).

    Every attempt is counted on the payload before it starts. A failure on the database's
    constraints or locks (two copies of one message processed at once) is retried after a
    short delay, when the other copy is there to be linked; any other failure waits for the
    sweep. After ``MAX_ATTEMPTS`` the payload is given up with its last error, for an operator.
    """
    runtime: Runtime = ctx["runtime"]
    ident = uuid.UUID(payload_id)
    async with runtime.database.transaction() as session:
        attempt = await begin_attempt(session, payload_id=ident)
        if attempt is None:
            # Processed already (a replay's job, a sweep racing the first job) or unknown.
            outcome = await processing.process_payload(
                session, payload_id=ident, settings=runtime.settings, templates=runtime.templates
            )
            return _result(outcome)
    if attempt > MAX_ATTEMPTS:
        return await _give_up(runtime, ident, f"gave up after {MAX_ATTEMPTS} attempts")
    try:
        async with runtime.database.transaction() as session:
            outcome = await processing.process_payload(
                session,
                payload_id=ident,
                settings=runtime.settings,
                templates=runtime.templates,
            )
    except Exception as error:
        reason = f"{type(error).__name__}: {error}".splitlines()[0]
        if attempt >= MAX_ATTEMPTS:
            return await _give_up(runtime, ident, f"gave up after {attempt} attempts: {reason}")
        async with runtime.database.transaction() as session:
            await record_failure(session, payload_id=ident, error=reason, give_up=False)
        _log.warning("inbound_attempt_failed", payload_id=payload_id, attempt=attempt, error=reason)
        if isinstance(error, IntegrityError | OperationalError):
            raise Retry(defer=RETRY_AFTER * attempt) from error
        raise
    return _result(outcome)


def _result(outcome: processing.Outcome) -> dict[str, str | None]:
    return {
        "method": outcome.method,
        "message_id": str(outcome.message_id) if outcome.message_id else None,
        "thread_id": str(outcome.thread_id) if outcome.thread_id else None,
        "error": outcome.error,
    }


async def _give_up(runtime: Runtime, payload_id: uuid.UUID, error: str) -> dict[str, str | None]:
    async with runtime.database.transaction() as session:
        await record_failure(session, payload_id=payload_id, error=error, give_up=True)
    _log.error("inbound_given_up", payload_id=str(payload_id), error=error)
    return {"method": "given_up", "message_id": None, "thread_id": None, "error": error}


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
