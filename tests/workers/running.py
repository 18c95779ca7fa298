"""A real arq worker of this process, running beside a test until the test has what it waits for.

Not a burst worker: a burst worker stops only when the whole queue is empty, and the queue this run
shares holds jobs other tests deferred into the future (quiet hours, retry backoff) and the worker's
own cron jobs, so it would never stop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from arq.worker import Worker

from service.runtime import Runtime
from workers.settings import build_worker, close_worker


@asynccontextmanager
async def running_worker(runtime: Runtime) -> AsyncIterator[Worker]:
    worker = build_worker(runtime, handle_signals=False)
    task = asyncio.create_task(worker.async_run())
    try:
        yield worker
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        # A job still running (a cron job of the shared queue) is cancelled and awaited.
        await close_worker(worker)
