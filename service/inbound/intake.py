"""Group commit of webhook payloads: the requests of the same few milliseconds share one INSERT,
one commit and one round trip to Redis for their jobs.

A webhook's own work is small (check the signature, read a few fields); a transaction of its own
would cost it more than that: a connection check-out, BEGIN, INSERT, COMMIT with its WAL flush,
and the enqueue. Here the first request starts a write at once; those arriving while it is in
the database wait and go together in the next one, so batches grow with the load and a quiet
server answers as fast as before (``service.batching``). Each request is answered only after
the commit that made its payload durable (and its job was queued). A batch that fails is
written again row by row, so that one bad payload never costs the others theirs.
"""

from __future__ import annotations

import structlog

from service.batching import Gatherer
from service.db import Database
from service.inbound.service import Received, StoredPayload, store_payloads

MAX_BATCH = 200

_log = structlog.get_logger("cobro.inbound")


class PayloadWriter:
    """Stores webhook payloads for one process's database, in shared transactions."""

    def __init__(self, database: Database, *, max_batch: int = MAX_BATCH) -> None:
        self.database = database
        self._batches = Gatherer(self._write_batch, max_size=max_batch)

    async def store(self, received: Received) -> StoredPayload:
        """Store ``received`` (see ``store_payload``) once its batch is committed."""
        return await self._batches.submit(received)

    async def _write_batch(self, batch: list[Received]) -> list[StoredPayload | Exception]:
        try:
            return list(await self._write(batch))
        except Exception as error:
            if len(batch) == 1:
                return [error]
            _log.warning("inbound_batch_failed", payloads=len(batch), error=type(error).__name__)
        # One by one: only the payload at fault fails.
        results: list[StoredPayload | Exception] = []
        for received in batch:
            try:
                (stored,) = await self._write([received])
            except Exception as error:
                results.append(error)
            else:
                results.append(stored)
        return results

    async def _write(self, received: list[Received]) -> list[StoredPayload]:
        async with self.database.transaction() as session:
            return await store_payloads(session, received=received)
