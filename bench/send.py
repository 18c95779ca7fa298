"""Outbound send throughput: 20,000 messages (half email, half SMS) through PostgreSQL, Redis
and one `cobro worker` process to the SendGrid and Twilio emulators, rate limits off.

Creates a scratch PostgreSQL database, claims a Redis db the way the test suite does (a claim
key set only if no live run holds that db; only the claimed db is ever flushed), starts the
emulators in this process and one worker process, then queues the messages as a campaign
would (one run, 500 per transaction, each commit asking for the run's send job) while the
worker sends them. Prints messages per second, p50 / p99 from queued to accepted (the
provider's acceptance of each message, as the worker stamps it), and the worker's peak RSS.

Run: PYTHONPATH=. .venv/bin/python bench/send.py [--messages 20000] [--parallel-batches 1]
     [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
     [--redis-url redis://127.0.0.1:6379]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlmodel import col

from service.config import Settings
from service.db import Database, table_of
from service.ledger.models import Customer
from service.migrations import upgrade
from service.outreach.service import queue_message
from service.queue import connect_queue
from service.tenancy.service import create_tenant
from service.threads.models import Message, MessageStatus, Thread
from tests.emulators import SendGridEmulator, TwilioEmulator
from tests.scratch import (
    claim_redis_db,
    create_postgres_database,
    drop_postgres_database,
    release_redis_db,
)

SENDGRID_KEY = "SG.bench-key"
TWILIO_SID = "AC" + "b" * 32
TWILIO_TOKEN = "bench-twilio-token"
CHUNK = 500


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _portfolio(
    database: Database, *, customers: int
) -> tuple[uuid.UUID, list[tuple[Customer, Thread]]]:
    async with database.transaction() as session:
        tenant = await create_tenant(
            session,
            name="Bench Supplies",
            language="en",
            timezone="America/New_York",
            country="US",
            email_from="ar@bench.example",
            sms_from="+14155550100",
        )
    pairs: list[tuple[Customer, Thread]] = []
    for start in range(0, customers, 2000):
        rows = []
        threads = []
        for index in range(start, min(customers, start + 2000)):
            customer = Customer(
                tenant_id=tenant.id,
                external_id=f"B{index}",
                name=f"Customer {index}",
                language="en",
                email=f"payables{index}@customer{index % 97}.example",
                phone=f"+1500{index:07d}",
            )
            thread = Thread(tenant_id=tenant.id, customer_id=customer.id, reference=f"CB-B{index}")
            rows.append(customer)
            threads.append(thread)
            pairs.append((customer, thread))
        async with database.transaction() as session:
            await session.execute(insert(table_of(Customer)), [row.model_dump() for row in rows])
            await session.execute(
                insert(table_of(Thread)), [thread.model_dump() for thread in threads]
            )
    return tenant.id, pairs


async def _queue_all(
    database: Database,
    settings: Settings,
    tenant_id: uuid.UUID,
    pairs: list[tuple[Customer, Thread]],
    *,
    messages: int,
) -> float:
    from service.tenancy.models import Tenant

    run_id = uuid.uuid4()
    async with database.transaction() as session:
        tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise LookupError(tenant_id)
    started = time.monotonic()
    for start in range(0, messages, CHUNK):
        async with database.transaction() as session:
            for index in range(start, min(messages, start + CHUNK)):
                customer, thread = pairs[(index // 2) % len(pairs)]
                email = index % 2 == 0
                await queue_message(
                    session,
                    settings=settings,
                    tenant=tenant,
                    customer=customer,
                    thread=thread,
                    channel="email" if email else "sms",
                    to=customer.email if email else customer.phone,
                    subject="Invoice INV-7 is past due" if email else None,
                    body="Hello, invoice INV-7 for $120.00 is past due. Pay at https://pay.example/x",
                    html="<p>Hello, invoice INV-7 for $120.00 is past due.</p>" if email else None,
                    language="en",
                    template="reminder_friendly",
                    invoice_numbers=["INV-7"],
                    run_id=run_id,
                )
    return time.monotonic() - started


async def _wait_done(database: Database, *, messages: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        async with database.transaction() as session:
            done = (
                await session.execute(
                    select(func.count()).where(
                        col(Message.status).in_([MessageStatus.sent, MessageStatus.delivered])
                    )
                )
            ).scalar_one()
        if done >= messages:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {done} of {messages} sent")
        await asyncio.sleep(0.25)


async def run(
    *, messages: int, database_server: str, redis_server: str, parallel_batches: int
) -> None:
    redis_url = claim_redis_db(redis_server)
    database_url = await create_postgres_database(database_server, prefix="cobro_bench_send_")
    upgrade(database_url)
    workdir = Path(tempfile.mkdtemp(prefix="cobro-bench-"))
    settings = Settings(
        COBRO_VAR_DIR=workdir,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        COBRO_PUBLIC_URL="https://cobro.bench",
        COBRO_INBOUND_DOMAIN="reply.cobro.bench",
        COBRO_SECRET_KEY="bench-secret-" + "y" * 40,
        _env_file=None,
    )
    queue = await connect_queue(redis_url)
    database = Database(database_url, queue=queue)
    sendgrid = SendGridEmulator(SENDGRID_KEY)
    twilio = TwilioEmulator(TWILIO_SID, TWILIO_TOKEN)
    worker: subprocess.Popen[bytes] | None = None
    try:
        await sendgrid.start()
        await twilio.start()
        tenant_id, pairs = await _portfolio(database, customers=messages // 2)
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("COBRO_", "SENDGRID_", "TWILIO_"))
            },
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "COBRO_VAR_DIR": str(workdir),
            "COBRO_PUBLIC_URL": settings.public_url,
            "COBRO_INBOUND_DOMAIN": settings.inbound_domain,
            "COBRO_SECRET_KEY": settings.resolved_secret_key(),
            "EMAIL_PROVIDER": "sendgrid",
            "SENDGRID_API_KEY": SENDGRID_KEY,
            "SENDGRID_API_URL": sendgrid.url,
            "SMS_PROVIDER": "twilio",
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_API_URL": twilio.url,
            "COBRO_PACING": "off",
            "COBRO_SEND_PARALLEL_BATCHES": str(parallel_batches),
            "COBRO_LOG_LEVEL": "WARNING",
        }
        worker = subprocess.Popen([sys.executable, "-m", "service", "worker"], env=env, cwd=workdir)
        await asyncio.sleep(4.0)  # let the worker start and settle
        cpu_before = _cpu_seconds(worker.pid)
        own_cpu_before = time.process_time()
        started = time.monotonic()
        queued_in = await _queue_all(database, settings, tenant_id, pairs, messages=messages)
        await _wait_done(database, messages=messages, timeout=600)
        wall = time.monotonic() - started
        peak = _peak_rss_mb(worker.pid)
        cpu = _cpu_seconds(worker.pid) - cpu_before
        own_cpu = time.process_time() - own_cpu_before
        async with database.transaction() as session:
            rows = (
                await session.execute(
                    select(col(Message.created_at), col(Message.sent_at), col(Message.channel))
                )
            ).all()
        pairs_sent = [(queued, sent) for queued, sent, _ in rows if sent is not None]
        first_queued = min(queued for queued, _ in pairs_sent)
        last_sent = max(sent for _, sent in pairs_sent)
        latencies = sorted((sent - queued).total_seconds() for queued, sent in pairs_sent)
        span = (last_sent - first_queued).total_seconds()
        p50, p99 = (statistics.quantiles(latencies, n=100)[i] * 1000 for i in (49, 98))
        emails = sum(1 for row in rows if row[2] == "email")
        print(
            f"messages: {len(rows)} ({emails} email, {len(rows) - emails} sms); emulators "
            f"accepted {len(sendgrid.accepted)} + {len(twilio.accepted)}"
        )
        print(
            f"queued in {queued_in:.1f} s ({messages / queued_in:.0f}/s); "
            f"all sent {wall:.1f} s after the first queue"
        )
        print(f"throughput: {messages / span:.0f} messages/s (first queued -> last accepted)")
        print(f"queued -> accepted: p50 {p50:.0f} ms, p99 {p99:.0f} ms")
        print(f"worker peak RSS: {peak:.0f} MB")
        print(
            f"CPU: worker {cpu:.1f} s ({cpu / messages * 1000:.2f} ms/message), "
            f"bench process (queueing + emulators) {own_cpu:.1f} s; load {os.getloadavg()[0]:.1f}"
        )
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        await sendgrid.stop()
        await twilio.stop()
        await database.dispose()
        await queue.close()
        await drop_postgres_database(database_url)
        release_redis_db(redis_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--parallel-batches", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
    )
    args = parser.parse_args()
    asyncio.run(
        run(
            messages=args.messages,
            database_server=args.database_url,
            redis_server=args.redis_url,
            parallel_batches=args.parallel_batches,
        )
    )


if __name__ == "__main__":
    main()
