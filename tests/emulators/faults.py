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
    ``retry_after`` seconds; ``delay`` sleeps ``seconds`` and then serves the request.
    """

    kind: Literal["error", "rate_limit", "delay"]
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

    def clear(self) -> None:
        self._queue.clear()

    def __len__(self) -> int:
        return len(self._queue)

    async def take(self) -> Fault | None:
        """The fault for the current request, after sleeping if it is a delay."""
        if not self._queue:
            return None
        fault = self._queue.popleft()
        if fault.kind == "delay":
            await asyncio.sleep(fault.seconds)
            return None
        return fault


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
