"""What the portal's JSON API and pages share: the path token's answers and the rate limit's
Redis."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from redis.asyncio import Redis

Lang = Annotated[str | None, Query(max_length=8, description="en or es")]
FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"description": "the link has expired, is forged, or its customer is gone"}
}


def redis_of(request: Request) -> Redis:
    pool: Redis = request.app.state.runtime.queue.pool
    return pool
