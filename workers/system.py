"""Jobs about the worker itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from service.runtime import Runtime


async def ping(ctx: dict[str, Any]) -> str:
    """Proves a worker is consuming the queue and reaches the database."""
    runtime: Runtime = ctx["runtime"]
    async with runtime.database.transaction() as session:
        await session.execute(text("SELECT 1"))
    return "pong"
