"""Inbound jobs: process one stored payload, and re-ask for payloads whose job was lost."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import structlog
from arq import Retry
from sqlalchemy.exc import IntegrityError, OperationalError

from service.inbound import processing
from service.inbound.lookups import TenantLookups
from service.inbound.service import (
    PROCESS_JOB,
    begin_attempts,
    process_job_id,
    record_failure,
    unprocessed_payloads,
)
from service.runtime import Runtime
from service.types import utcnow

SWEEP_AFTER = timedelta(minutes=2)
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(seconds=1)
_BATCH_LOCK = "inbound_batch_lock"

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
        counted = await begin_attempts(session, payload_ids=[ident])
    return await _process(runtime, ident, counted.get(ident), TenantLookups())


async def process_inbound_batch(
    ctx: dict[str, Any], payload_ids: list[str]
) -> list[dict[str, str | None]]:
    """``process_inbound`` for the payloads webhooks stored in one transaction.

    Their attempts are counted in one statement, and those on their first attempt are
    processed together, in one transaction (``processing.process_payloads``); one batch at a
    time in a worker, so that two never wait on each other's rows. When that transaction
    fails, and for a payload that failed before, each is processed on its own, as its own job
    would be; one whose attempt fails then is asked for again on its own (after a short delay
    for a constraint or lock, else by the sweep), and the others go on.
    """
    runtime: Runtime = ctx["runtime"]
    lookups = TenantLookups()
    idents = [uuid.UUID(payload_id) for payload_id in payload_ids]
    async with runtime.database.transaction() as session:
        counted = await begin_attempts(session, payload_ids=idents)
    results: dict[uuid.UUID, dict[str, str | None]] = {}
    together = [ident for ident in idents if counted.get(ident) == 1]
    if len(together) > 1:
        lock: asyncio.Lock = ctx.setdefault(_BATCH_LOCK, asyncio.Lock())
        try:
            async with lock, runtime.database.transaction() as session:
                outcomes = await processing.process_payloads(
                    session,
                    payload_ids=together,
                    settings=runtime.settings,
                    templates=runtime.templates,
                    lookups=lookups,
                )
        except Exception as error:
            # Processed again one by one below: only the payload at fault fails then.
            _log.info(
                "inbound_batch_one_by_one", payloads=len(together), error=type(error).__name__
            )
            lookups = TenantLookups()
        else:
            results = {outcome.payload_id: _result(outcome) for outcome in outcomes}
    for ident in idents:
        if ident in results:
            continue
        try:
            results[ident] = await _process(runtime, ident, counted.get(ident), lookups)
        except Retry as retry:
            await runtime.queue.pool.enqueue_job(
                PROCESS_JOB,
                str(ident),
                _job_id=f"{process_job_id(ident)}:retry:{utcnow():%H%M%S%f}",
                _defer_by=retry.defer_score / 1000 if retry.defer_score else None,
            )
            results[ident] = _failed("retried")
        except Exception as error:
            results[ident] = _failed(f"{type(error).__name__}: {error}"[:200])
    return [results[ident] for ident in idents]


async def _process(
    runtime: Runtime, ident: uuid.UUID, attempt: int | None, lookups: TenantLookups
) -> dict[str, str | None]:
    """One payload's attempt, counted already: ``attempt`` is its count, or None when the
    payload was processed already or is unknown."""
    if attempt is None:
        # Processed already (a replay's job, a sweep racing the first job) or unknown.
        async with runtime.database.transaction() as session:
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
                lookups=lookups,
            )
    except Exception as error:
        reason = f"{type(error).__name__}: {error}".splitlines()[0]
        if attempt >= MAX_ATTEMPTS:
            return await _give_up(runtime, ident, f"gave up after {attempt} attempts: {reason}")
        async with runtime.database.transaction() as session:
            await record_failure(session, payload_id=ident, error=reason, give_up=False)
        _log.warning("inbound_attempt_failed", payload_id=str(ident), attempt=attempt, error=reason)
        if isinstance(error, IntegrityError | OperationalError):
            raise Retry(defer=RETRY_AFTER * attempt) from error
        raise
    return _result(outcome)


def _failed(error: str) -> dict[str, str | None]:
    return {"method": "failed", "message_id": None, "thread_id": None, "error": error}


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
