"""Inbound jobs: process one stored payload, and re-ask for payloads whose job was lost."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import structlog
from arq import Retry
from sqlalchemy.exc import IntegrityError, OperationalError

from service.batching import Gatherer
from service.inbound import processing
from service.inbound.lookups import TenantLookups
from service.inbound.service import (
    PROCESS_JOB,
    Attempt,
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
MAX_ROUND = 50
MAX_ROUND_BYTES = 16 * 1024 * 1024
_COLLECTOR = "inbound_collector"

_log = structlog.get_logger("cobro.inbound")


Result = dict[str, str | None]


async def process_inbound(ctx: dict[str, Any], payload_id: str) -> Result:
    """Parse, thread and record one inbound payload (idempotent: a processed one is skipped).

    Every attempt is counted on the payload before it starts. A failure on the database's
    constraints or locks (two copies of one message processed at once) is retried after a
    short delay, when the other copy is there to be linked; any other failure waits for the
    sweep. After ``MAX_ATTEMPTS`` the payload is given up with its last error, for an operator.
    The payloads of the inbound jobs running at once in a worker are processed together
    (``Collector``).
    """
    ident = uuid.UUID(payload_id)
    outcome = (await _collector(ctx).process([ident]))[ident]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


async def process_inbound_batch(ctx: dict[str, Any], payload_ids: list[str]) -> list[Result]:
    """``process_inbound`` for the payloads webhooks stored in one transaction.

    One whose attempt fails is asked for again on its own (after a short delay for a
    constraint or lock, else by the sweep); the others go on.
    """
    runtime: Runtime = ctx["runtime"]
    idents = [uuid.UUID(payload_id) for payload_id in payload_ids]
    outcomes = await _collector(ctx).process(idents)
    results: list[Result] = []
    for ident in idents:
        outcome = outcomes[ident]
        if isinstance(outcome, Retry):
            await runtime.queue.pool.enqueue_job(
                PROCESS_JOB,
                str(ident),
                _job_id=f"{process_job_id(ident)}:retry:{utcnow():%H%M%S%f}",
                _defer_by=outcome.defer_score / 1000 if outcome.defer_score else None,
            )
            results.append(_failed("retried"))
        elif isinstance(outcome, BaseException):
            results.append(_failed(f"{type(outcome).__name__}: {outcome}"[:200]))
        else:
            results.append(outcome)
    return results


def _collector(ctx: dict[str, Any]) -> Collector:
    found: Collector | None = ctx.get(_COLLECTOR)
    if found is None:
        found = ctx[_COLLECTOR] = Collector(ctx["runtime"])
    return found


class Collector:
    """Processes the payloads of the inbound jobs running at once in one worker, together.

    A job hands its payload ids over and waits. The first starts a round at once; those
    arriving while it runs go together in the next one (up to ``MAX_ROUND`` payloads), so
    rounds grow with the load and a quiet worker processes a payload as soon as before. A
    round counts its payloads' attempts in one statement and processes those on their first
    attempt in one transaction (``processing.process_payloads``; one per ``MAX_ROUND_BYTES``
    of bodies): their tenants, customers and threads read once, and no two rounds of one
    worker wait on each other's rows. Payloads processed already are read together too. When
    that transaction fails, and for a payload that failed before, each payload is processed
    on its own, in its own transactions, so that only the one at fault fails.

    A round holds the rows it changes until it commits: an agent's action on one of its
    threads waits for it, and two workers' rounds that meet on the same rows may deadlock
    (PostgreSQL then ends one, whose payloads are processed one by one).
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._rounds = Gatherer(self._jobs_round, max_size=MAX_ROUND, size=len)

    async def process(self, idents: list[uuid.UUID]) -> dict[uuid.UUID, Result | BaseException]:
        """Each payload's result, or the exception its attempt ended with."""
        return await self._rounds.submit(idents)

    async def _jobs_round(
        self, jobs: list[list[uuid.UUID]]
    ) -> list[dict[uuid.UUID, Result | BaseException] | Exception]:
        outcomes = await self._round(list(dict.fromkeys(ident for ids in jobs for ident in ids)))
        return [{ident: outcomes[ident] for ident in ids} for ids in jobs]

    async def _round(self, idents: list[uuid.UUID]) -> dict[uuid.UUID, Result | BaseException]:
        runtime = self.runtime
        async with runtime.database.transaction() as session:
            counted = await begin_attempts(session, payload_ids=idents)
        outcomes: dict[uuid.UUID, Result | BaseException] = {}
        lookups = TenantLookups()
        # Processed already (replays' and the sweep's jobs) or unknown: only read, all at once.
        finished = [ident for ident in idents if ident not in counted]
        first = [ident for ident in idents if ident in counted and counted[ident].number == 1]
        for part in [finished, *_parts(first, counted)]:
            if len(part) < 2:
                continue
            try:
                async with runtime.database.transaction() as session:
                    processed = await processing.process_payloads(
                        session,
                        payload_ids=part,
                        settings=runtime.settings,
                        templates=runtime.templates,
                        lookups=lookups,
                    )
            except Exception as error:
                # Processed again one by one below: only the payload at fault fails then.
                _log.info(
                    "inbound_round_one_by_one", payloads=len(part), error=type(error).__name__
                )
                lookups = TenantLookups()
            else:
                outcomes.update((outcome.payload_id, outcome.as_result()) for outcome in processed)
        for ident in idents:
            if ident in outcomes:
                continue
            attempt = counted.get(ident)
            try:
                outcomes[ident] = await _process(
                    runtime, ident, attempt.number if attempt else None, lookups
                )
            except Exception as error:
                outcomes[ident] = error
        return outcomes


def _parts(idents: list[uuid.UUID], counted: dict[uuid.UUID, Attempt]) -> Iterator[list[uuid.UUID]]:
    """``idents`` in order, cut where their bodies would pass ``MAX_ROUND_BYTES`` together: a
    transaction holds every body it processes (a mail may be 32 MB)."""
    part: list[uuid.UUID] = []
    size = 0
    for ident in idents:
        body = counted[ident].size
        if part and size + body > MAX_ROUND_BYTES:
            yield part
            part, size = [], 0
        part.append(ident)
        size += body
    if part:
        yield part


async def _process(
    runtime: Runtime, ident: uuid.UUID, attempt: int | None, lookups: TenantLookups
) -> Result:
    """One payload's attempt, counted already: ``attempt`` is its count, or None when the
    payload was processed already or is unknown."""
    if attempt is None:
        # Processed already (a replay's job, a sweep racing the first job) or unknown.
        async with runtime.database.transaction() as session:
            outcome = await processing.process_payload(
                session, payload_id=ident, settings=runtime.settings, templates=runtime.templates
            )
        return outcome.as_result()
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
    return outcome.as_result()


def _failed(error: str) -> Result:
    return {"method": "failed", "message_id": None, "thread_id": None, "error": error}


async def _give_up(runtime: Runtime, payload_id: uuid.UUID, error: str) -> Result:
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
