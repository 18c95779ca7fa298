"""Scripted faults shared by the HTTP emulators, and the loopback server they run on."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

from aiohttp import web


@dataclass(frozen=True, slots=True)
class Fault:
    """What the emulator does to one request instead of serving it normally.

    ``error`` answers with ``status``; ``rate_limit`` answers 429 telling the client to wait
    ``retry_after`` seconds; ``delay`` sleeps ``seconds`` and then serves the request;
    ``late_answer`` serves the request (the message is accepted) and answers only after
    ``seconds``, as a provider does when its reply is slow or lost; ``drop`` closes the
    connection without answering and without accepting anything.
    """

    kind: Literal["error", "rate_limit", "delay", "late_answer", "drop"]
    status: int = 503
    retry_after: float = 1.0
    seconds: float = 0.0


class FaultPlan:
    """A queue of faults applied to the next requests, one fault per request, in order."""

    def __init__(self) -> None:
        self._queue: deque[Fault] = deque()

    def fail_next(self, count: int = 1, *, status: int = 503) -> None:
        self._queue.extend([Fault("error", status=status)] * count)

    def rate_limit_next(self, count: int = 1, *, retry_after: float = 1.0) -> None:
        self._queue.extend([Fault("rate_limit", status=429, retry_after=retry_after)] * count)

    def delay_next(self, count: int = 1, *, seconds: float) -> None:
        self._queue.extend([Fault("delay", seconds=seconds)] * count)

    def answer_late_next(self, count: int = 1, *, seconds: float) -> None:
        self._queue.extend([Fault("late_answer", seconds=seconds)] * count)

    def drop_next(self, count: int = 1) -> None:
        self._queue.extend([Fault("drop")] * count)

    def clear(self) -> None:
        self._queue.clear()

    def __len__(self) -> int:
        return len(self._queue)

    async def take(self) -> Fault | None:
        """The fault for the current request, after sleeping if it is a delay. A late answer
        is returned for the emulator to serve the request first and then :meth:`answer`."""
        if not self._queue:
            return None
        fault = self._queue.popleft()
        if fault.kind == "delay":
            await asyncio.sleep(fault.seconds)
            return None
        return fault

    @staticmethod
    async def answer(fault: Fault | None) -> None:
        """Wait before answering a request that was served under a ``late_answer`` fault."""
        if fault is not None and fault.kind == "late_answer":
            await asyncio.sleep(fault.seconds)

    @staticmethod
    def dropped(fault: Fault | None, request: web.Request) -> bool:
        """Close the connection of a request under a ``drop`` fault; True when it was."""
        if fault is None or fault.kind != "drop":
            return False
        if request.transport is not None:
            request.transport.abort()
        return True


class LoopbackServer:
    """An aiohttp application served on 127.0.0.1 with an ephemeral port.

    ``async with server as base_url`` starts it; ``url`` holds the same base URL afterwards.
    """

    def __init__(self) -> None:
        self.app = web.Application(client_max_size=32 * 1024 * 1024)
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, reuse_address=True)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> str:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
