from __future__ import annotations

import asyncio

from service.queue import HEALTH_CHECK_KEY
from service.runtime import Runtime
from tests.workers.running import running_worker


async def test_a_worker_runs_jobs_from_the_queue_and_reports_health(runtime: Runtime) -> None:
    pool = runtime.queue.pool
    await pool.delete(HEALTH_CHECK_KEY)
    job = await pool.enqueue_job("ping", _job_id="test-ping-1")
    assert job is not None
    # The same job id while the job is queued is refused: arq's uniqueness, relied upon for batches.
    assert await pool.enqueue_job("ping", _job_id="test-ping-1") is None

    async with running_worker(runtime):
        assert await job.result(timeout=10) == "pong"
        health = await pool.get(HEALTH_CHECK_KEY)
        for _ in range(50):
            if health is not None:
                break
            await asyncio.sleep(0.1)
            health = await pool.get(HEALTH_CHECK_KEY)

    assert health is not None
    assert b"j_complete=" in health
    # Stopping the worker leaves the runtime's own pool open for the API.
    assert await pool.ping()
