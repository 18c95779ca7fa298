"""How much one portal link may send: a body size limit and a per-customer hourly budget.

The budget is a counter in Redis per customer and hour, shared by every API process, so a
script holding a leaked link cannot flood a tenant's queue. Redis being unreachable does not
refuse a customer: the submission is stored and the failure logged.
"""

from __future__ import annotations

import time
import uuid

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from service.errors import CobroError

SUBMISSIONS_PER_HOUR = 30
JSON_MAX_BYTES = 64 * 1024
FORM_MAX_BYTES = 64 * 1024
_WINDOW_SECONDS = 3600

_log = structlog.get_logger("cobro.portal")


class TooManySubmissions(CobroError):
    status_code = 429


async def spend_submission(redis: Redis, *, customer_id: uuid.UUID) -> None:
    """Count one submission of this customer; 429 beyond ``SUBMISSIONS_PER_HOUR`` an hour."""
    window = int(time.time()) // _WINDOW_SECONDS
    key = f"cobro:portal:submissions:{customer_id}:{window}"
    try:
        async with redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, _WINDOW_SECONDS * 2)
            count, _ = await pipe.execute()
    except (RedisError, OSError) as error:
        _log.warning("portal_rate_limit_unavailable", error=type(error).__name__)
        return
    if int(count) > SUBMISSIONS_PER_HOUR:
        raise TooManySubmissions(
            f"more than {SUBMISSIONS_PER_HOUR} submissions this hour; try again later"
        )
