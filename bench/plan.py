"""Campaign planning speed: one run over 1,000,000 open invoices of 250,000 customers.

Creates a scratch PostgreSQL database, fills it with SQL (generate_series, so the set-up is quick),
plans one real run of the default aging campaign with the same code the worker runs, and prints
seconds, messages planned and the peak memory of the process. Drops the database at the end.

Run: PYTHONPATH=. .venv/bin/python bench/plan.py [--invoices 1000000] [--customers 250000]
     [--min-balance 0] [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

A check at small scale: --invoices 20000 --customers 5000. With --min-balance above 0 the plan also
sums each customer's balance per currency (a window over every candidate invoice).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time
import uuid

from sqlalchemy import text

from service.campaigns import runner
from service.campaigns import service as campaigns
from service.campaigns.models import CampaignRun
from service.config import Settings
from service.db import Database
from service.migrations import upgrade
from service.templating.service import TemplateCatalog
from service.tenancy.clock import tenant_today
from service.tenancy.service import create_tenant
from tests.scratch import create_postgres_database, drop_postgres_database


async def _fill(database: Database, tenant_id: uuid.UUID, *, customers: int, invoices: int) -> None:
    """Customers in four zones and both languages, a tenth without email, a fifth opted out of
    email; invoices spread from 10 days before due to 200 days past due."""
    per_customer = invoices // customers
    async with database.transaction() as session:
        await session.execute(
            text(
                """
                INSERT INTO customers (id, tenant_id, external_id, name, language, locale,
                    timezone, email, phone, tags, status, created_at, updated_at)
                SELECT gen_random_uuid(), :tenant, 'C' || g, 'Customer ' || g,
                    CASE WHEN g % 2 = 0 THEN 'en' ELSE 'es' END, NULL,
                    (ARRAY['America/New_York','America/Chicago','America/Mexico_City',
                           'Europe/Madrid'])[1 + g % 4],
                    CASE WHEN g % 10 = 0 THEN NULL ELSE 'ap' || g || '@customer.example' END,
                    '+1415' || lpad((g % 10000000)::text, 7, '0'),
                    '[]', 'active', now(), now()
                FROM generate_series(1, :customers) AS g
                """
            ),
            {"tenant": tenant_id, "customers": customers},
        )
        await session.execute(
            text(
                """
                INSERT INTO consent_records (id, tenant_id, channel, address, opted_out, source,
                    updated_at)
                SELECT gen_random_uuid(), :tenant, 'email', 'ap' || g || '@customer.example',
                    true, 'bench', now()
                FROM generate_series(1, :customers) AS g WHERE g % 5 = 1
                """
            ),
            {"tenant": tenant_id, "customers": customers},
        )
        await session.execute(
            text(
                """
                INSERT INTO invoices (id, tenant_id, customer_id, number, currency, amount,
                    balance, issued_on, due_on, po_number, status, disputed, promised_until,
                    created_at, updated_at)
                SELECT gen_random_uuid(), :tenant, c.id, c.external_id || '-' || k,
                    'USD', 100 + k, 100 + k, current_date - (30 + (k * 37 + n) % 210)::int,
                    current_date - ((k * 37 + n) % 210 - 10)::int, NULL, 'open',
                    (n + k) % 50 = 0, NULL, now(), now()
                FROM (SELECT id, external_id, row_number() OVER () AS n FROM customers) AS c,
                     generate_series(1, :per_customer) AS k
                """
            ),
            {"tenant": tenant_id, "per_customer": per_customer},
        )
        await session.execute(text("ANALYZE"))


async def main(arguments: argparse.Namespace) -> None:
    database_url = await create_postgres_database(
        arguments.database_url, prefix="cobro_bench_plan_"
    )
    try:
        upgrade(database_url)
        database = Database(database_url)
        settings = Settings(DATABASE_URL=database_url, COBRO_SECRET_KEY="bench" * 8, _env_file=None)
        catalog = TemplateCatalog()
        async with database.transaction() as session:
            tenant = await create_tenant(session, name="Bench", timezone="America/New_York")
            campaign = await campaigns.ensure_default_campaign(
                session, tenant=tenant, templates=catalog.default.template_names()
            )
            # Contact rules that do not hold anyone back, so every eligible customer is planned.
            campaign.rules = {**campaign.rules, "quiet_hours_start": "00:00",
                              "quiet_hours_end": "00:00", "send_on_weekends": True,
                              "min_balance": str(arguments.min_balance)}  # fmt: skip
        started = time.perf_counter()
        await _fill(database, tenant.id, customers=arguments.customers, invoices=arguments.invoices)
        print(f"set-up: {arguments.invoices:,} invoices of {arguments.customers:,} customers "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        async with database.transaction() as session:
            run = CampaignRun(
                tenant_id=tenant.id, campaign_id=campaign.id, as_of=tenant_today(tenant)
            )
            session.add(run)
        context = runner.Context(database=database, settings=settings, templates=catalog)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        outcome = await runner.plan(context, run_id=run.id)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        async with database.transaction() as session:
            planned_run = await session.get(CampaignRun, run.id)
            if planned_run is None:
                raise RuntimeError("the run vanished")
            report = await campaigns.run_report(session, run=planned_run)
        print(f"plan: {seconds:.1f} s ({outcome})")
        print(f"  messages planned {report.counts.planned:,}, customers skipped "
              f"{report.counts.skipped:,} {report.skipped_reasons}, invoices left out "
              f"{report.skipped_invoices}")  # fmt: skip
        print(f"  peak RSS of the process: {peak / 1024:.0f} MB "
              f"(before planning {rss_before / 1024:.0f} MB)")  # fmt: skip
        print("targets: under 30 s and under 500 MB")
        await database.dispose()
    finally:
        await drop_postgres_database(database_url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=250_000)
    parser.add_argument("--min-balance", type=int, default=0, help="the campaign's minimum")
    parser.add_argument(
        "--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    asyncio.run(main(parser.parse_args()))
