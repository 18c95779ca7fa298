"""Inbound webhooks under load: acknowledgement rate and latency, and time to thread routed.

Creates a scratch PostgreSQL database, claims a Redis db the way the test suite does (only a db
still held is ever emptied), seeds a tenant with a number and customers, starts `cobro serve`
(the API and its worker) on a loopback port against both, then sends signed Twilio SMS
webhooks, raw MIME posts (bearer token) and SendGrid Inbound Parse posts (parsed mode,
multipart, basic auth), a third each, at rising rates. For each rate it prints acknowledged
requests/s, p50 and p99 acknowledgement latency, and p95 time from webhook sent to thread
routed: the payload's message stored on a thread, read from the database. Payloads whose
processing ended without a message (given up, unroutable) are counted apart, never as routed.

Every request is built and signed before the timed phase (Twilio's RequestValidator algorithm
over the public URL and every field), and sent over keep-alive HTTP/1.1 connections as plain
bytes, so that the client's own work stays small beside the server's: each line reports the
CPU seconds of the client, of `cobro serve` (and of its worker process) and of PostgreSQL.

Run: PYTHONPATH=. .venv/bin/python bench/inbound.py [--rates 100,250,500,1000] [--seconds 3]
     [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
     [--redis-url redis://127.0.0.1:6379] [--workers 1] [--worker-apart] [--logs DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
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
from urllib.parse import urlencode

from sqlalchemy import select
from sqlmodel import col
from twilio.request_validator import RequestValidator

from service.db import Database
from service.inbound.models import InboundPayload
from service.ledger.models import Customer
from service.migrations import upgrade
from service.tenancy.service import create_tenant
from service.threads.models import Message
from tests.scratch import (
    claim_redis_db,
    create_postgres_database,
    drop_postgres_database,
    release_redis_db,
)

TWILIO_TOKEN = "bench-twilio-token-" + secrets.token_hex(8)
MIME_TOKEN = "bench-mime-token-" + secrets.token_hex(8)
SENDGRID_USER = "bench-parse"
SENDGRID_PASSWORD = "bench-parse-" + secrets.token_hex(8)
SMS_FROM = "+14155550199"
CUSTOMERS = 200
MAX_REQUESTS_PER_RATE = 3000
CONNECTIONS = 64
SMS_PATH = "/webhooks/twilio/sms"


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


# --- CPU accounting from /proc ---------------------------------------------------------------


def _stat(pid: int | str) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    return [name, *text.rsplit(")", 1)[1].split()]


def _cpu_of(fields: list[str]) -> float:
    # utime and stime (fields 14 and 15 of proc(5)), in clock ticks.
    return (int(fields[12]) + int(fields[13])) / os.sysconf("SC_CLK_TCK")


def _cpu_snapshot(server_pids: list[int]) -> dict[tuple[str, int], float]:
    """CPU seconds so far of each process: this client, the server processes and their
    children, PostgreSQL's, keyed by (group, pid)."""
    totals = {("client", os.getpid()): time.process_time()}
    roots = set(server_pids)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(entry.name)
        if fields is None:
            continue
        pid, parent = int(entry.name), int(fields[2])
        if pid in roots:
            group = "serve" if pid == server_pids[0] else "worker"
        elif parent in roots and not fields[0].startswith("redis"):
            group = "worker"
        elif fields[0].startswith("postgres"):
            group = "postgres"
        else:
            continue
        totals[(group, pid)] = _cpu_of(fields)
    return totals


def _cpu_line(before: dict[tuple[str, int], float], after: dict[tuple[str, int], float]) -> str:
    """Per group, what its processes used between the snapshots. A process that ended in
    between (a PostgreSQL backend closed by the pool) is not counted: its figure is a floor."""
    spent = {"client": 0.0, "serve": 0.0, "worker": 0.0, "postgres": 0.0}
    for key, seconds in after.items():
        spent[key[0]] += seconds - before.get(key, 0.0)
    return ", ".join(f"{name} {value:.1f}" for name, value in spent.items())


# --- Requests as the providers send them -----------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    key: str  # the payload's dedupe key: MessageSid or Message-ID
    request: bytes  # the whole HTTP/1.1 request


def _http(path: str, host: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += [f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


def _sms(index: int, *, host: str, public_url: str) -> Prepared:
    sid = "SM" + secrets.token_hex(16)
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": f"+1212555{index % CUSTOMERS:04d}",
        "To": SMS_FROM,
        "Body": "Pagaremos la factura el viernes" if index % 3 else "Paid yesterday, thanks",
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(public_url + SMS_PATH, params)
    headers = {
        "User-Agent": "TwilioProxy/1.1",
        "Accept": "*/*",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
    }
    return Prepared(sid, _http(SMS_PATH, host, headers, urlencode(params).encode()))


def _mime(index: int, *, host: str) -> Prepared:
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
    headers = {"Authorization": f"Bearer {MIME_TOKEN}", "Content-Type": "message/rfc822"}
    return Prepared(message_id, _http("/webhooks/email/mime", host, headers, message.as_bytes()))


def _sendgrid(index: int, *, host: str) -> Prepared:
    """A parsed-mode Inbound Parse post: multipart/form-data, basic auth."""
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
        "SPF": "pass",
        "attachments": "0",
    }
    boundary = "xYzZY" + secrets.token_hex(8)
    body = bytearray()
    for name, value in fields.items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        body += value.encode() + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    credentials = base64.b64encode(f"{SENDGRID_USER}:{SENDGRID_PASSWORD}".encode()).decode()
    headers = {
        "User-Agent": "Sendlib/1.0",
        "Authorization": f"Basic {credentials}",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    }
    return Prepared(message_id, _http("/webhooks/sendgrid/inbound", host, headers, bytes(body)))


def _prepare(count: int, *, host: str, public_url: str) -> list[Prepared]:
    prepared = []
    for index in range(count):
        if index % 3 == 0:
            prepared.append(_sms(index, host=host, public_url=public_url))
        elif index % 3 == 2:
            prepared.append(_sendgrid(index, host=host))
        else:
            prepared.append(_mime(index, host=host))
    return prepared


# --- A small keep-alive HTTP/1.1 client ------------------------------------------------------


class Connections:
    """A fixed pool of keep-alive connections; a request waits for a free one."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port, self.size = host, port, size
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue()
        )

    async def open(self) -> None:
        for _ in range(self.size):
            self.idle.put_nowait(await asyncio.open_connection(self.host, self.port))

    async def send(self, request: bytes) -> int:
        """The response's status; the connection is replaced when the server closes it."""
        reader, writer = await self.idle.get()
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length, close = 0, False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            if length:
                await reader.readexactly(length)
        except BaseException:
            writer.close()
            self.idle.put_nowait(await asyncio.open_connection(self.host, self.port))
            raise
        if close:
            writer.close()
            reader, writer = await asyncio.open_connection(self.host, self.port)
        self.idle.put_nowait((reader, writer))
        return int(head[9:12])

    async def close(self) -> None:
        while not self.idle.empty():
            _reader, writer = self.idle.get_nowait()
            writer.close()


async def _wait_ready(host: str, port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    probe = f"GET /healthz HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("cobro serve exited")
        try:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(probe)
            status = (await reader.readline())[9:12]
            writer.close()
            if status == b"200":
                return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("cobro serve did not become ready")


@dataclass
class Level:
    rate: int
    requests: list[Prepared]
    sent_at: dict[str, float] = field(default_factory=dict)  # dedupe key -> wall clock
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    elapsed: float = 0.0
    late: float = 0.0  # the client's worst delay behind its schedule, in seconds


async def _one(pool: Connections, level: Level, item: Prepared) -> None:
    started = time.perf_counter()
    level.sent_at[item.key] = time.time()
    try:
        status = await pool.send(item.request)
    except (OSError, asyncio.IncompleteReadError, ValueError):
        status = 0
    if status == 200:
        level.latencies.append(time.perf_counter() - started)
    else:
        level.failures += 1
        del level.sent_at[item.key]  # nothing was acknowledged, so nothing is waited for


async def _run_level(pool: Connections, level: Level) -> None:
    """Open loop: requests start on schedule whether or not earlier ones have answered."""
    interval = 1.0 / level.rate
    started = time.perf_counter()
    tasks = []
    for index, item in enumerate(level.requests):
        due = started + index * interval
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            level.late = max(level.late, -delay)
        tasks.append(asyncio.create_task(_one(pool, level, item)))
    await asyncio.gather(*tasks)
    level.elapsed = time.perf_counter() - started


@dataclass
class Routing:
    delays: list[float]  # seconds from webhook sent to thread routed, routed payloads only
    ended_unrouted: int  # processing ended without a message on a thread
    pending: int  # not processed when the wait ran out
    span: float  # seconds from the level's first request sent to its last payload routed


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
    first_sent = min(level.sent_at.values(), default=0.0)
    last_routed = max((at.timestamp() for at in routed.values()), default=first_sent)
    return Routing(
        delays=[routed[key].timestamp() - level.sent_at[key] for key in routed],
        ended_unrouted=len(ended),
        pending=len(keys) - len(routed) - len(ended),
        span=last_routed - first_sent,
    )


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _report(level: Level, routing: Routing, cpu: str) -> str:
    notes = [
        f"{routing.ended_unrouted} ended without a thread" if routing.ended_unrouted else "",
        f"{routing.pending} not processed within 60 s" if routing.pending else "",
        f"client up to {level.late * 1000:.0f} ms behind schedule" if level.late > 0.005 else "",
    ]
    acknowledged = len(level.latencies)
    return (
        f"target {level.rate:>5}/s: {acknowledged} ok ({level.failures} failed) "
        f"at {acknowledged / level.elapsed:,.0f} req/s; "
        f"ack p50 {_percentile(level.latencies, 0.5) * 1000:.1f} ms, "
        f"p99 {_percentile(level.latencies, 0.99) * 1000:.1f} ms; "
        f"routed p95 {_percentile(routing.delays, 0.95) * 1000:.0f} ms "
        f"({len(routing.delays)} routed"
        + (f", {len(routing.delays) / routing.span:,.0f}/s" if routing.span > 0 else "")
        + ")"
        + "".join(f"; {note}" for note in notes if note)
        + f"\n      cpu s (sending): {cpu}"
    )


async def _bench(
    database_url: str,
    redis_url: str,
    rates: list[int],
    seconds: float,
    *,
    worker_apart: bool,
    workers: int,
    log_to: Path | None,
) -> None:
    upgrade(database_url)
    await _seed(database_url)
    host, port = "127.0.0.1", _free_port()
    public_url = f"http://{host}:{port}"
    warm_up = Level(rate=20, requests=_prepare(20, host=f"{host}:{port}", public_url=public_url))
    levels = [
        Level(
            rate=rate,
            requests=_prepare(
                min(int(rate * seconds), MAX_REQUESTS_PER_RATE),
                host=f"{host}:{port}",
                public_url=public_url,
            ),
        )
        for rate in rates
    ]
    with tempfile.TemporaryDirectory() as var_dir:
        serve = ["serve", "--host", host, "--port", str(port), "--workers", str(workers)]
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
        server_pids = [process.pid] + ([worker.pid] if worker else [])
        database = Database(database_url)
        pool = Connections(host, port, CONNECTIONS)
        try:
            await _wait_ready(host, port, process)
            await pool.open()
            await _run_level(pool, warm_up)
            await _routed(database, warm_up, timeout=30)
            for level in levels:
                # Fresh connections: the server closes the ones idle while the last level routed.
                await pool.close()
                await pool.open()
                before = _cpu_snapshot(server_pids)
                await _run_level(pool, level)
                cpu = _cpu_line(before, _cpu_snapshot(server_pids))
                routing = await _routed(database, level, timeout=60)
                print(_report(level, routing, cpu), flush=True)
            print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
        finally:
            await pool.close()
            if log_to is not None:
                for log in Path(var_dir).glob("*.log"):
                    (log_to / log.name).write_bytes(log.read_bytes())
            await database.dispose()
            for child in (process, worker):
                if child is None:
                    continue
                child.terminate()
                try:
                    child.wait(timeout=30)
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
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes `cobro serve` runs (--workers)"
    )
    parser.add_argument("--logs", type=Path, help="copy the server's logs into this folder")
    args = parser.parse_args()
    rates = [int(rate) for rate in args.rates.split(",") if rate.strip()]
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    redis_url = claim_redis_db(args.redis_url)
    try:
        database_url = asyncio.run(
            create_postgres_database(args.database_url, prefix="cobro_bench_inbound_")
        )
        try:
            asyncio.run(
                _bench(
                    database_url,
                    redis_url,
                    rates,
                    args.seconds,
                    worker_apart=args.worker_apart,
                    workers=args.workers,
                    log_to=args.logs,
                )
            )
        finally:
            asyncio.run(drop_postgres_database(database_url))
    finally:
        release_redis_db(redis_url)


if __name__ == "__main__":
    main()
