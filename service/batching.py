"""Callers that arrive together, served in one batch: the group commit of webhook payloads
(``service.inbound.intake``) and the rounds of inbound processing (``workers.inbound``).

The first caller starts a batch after one turn of the loop (callers woken in the same turn join
it); those arriving while it runs go together in the next one. Batches grow with the load, and a
quiet process serves a caller as soon as it would alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _one(_: object) -> int:
    return 1


class Gatherer(Generic[T, R]):
    """Serves each ``submit``-ted item in a batch of the items waiting with it.

    ``run`` gets a batch's items and returns, in their order, each one's result or the
    exception it ended with, which its caller then raises. A batch holds items up to
    ``max_size`` of ``size`` (at least one item); an exception out of ``run`` itself ends every
    caller of the batch with it. A caller that went away (its await cancelled) is skipped.
    """

    def __init__(
        self,
        run: Callable[[list[T]], Awaitable[list[R | Exception]]],
        *,
        max_size: int,
        size: Callable[[T], int] = _one,
    ) -> None:
        self._batch_of = run
        self.max_size = max_size
        self._size = size
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._running: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._run())
        return await future

    async def _run(self) -> None:
        await asyncio.sleep(0)
        batch: list[tuple[T, asyncio.Future[R]]] = []
        try:
            while self._waiting:
                batch = self._take()
                try:
                    results = await self._batch_of([item for item, _ in batch])
                except Exception as error:
                    for _, future in batch:
                        _settle(future, error)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    _settle(future, result)
        finally:
            # Only when cancelled (the loop is closing) is anything left: nobody answers it now.
            for _, future in batch + self._waiting:
                future.cancel()

    def _take(self) -> list[tuple[T, asyncio.Future[R]]]:
        taken, size = 0, 0
        while taken < len(self._waiting):
            item_size = self._size(self._waiting[taken][0])
            if taken and size + item_size > self.max_size:
                break
            size += item_size
            taken += 1
        batch, self._waiting[:taken] = self._waiting[:taken], []
        return batch


def _settle(future: asyncio.Future[R], result: R | Exception) -> None:
    if future.done():
        return
    if isinstance(result, Exception):
        future.set_exception(result)
    else:
        future.set_result(result)
