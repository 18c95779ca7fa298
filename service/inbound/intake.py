"""Group commit of webhook payloads: the requests of the same few milliseconds share one INSERT,
one commit and one round trip to Redis for their jobs.

A webhook's own work is small (check the signature, read a few fields); a transaction of its own
would cost it more than that: a connection check-out, BEGIN, INSERT, COMMIT with its WAL flush,
and the enqueue. Here the first request starts a write at once; those arriving while it is in
the database wait and go together in the next one, so batches grow with the load and a quiet
server answers as fast as before. Each request is answered only after the commit that made its
payload durable (and its job was queued). A batch that fails is written again row by row, so
that one bad payload never costs the others theirs.
"""

from __future__ import annotations

import asyncio

import structlog

from service.db import Database
from service.inbound.service import Received, StoredPayload, store_payloads

MAX_BATCH = 200

_log = structlog.get_logger("cobro.inbound")

_Waiting = tuple[Received, "asyncio.Future[StoredPayload]"]


class PayloadWriter:
    """Stores webhook payloads for one process's database, in shared transactions."""

    def __init__(self, database: Database, *, max_batch: int = MAX_BATCH) -> None:
        self.database = database
        self.max_batch = max_batch
        self._waiting: list[_Waiting] = []
        self._writing: asyncio.Task[None] | None = None

    async def store(self, received: Received) -> StoredPayload:
        """Store ``received`` (see ``store_payload``) once its batch is committed."""
        future: asyncio.Future[StoredPayload] = asyncio.get_running_loop().create_future()
        self._waiting.append((received, future))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write_all())
        return await future

    async def _write_all(self) -> None:
        # One turn of the loop: requests whose bodies were read in this turn join the first batch.
        await asyncio.sleep(0)
        batch: list[_Waiting] = []
        try:
            await self._write_waiting(batch)
        finally:
            # Only when cancelled (the loop is closing) is anything left: nobody answers it now.
            for _, future in batch + self._waiting:
                future.cancel()

    async def _write_waiting(self, batch: list[_Waiting]) -> None:
        while self._waiting:
            batch[:] = self._waiting[: self.max_batch]
            del self._waiting[: self.max_batch]
            try:
                stored = await self._write([received for received, _ in batch])
            except Exception as error:
                if len(batch) == 1:
                    _settle(batch[0][1], error=error)
                else:
                    failure = type(error).__name__
                    _log.warning("inbound_batch_failed", payloads=len(batch), error=failure)
                    await self._write_one_by_one(batch)
                continue
            for (_, future), result in zip(batch, stored, strict=True):
                _settle(future, result=result)

    async def _write(self, received: list[Received]) -> list[StoredPayload]:
        async with self.database.transaction() as session:
            return await store_payloads(session, received=received)

    async def _write_one_by_one(self, batch: list[_Waiting]) -> None:
        for received, future in batch:
            try:
                (result,) = await self._write([received])
            except Exception as error:
                _settle(future, error=error)
            else:
                _settle(future, result=result)


def _settle(
    future: asyncio.Future[StoredPayload],
    *,
    result: StoredPayload | None = None,
    error: Exception | None = None,
) -> None:
    # A request whose client went away has its future cancelled; its payload is stored anyway.
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    elif result is not None:
        future.set_result(result)
