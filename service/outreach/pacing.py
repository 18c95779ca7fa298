"""Per-sender send rates: a token bucket in Redis shared by every worker.

The bucket is kept in GCRA form (one "theoretical arrival time" per key), which is a token
bucket of ``burst`` tokens refilled at ``rate`` per second, stored as a single number and
updated atomically by one Lua script using Redis' own clock, so workers on different hosts
agree. A caller either gets a slot now or within ``max_wait`` (and sleeps until it), or is
told how long until one frees up and puts the message back for later: a 10,000-message
campaign through one long code waits its turn instead of drawing 429s.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from redis.asyncio import Redis

from channels.base import ChannelName

_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = 1000 / tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat + interval - burst * interval - now
if wait < 0 then wait = 0 end
if wait > max_wait then return {0, math.ceil(wait)} end
local new_tat = tat + interval
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil(new_tat - now) + 1000)
return {1, math.ceil(wait)}
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class PacingPolicy:
    """Sends per second allowed per sender.

    ``sms_rate`` is for a single long code (Twilio allows 1 message/s), ``sms_service_rate``
    for a Messaging Service SID, which spreads over a pool of numbers. ``enabled=False``
    turns pacing off (benchmarks against emulators).
    """

    enabled: bool = True
    email_rate: float = 50.0
    sms_rate: float = 1.0
    sms_service_rate: float = 10.0
    burst_seconds: float = 1.0
    max_wait: float = 2.0

    def rate_for(self, *, channel: ChannelName, sender: str) -> float | None:
        """Messages per second for this sender, or None when it is not paced."""
        if not self.enabled or channel == "portal":
            return None
        if channel == "email":
            return self.email_rate
        return self.sms_service_rate if sender.startswith("MG") else self.sms_rate


@dataclass(frozen=True, slots=True)
class Slot:
    """``granted``: send after sleeping ``wait`` seconds; otherwise retry in ``wait`` seconds."""

    granted: bool
    wait: float


class Pacer:
    """Takes slots from the per-sender buckets of a policy."""

    def __init__(self, redis: Redis, policy: PacingPolicy) -> None:
        self._redis = redis
        self.policy = policy
        self._script = redis.register_script(_SCRIPT)

    async def take(self, *, channel: ChannelName, sender: str) -> Slot:
        """A slot for one message from ``sender`` on ``channel``; always granted when unpaced."""
        rate = self.policy.rate_for(channel=channel, sender=sender)
        if rate is None or rate <= 0:
            return Slot(granted=True, wait=0.0)
        burst = max(1.0, rate * self.policy.burst_seconds)
        granted, wait_ms = await self._script(
            keys=[f"cobro:pace:{channel}:{sender}"],
            args=[rate, burst, int(self.policy.max_wait * 1000)],
        )
        return Slot(granted=bool(granted), wait=int(wait_ms) / 1000.0)

    async def acquire(self, *, channel: ChannelName, sender: str) -> Slot:
        """Like :meth:`take`, but sleeps through a granted slot's wait before returning."""
        slot = await self.take(channel=channel, sender=sender)
        if slot.granted and slot.wait > 0:
            await asyncio.sleep(slot.wait)
        return slot
