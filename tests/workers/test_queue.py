"""ArqQueue.enqueue_many: many jobs in one round trip, with arq's own uniqueness of job ids."""

from __future__ import annotations

import uuid

from arq.jobs import Job, JobStatus

from service.db import PendingJob
from service.runtime import Runtime
from tests.workers.running import running_worker


async def test_jobs_queued_together_are_read_by_arq_as_its_own(runtime: Runtime) -> None:
    pool = runtime.queue.pool
    first, second = f"test-many-{uuid.uuid4().hex}", f"test-many-{uuid.uuid4().hex}"

    await runtime.queue.enqueue_many(
        [
            PendingJob(function="ping", args=(), job_id=first),
            PendingJob(function="ping", args=("with", 2), job_id=second),
        ]
    )

    info = await Job(second, pool).info()
    assert info is not None
    assert (info.function, info.args) == ("ping", ("with", 2))
    assert await Job(first, pool, _queue_name=pool.default_queue_name).status() == JobStatus.queued
    await pool.delete(f"arq:job:{first}", f"arq:job:{second}")
    await pool.zrem(pool.default_queue_name, first, second)


async def test_an_id_queued_or_kept_is_queued_once(runtime: Runtime) -> None:
    pool = runtime.queue.pool
    job_id = f"test-once-{uuid.uuid4().hex}"
    await pool.enqueue_job("ping", _job_id=job_id)
    before = await Job(job_id, pool).info()

    # Within one batch and across calls: the job queued first stays, with its enqueue time.
    await runtime.queue.enqueue_many(
        [PendingJob(function="ping", args=(), job_id=job_id)] * 2
        + [PendingJob(function="ping", args=("again",), job_id=job_id)]
    )

    after = await Job(job_id, pool).info()
    assert before is not None
    assert after is not None
    assert (after.args, after.enqueue_time) == ((), before.enqueue_time)
    assert await pool.zscore(pool.default_queue_name, job_id) is not None
    async with running_worker(runtime):
        assert (
            await Job(job_id, pool, _queue_name=pool.default_queue_name).result(timeout=10)
            == "pong"
        )
    # Done, its result is kept: the same id asks for nothing more.
    await runtime.queue.enqueue_many([PendingJob(function="ping", args=(), job_id=job_id)])
    assert await pool.zscore(pool.default_queue_name, job_id) is None
    assert (
        await Job(job_id, pool, _queue_name=pool.default_queue_name).status() == JobStatus.complete
    )


async def test_jobs_without_an_id_are_each_queued(runtime: Runtime) -> None:
    pool = runtime.queue.pool
    before = set(await pool.zrange(pool.default_queue_name, 0, -1))

    await runtime.queue.enqueue_many([PendingJob(function="ping", args=("anonymous",))] * 3)

    added = set(await pool.zrange(pool.default_queue_name, 0, -1)) - before
    infos = [await Job(job_id.decode(), pool).info() for job_id in added]
    assert [info.args for info in infos if info is not None] == [("anonymous",)] * 3
    for job_id in added:
        await pool.delete(b"arq:job:" + job_id)
        await pool.zrem(pool.default_queue_name, job_id)
