"""Inbound webhooks under load: acknowledgement rate and latency, and time to thread routed.

Creates a scratch PostgreSQL database, a tenant with a number and customers, starts
`cobro serve` (API and worker in one process) on a loopback port against that database and
Redis, then sends signed Twilio SMS webhooks, raw MIME posts and SendGrid Inbound Parse posts
(parsed mode, basic auth), a third each, at rising rates. For each rate it prints acknowledged
requests/s, p50 and p99 acknowledgement latency, and p95 time from webhook sent to thread
routed: the payload's message stored on a thread, read from the database. Payloads processing
ended without a message (given up, unroutable) are counted apart, never as routed.

Run: .venv/bin/python bench/inbound.py [--rates 100,250,500,1000] [--seconds 3]
     [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
     [--redis-url redis://127.0.0.1:6379/13]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import httpx
import redis
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import col
from twilio.request_validator import RequestValidator

from service.db import Database
from service.inbound.models import InboundPayload
from service.ledger.models import Customer
from service.migrations import upgrade
from service.tenancy.service import create_tenant
from service.threads.models import Message

TWILIO_TOKEN = "bench-twilio-token-" + secrets.token_hex(8)
MIME_TOKEN = "bench-mime-token-" + secrets.token_hex(8)
SENDGRID_USER = "bench-parse"
SENDGRID_PASSWORD = "bench-parse-" + secrets.token_hex(8)
SMS_FROM = "+14155550199"
CUSTOMERS = 200
MAX_REQUESTS_PER_RATE = 3000


async def _admin(server_url: str, statement: str) -> None:
    admin = create_async_engine(
        make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    async with admin.connect() as connection:
        await connection.execute(text(statement))
    await admin.dispose()


async def _seed(database_url: str) -> None:
    database = Database(database_url)
    async with database.transaction() as session:
        tenant = await create_tenant(
            session,
            name="Bench Receivables",
            country="US",
            sms_from=SMS_FROM,
            email_from="ar@bench.example",
        )
        for index in range(CUSTOMERS):
            session.add(
                Customer(
                    tenant_id=tenant.id,
                    external_id=f"C{index:05d}",
                    name=f"Customer {index}",
                    language="en" if index % 2 else "es",
                    email=f"ap{index}@customer.example",
                    phone=f"+1212555{index:04d}",
                )
            )
    await database.dispose()


def _claim_redis_db(server_url: str) -> str:
    """A Redis db nobody holds, claimed the way test runs claim theirs, then emptied."""
    base = server_url.rstrip("/")
    for number in range(15, 0, -1):
        client = redis.Redis.from_url(f"{base}/{number}")
        try:
            if client.set("cobro:test:claim", f"bench:{os.getpid()}", nx=True, ex=1800):
                for key in client.scan_iter(count=1000):
                    if key != b"cobro:test:claim":
                        client.delete(key)
                return f"{base}/{number}"
        finally:
            client.close()
    raise RuntimeError("every Redis db 1-15 is claimed")


def _release_redis_db(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(
    command: list[str], *, database_url: str, redis_url: str, port: int, var_dir: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "COBRO_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "COBRO_SECRET_KEY": secrets.token_urlsafe(32),
        "COBRO_VAR_DIR": str(var_dir),
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "COBRO_MIME_TOKEN": MIME_TOKEN,
        "SENDGRID_INBOUND_USER": SENDGRID_USER,
        "SENDGRID_INBOUND_PASSWORD": SENDGRID_PASSWORD,
        "COBRO_LOG_LEVEL": "WARNING",
    }
    executable = Path(sys.executable).with_name("cobro")
    return subprocess.Popen(
        [str(executable), *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(var_dir / f"{command[0]}.log").open("ab"),
    )


async def _wait_ready(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=base_url) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("cobro serve exited")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("cobro serve did not become ready")


@dataclass
class Level:
    rate: int
    sent_at: dict[str, float] = field(default_factory=dict)  # dedupe key -> wall clock
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    elapsed: float = 0.0


def _sms(index: int, url: str) -> tuple[str, dict[str, str], dict[str, str]]:
    sid = "SM" + secrets.token_hex(16)
    params = {
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": f"+1212555{index % CUSTOMERS:04d}",
        "To": SMS_FROM,
        "Body": "Pagaremos la factura el viernes" if index % 3 else "Paid yesterday, thanks",
        "NumMedia": "0",
    }
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    return sid, params, {"X-Twilio-Signature": signature}


def _mime(index: int) -> tuple[str, bytes]:
    message = EmailMessage()
    message_id = make_msgid(domain="customer.example")
    message["From"] = f"ap{index % CUSTOMERS}@customer.example"
    message["To"] = "ar@bench.example"
    message["Subject"] = "Re: Payment reminder"
    message["Message-ID"] = message_id
    message.set_content(
        "We sent the payment on Monday.\n\nOn Mon, 2 Mar 2026 at 09:00, AR <ar@bench.example> "
        "wrote:\n> Invoice INV-1 is past due.\n"
    )
    return message_id, message.as_bytes()


def _sendgrid(index: int) -> tuple[str, str, bytes]:
    """(Message-ID, content type, body) of a parsed-mode Inbound Parse post."""
    message_id = make_msgid(domain="customer.example")
    sender = f"ap{index % CUSTOMERS}@customer.example"
    fields = {
        "headers": (
            f"From: {sender}\nTo: ar@bench.example\nSubject: Re: Payment reminder\n"
            f"Message-ID: {message_id}\n"
        ),
        "from": sender,
        "to": "ar@bench.example",
        "subject": "Re: Payment reminder",
        "text": "Ya pagamos la factura.\n\nEl lun, 2 mar 2026 a las 9:00, AR escribió:\n> Aviso",
        "envelope": f'{{"to": ["ar@bench.example"], "from": "{sender}"}}',
        "charsets": '{"text": "UTF-8", "subject": "UTF-8", "headers": "UTF-8"}',
    }
    boundary = "xYzZY" + secrets.token_hex(8)
    body = bytearray()
    for name, value in fields.items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        body += value.encode() + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return message_id, f"multipart/form-data; boundary={boundary}", bytes(body)


async def _one(client: httpx.AsyncClient, level: Level, index: int, sms_url: str) -> None:
    try:
        await _post(client, level, index, sms_url)
    except httpx.TransportError:
        level.failures += 1


async def _post(client: httpx.AsyncClient, level: Level, index: int, sms_url: str) -> None:
    if index % 3 == 0:
        key, params, headers = _sms(index, sms_url)
        started = time.perf_counter()
        level.sent_at[key] = time.time()
        response = await client.post("/webhooks/twilio/sms", data=params, headers=headers)
    elif index % 3 == 2:
        key, content_type, body = _sendgrid(index)
        started = time.perf_counter()
        level.sent_at[key] = time.time()
        response = await client.post(
            "/webhooks/sendgrid/inbound",
            content=body,
            headers={"Content-Type": content_type},
            auth=(SENDGRID_USER, SENDGRID_PASSWORD),
        )
    else:
        key, raw = _mime(index)
        started = time.perf_counter()
        level.sent_at[key] = time.time()
        response = await client.post(
            "/webhooks/email/mime",
            content=raw,
            headers={"Authorization": f"Bearer {MIME_TOKEN}", "Content-Type": "message/rfc822"},
        )
    if response.status_code == 200:
        level.latencies.append(time.perf_counter() - started)
    else:
        level.failures += 1


async def _run_level(
    client: httpx.AsyncClient, level: Level, *, seconds: float, sms_url: str
) -> None:
    """Open loop: requests start on schedule whether or not earlier ones have answered."""
    count = min(int(level.rate * seconds), MAX_REQUESTS_PER_RATE)
    interval = 1.0 / level.rate
    started = time.perf_counter()
    tasks = []
    for index in range(count):
        delay = started + index * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_one(client, level, index, sms_url)))
    await asyncio.gather(*tasks)
    level.elapsed = time.perf_counter() - started


@dataclass
class Routing:
    delays: list[float]  # seconds from webhook sent to thread routed, routed payloads only
    ended_unrouted: int  # processing ended without a message on a thread
    pending: int  # not processed when the wait ran out


async def _routed(database: Database, level: Level, *, timeout: float) -> Routing:
    """For each request of the level: when its message was stored on a thread, if it was."""
    deadline = time.monotonic() + timeout
    keys = list(level.sent_at)
    routed: dict[str, datetime] = {}
    ended: set[str] = set()
    while time.monotonic() < deadline:
        async with database.transaction() as session:
            for start in range(0, len(keys), 1000):
                chunk = [
                    k for k in keys[start : start + 1000] if k not in routed and k not in ended
                ]
                if not chunk:
                    continue
                rows = await session.execute(
                    select(
                        col(InboundPayload.dedupe_key),
                        col(InboundPayload.processed_at),
                        col(Message.thread_id),
                    )
                    .join(Message, col(Message.id) == col(InboundPayload.message_id), isouter=True)
                    .where(
                        col(InboundPayload.dedupe_key).in_(chunk),
                        col(InboundPayload.processed_at).is_not(None),
                    )
                )
                for key, processed_at, thread_id in rows:
                    if thread_id is not None and processed_at is not None:
                        routed[key] = processed_at
                    else:
                        ended.add(key)
        if len(routed) + len(ended) == len(keys):
            break
        await asyncio.sleep(0.5)
    return Routing(
        delays=[routed[key].timestamp() - level.sent_at[key] for key in routed],
        ended_unrouted=len(ended),
        pending=len(keys) - len(routed) - len(ended),
    )


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _bench(
    database_url: str,
    redis_url: str,
    rates: list[int],
    seconds: float,
    *,
    worker_apart: bool,
    log_to: Path | None,
) -> None:
    upgrade(database_url)
    await _seed(database_url)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as var_dir:
        serve = ["serve", "--host", "127.0.0.1", "--port", str(port)]
        if worker_apart:
            serve.append("--no-worker")
        places = {
            "database_url": database_url,
            "redis_url": redis_url,
            "port": port,
            "var_dir": Path(var_dir),
        }
        process = _start(serve, **places)  # type: ignore[arg-type]
        worker = _start(["worker"], **places) if worker_apart else None  # type: ignore[arg-type]
        database = Database(database_url)
        try:
            await _wait_ready(base_url, process)
            limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
            async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
                await _run_level(
                    client, Level(rate=20), seconds=1, sms_url=base_url + "/webhooks/twilio/sms"
                )
                for rate in rates:
                    level = Level(rate=rate)
                    await _run_level(
                        client, level, seconds=seconds, sms_url=base_url + "/webhooks/twilio/sms"
                    )
                    routing = await _routed(database, level, timeout=60)
                    acknowledged = len(level.latencies)
                    unrouted = [
                        f"{routing.ended_unrouted} ended without a thread"
                        if routing.ended_unrouted
                        else "",
                        f"{routing.pending} not processed within 60 s" if routing.pending else "",
                    ]
                    print(
                        f"target {rate:>5}/s: {acknowledged} ok ({level.failures} failed) "
                        f"at {acknowledged / level.elapsed:,.0f} req/s; "
                        f"ack p50 {_percentile(level.latencies, 0.5) * 1000:.1f} ms, "
                        f"p99 {_percentile(level.latencies, 0.99) * 1000:.1f} ms; "
                        f"routed p95 {_percentile(routing.delays, 0.95) * 1000:.0f} ms "
                        f"({len(routing.delays)} routed)"
                        + "".join(f"; {note}" for note in unrouted if note),
                        flush=True,
                    )
        finally:
            if log_to is not None:
                for log in Path(var_dir).glob("*.log"):
                    (log_to / log.name).write_bytes(log.read_bytes())
            await database.dispose()
            for child in (process, worker):
                if child is None:
                    continue
                child.terminate()
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rates", default="100,250,500,1000")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379")
    parser.add_argument(
        "--worker-apart",
        action="store_true",
        help="run `cobro serve --no-worker` and a separate `cobro worker`",
    )
    parser.add_argument("--logs", type=Path, help="copy the server's logs into this folder")
    args = parser.parse_args()
    rates = [int(rate) for rate in args.rates.split(",") if rate.strip()]
    name = f"cobro_bench_inbound_{secrets.token_hex(4)}"
    server = args.database_url
    database_url = make_url(server).set(database=name).render_as_string(hide_password=False)
    redis_url = _claim_redis_db(args.redis_url)
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    try:
        asyncio.run(
            _bench(
                database_url,
                redis_url,
                rates,
                args.seconds,
                worker_apart=args.worker_apart,
                log_to=args.logs,
            )
        )
    finally:
        asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        _release_redis_db(redis_url)


if __name__ == "__main__":
    main()
