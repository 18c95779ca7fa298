"""Aging-export import throughput: rows per second and peak memory, first import and re-import.

Generates a CSV (200,000 invoices of ~50,000 customers by default), creates a scratch PostgreSQL
database on the server, migrates it, creates a tenant, imports the file with `import_path` twice
and drops the database. Each line ends with the machine's load average.

Run: PYTHONPATH=. .venv/bin/python bench/import.py [--rows 200000] [--customers 50000]
     [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import random
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from service.db import Database
from service.ledger.imports import import_path
from service.ledger.schemas import ImportReport
from service.migrations import upgrade
from service.tenancy.service import create_tenant
from tests.scratch import create_postgres_database, drop_postgres_database

HEADER = (
    "customer_id,customer_name,language,timezone,email,phone,"
    "invoice_number,currency,amount,balance,issue_date,due_date,po_number\n"
)
US_AREAS = ("212", "312", "415", "512", "617", "713", "801", "919")
MX_AREAS = ("55", "33", "81")
ZONES_EN = ("America/New_York", "America/Chicago", "America/Los_Angeles", "")
ZONES_ES = ("America/Mexico_City", "America/Monterrey", "Europe/Madrid", "")


def _phone(rng: random.Random, spanish: bool) -> str:
    roll = rng.random()
    if roll < 0.4:
        return ""
    if spanish:
        return f"+52 {rng.choice(MX_AREAS)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
    return f"({rng.choice(US_AREAS)}) {rng.randint(201, 989)}-{rng.randint(1000, 9999)}"


def write_export(path: Path, *, rows: int, customers: int, seed: int = 11) -> None:
    """An aging export as an ERP writes one: customers' details repeated on each invoice row."""
    rng = random.Random(seed)
    details = []
    for index in range(customers):
        spanish = index % 3 == 0
        name = f"{'Distribuidora' if spanish else 'Supply'} {index} {'S.A.' if spanish else 'LLC'}"
        details.append(
            ",".join(
                (
                    f"CUST-{index:06d}",
                    f'"{name}"',
                    "es" if spanish else "en",
                    rng.choice(ZONES_ES if spanish else ZONES_EN),
                    f"ap{index}@customer{index % 997}.example" if rng.random() < 0.8 else "",
                    _phone(rng, spanish),
                )
            )
        )
    start = date(2023, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for number in range(rows):
            customer = rng.randrange(customers) if number >= customers else number
            issued = start + timedelta(days=rng.randint(0, 540))
            due = issued + timedelta(days=rng.choice((15, 30, 45, 60)))
            cents = rng.randint(5_000, 5_000_000)
            balance = cents if rng.random() < 0.7 else rng.randint(100, cents)
            currency = "MXN" if customer % 3 == 0 and rng.random() < 0.8 else "USD"
            po = f"PO-{rng.randint(10_000, 99_999)}" if rng.random() < 0.3 else ""
            out.write(
                f"{details[customer]},INV-{number:07d},{currency},{cents / 100:.2f},"
                f"{balance / 100:.2f},{issued.isoformat()},{due.isoformat()},{po}\n"
            )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load() -> str:
    # Figures from a shared machine mean little without how busy it was.
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def _show(label: str, report: ImportReport, seconds: float) -> None:
    print(
        f"{label}: {report.rows} rows in {seconds:.2f} s = {report.rows / seconds:,.0f} rows/s; "
        f"accepted {report.accepted}, rejected {report.rejected}; "
        f"customers +{report.customers_created} ~{report.customers_updated}; "
        f"invoices +{report.invoices_created} ~{report.invoices_updated}, "
        f"unchanged {report.unchanged}; peak RSS {_peak_mb():.0f} MB; {_load()}",
        flush=True,
    )


async def _run(database: Database, path: Path, *, profile: bool) -> None:
    async with database.transaction() as session:
        tenant = await create_tenant(session, name="Bench Receivables", country="US")
    profiler = cProfile.Profile() if profile else None
    for label in ("first import", "re-import"):
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        report = await import_path(database, tenant_id=tenant.id, path=path)
        if profiler is not None:
            profiler.disable()
        _show(label, report, time.perf_counter() - started)
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the imports")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "aging.csv"
        started = time.perf_counter()
        write_export(path, rows=args.rows, customers=min(args.customers, args.rows))
        size_mb = path.stat().st_size / 1e6
        seconds = time.perf_counter() - started
        print(f"generated {args.rows} rows ({size_mb:.1f} MB) in {seconds:.1f} s", flush=True)

        scratch = create_postgres_database(args.database_url, prefix="cobro_bench_import_")
        url = asyncio.run(scratch)
        try:
            upgrade(url)

            async def scenario() -> None:
                database = Database(url)
                try:
                    await _run(database, path, profile=args.profile)
                finally:
                    await database.dispose()

            asyncio.run(scenario())
        finally:
            asyncio.run(drop_postgres_database(url))


if __name__ == "__main__":
    main()
