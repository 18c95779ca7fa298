"""The arq worker that `cobro serve` runs beside the API, as a child process of its own.

A worker in the API's event loop shares one core with it: under load, acknowledgements wait
behind parsing, threading and classification. As a child process the worker has its own
interpreter and loop, at a lower CPU priority, so the webhooks keep answering at once while
the worker catches up. The child is `cobro worker` with the parent's environment and the Redis
the parent resolved (its embedded server when REDIS_URL is unset), so it shares the queue and
the database. It is started again when it dies, and stopped before the embedded Redis is.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import structlog

T = TypeVar("T")

# Nice value added to the API's: the worker yields the CPU to acknowledgements under load and
# still has it to itself whenever the API is idle.
WORKER_NICENESS = 5
STOP_SECONDS = 30.0
_MAX_RESTART_DELAY = 30.0
# A child that ran this long before dying was healthy; its successor starts without delay.
_HEALTHY_SECONDS = 60.0

_log = structlog.get_logger("cobro.serve")


class WorkerProcess:
    """One `cobro worker` child, supervised: restarted with growing delays when it exits on
    its own, stopped with SIGTERM (then SIGKILL after ``STOP_SECONDS``) by :meth:`stop`."""

    def __init__(self, *, redis_url: str, niceness: int = WORKER_NICENESS) -> None:
        self.redis_url = redis_url
        self.niceness = niceness
        self.process: asyncio.subprocess.Process | None = None
        self._supervision: asyncio.Task[None] | None = None
        self._stopping = False

    async def _spawn(self) -> asyncio.subprocess.Process:
        env = {**os.environ, "REDIS_URL": self.redis_url}
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "service",
            "worker",
            "--parent",
            str(os.getpid()),
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            # Its own session: a Ctrl-C in the terminal reaches `cobro serve` alone, which then
            # stops the worker itself, in order, instead of both racing to stop.
            start_new_session=True,
        )
        with contextlib.suppress(OSError):
            own = os.getpriority(os.PRIO_PROCESS, 0)
            os.setpriority(os.PRIO_PROCESS, process.pid, min(19, own + self.niceness))
        return process

    async def start(self) -> None:
        self.process = await self._spawn()
        self._supervision = asyncio.create_task(self._supervise())

    async def _supervise(self) -> None:
        loop = asyncio.get_running_loop()
        delay = 1.0
        started = loop.time()
        while self.process is not None:
            code = await self.process.wait()
            if self._stopping:
                return
            if loop.time() - started > _HEALTHY_SECONDS:
                delay = 1.0
            _log.error("worker_exited", exit_code=code, restart_in_seconds=delay)
            await asyncio.sleep(delay)
            if self._stopping:
                return
            delay = min(delay * 2, _MAX_RESTART_DELAY)
            started = loop.time()
            self.process = await self._spawn()

    async def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Stop the worker (it cancels its running jobs, which arq runs again later)."""
        self._stopping = True
        process = self.process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        if self._supervision is not None:
            self._supervision.cancel()
            await asyncio.gather(self._supervision, return_exceptions=True)


async def watch_parent(parent: int, on_orphaned: Callable[[], None], *, every: float = 1.0) -> None:
    """Call ``on_orphaned`` once ``parent`` is no longer this process's parent (it died, even
    by SIGKILL, and the child was handed to init): a worker never outlives its `cobro serve`."""
    while os.getppid() == parent:
        await asyncio.sleep(every)
    _log.error("worker_orphaned", parent=parent)
    on_orphaned()


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on uvloop when it is installed (it comes with uvicorn[standard]): the
    API and the worker spend much of their time in the event loop's socket handling."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on every supported system
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)
