from __future__ import annotations

import asyncio
import uuid
from typing import Any

from arq.worker import Worker, func

from service.queue import HEALTH_CHECK_KEY, redis_settings
from service.runtime import Runtime
from tests.workers.running import running_worker
from workers.settings import close_worker


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


async def _quick(ctx: dict[str, Any]) -> str:
    return "done"


async def test_closing_a_worker_with_a_job_still_running_finishes_the_close(
    runtime: Runtime,
) -> None:
    # A worker of its own queue (so that no other test's job is picked up) stopped while a job
    # is still in the worker's hands: its function has run and the worker is finishing it, the
    # moment where arq's own close() let the job's cancellation out.
    queue = f"test-close-{uuid.uuid4().hex}"
    health_key = f"{queue}:health"
    finishing = asyncio.Event()

    async def on_job_end(ctx: dict[str, Any]) -> None:
        finishing.set()
        await asyncio.sleep(60)

    worker = Worker(
        functions=[func(_quick, name="quick")],
        redis_settings=redis_settings(runtime.redis_url),
        queue_name=queue,
        handle_signals=False,
        health_check_key=health_key,
        health_check_interval=1,
        poll_delay=0.05,
        on_job_end=on_job_end,
    )
    pool = runtime.queue.pool
    await pool.enqueue_job("quick", _queue_name=queue)
    main = asyncio.create_task(worker.async_run())
    await asyncio.wait_for(finishing.wait(), timeout=10)
    assert await pool.get(health_key) is not None

    main.cancel()
    await asyncio.gather(main, return_exceptions=True)
    await close_worker(worker)

    # The close went to its end: the health-check key is gone.
    assert await pool.get(health_key) is None
    await pool.delete(queue)
