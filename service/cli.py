"""The `cobro` command line."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from service.campaigns.cli import campaign_app
from service.config import ConfigurationError, Settings, get_settings
from service.inbound.cli import inbound_app
from service.logging import configure_logging

app = typer.Typer(help="Cobro: collections messaging.", no_args_is_help=True, add_completion=False)
tenant_app = typer.Typer(
    help="Manage tenants (the client companies whose receivables you collect)."
)
app.add_typer(tenant_app, name="tenant")
app.add_typer(inbound_app, name="inbound")
app.add_typer(campaign_app, name="campaign")

out = Console()
err = Console(stderr=True)

SERVE_HOST = "127.0.0.1"
SERVE_PORT = 8000


def _fail(message: str, *, code: int, cause: BaseException | None = None) -> NoReturn:
    """One line on stderr and an exit code: 2 for a usage or configuration error, 1 otherwise."""
    err.print(message, style="red", soft_wrap=True, markup=False, highlight=False)
    raise typer.Exit(code) from cause


def _redacted(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}" if rest else url


def _settings() -> Settings:
    try:
        settings = get_settings()
    except ConfigurationError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    configure_logging(settings.log_level)
    return settings


@app.command()
def migrate() -> None:
    """Upgrade the database to the newest schema (Alembic)."""
    from service.migrations import upgrade
    from service.runtime import prepare_storage

    settings = _settings()
    prepare_storage(settings)
    upgrade(settings.resolved_database_url)
    out.print("database is at the newest schema")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = SERVE_HOST,
    port: Annotated[int, typer.Option(help="port to listen on")] = SERVE_PORT,
    worker: Annotated[
        bool, typer.Option(help="run an arq worker beside the API (a child process)")
    ] = True,
    workers: Annotated[
        int, typer.Option(min=1, help="how many worker processes to run beside the API")
    ] = 1,
) -> None:
    """Serve the API and, unless --no-worker, an arq worker beside it. Migrates on start."""
    from service.supervisor import run

    settings = _settings()
    run(_serve(settings, host=host, port=port, workers=workers if worker else 0))


async def _serve(settings: Settings, *, host: str, port: int, workers: int) -> None:
    import uvicorn

    from service.app import create_app
    from service.runtime import open_runtime
    from service.supervisor import WorkerProcess

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            """SIGINT and SIGTERM stop the server gracefully. Unlike uvicorn's own, this does not
            raise the signal again once the server has stopped: that would kill the process
            before the worker, the engine and the embedded Redis are shut down below."""
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            handled = (signal.SIGINT, signal.SIGTERM)
            original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
            try:
                yield
            finally:
                for sig, handler in original.items():
                    signal.signal(sig, handler)

    async with open_runtime(settings, migrate=True) as runtime:
        api = create_app(runtime=runtime)
        server = Server(
            uvicorn.Config(api, host=host, port=port, log_config=None, proxy_headers=False)
        )
        # Workers run as child processes (service/supervisor.py): in this event loop their
        # processing would hold up the webhooks' acknowledgements.
        background = [WorkerProcess(redis_url=runtime.redis_url) for _ in range(workers)]
        for child in background:
            await child.start()
        err.print(f"Cobro is serving on http://{host}:{port} (docs at /docs)")
        try:
            await server.serve()
        finally:
            await asyncio.gather(*(child.stop() for child in background))


@app.command("worker")
def worker_command(
    check: Annotated[bool, typer.Option("--check", help="exit 0 if a worker is alive")] = False,
    parent: Annotated[
        int | None,
        typer.Option(hidden=True, help="pid of the `cobro serve` that runs this worker"),
    ] = None,
) -> None:
    """Run an arq worker alone (or check that one is alive)."""
    from service.supervisor import run

    settings = _settings()
    if check:
        raise typer.Exit(asyncio.run(_check_worker(settings)))
    run(_work(settings, parent=parent))


async def _work(settings: Settings, *, parent: int | None = None) -> None:
    from service.runtime import open_runtime
    from service.supervisor import watch_parent
    from workers.settings import build_worker, close_worker

    # Under `cobro serve` (``parent``) the schema is migrated already, by the parent.
    async with open_runtime(settings, migrate=parent is None) as runtime:
        worker = build_worker(runtime, handle_signals=True)
        watch = (
            asyncio.create_task(watch_parent(parent, lambda: worker.handle_sig(signal.SIGTERM)))
            if parent is not None
            else None
        )
        try:
            # async_run() keeps the task that arq's SIGINT/SIGTERM handler cancels; awaiting
            # main() directly left the handler nothing to cancel, and the worker ran on.
            await worker.async_run()
        except asyncio.CancelledError:
            err.print("worker stopped")
        finally:
            if watch is not None:
                watch.cancel()
            await close_worker(worker)


async def _check_worker(settings: Settings) -> int:
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    from service.queue import HEALTH_CHECK_KEY, EmbeddedRedis

    url = settings.redis_url or EmbeddedRedis(settings.var_dir).url
    client: Redis = Redis.from_url(url, socket_timeout=3)
    try:
        value = await client.get(HEALTH_CHECK_KEY)
    except (RedisError, OSError) as exc:
        err.print(f"Redis unreachable at {_redacted(url)}: {exc}", soft_wrap=True)
        return 1
    finally:
        await client.aclose()
    if value is None:
        err.print("no worker has reported recently")
        return 1
    out.print(value.decode())
    return 0


@tenant_app.command("create")
def tenant_create(
    name: str,
    language: Annotated[str, typer.Option(help="default language: en or es")] = "en",
    timezone: Annotated[str, typer.Option(help="IANA time zone")] = "UTC",
    country: Annotated[str, typer.Option(help="ISO country for national phone numbers")] = "US",
    email_from: Annotated[str | None, typer.Option(help="sender email address")] = None,
    sms_from: Annotated[str | None, typer.Option(help="sender number, E.164")] = None,
    postal_address: Annotated[
        str | None, typer.Option(help="postal address for email footers (required to email)")
    ] = None,
) -> None:
    """Create a tenant and print its admin API key (shown once) as JSON on the last line."""
    settings = _settings()
    result = asyncio.run(
        _create_tenant(
            settings,
            name=name,
            language=language,
            timezone=timezone,
            country=country,
            email_from=email_from,
            sms_from=sms_from,
            postal_address=postal_address,
        )
    )
    if sys.stdout.isatty():
        err.print(f"Tenant {name!r} created; its admin API key is shown once.")
    # One compact line, last, whatever the terminal: scripts read it with `tail -n 1`.
    typer.echo(json.dumps(result))


async def _create_tenant(settings: Settings, **fields: str | None) -> dict[str, str]:
    from service.ledger.normalize import InvalidField
    from service.runtime import open_runtime
    from service.tenancy import service as tenancy
    from service.tenancy.models import Role

    async with open_runtime(settings, migrate=True) as runtime:
        try:
            async with runtime.database.transaction() as session:
                tenant = await tenancy.create_tenant(
                    session,
                    name=str(fields["name"]),
                    language=str(fields["language"]),
                    timezone=str(fields["timezone"]),
                    country=str(fields["country"]),
                    email_from=fields["email_from"],
                    sms_from=fields["sms_from"],
                    postal_address=fields["postal_address"],
                )
                _key, secret = await tenancy.issue_key(
                    session, tenant_id=tenant.id, role=Role.admin, name="admin"
                )
        except InvalidField as exc:
            _fail(str(exc), code=2, cause=exc)
    return {"tenant_id": str(tenant.id), "api_key": secret}


@app.command()
def demo(
    customers: Annotated[int, typer.Option(help="how many demo customers")] = 200,
    seed: Annotated[int, typer.Option(help="random seed of the demo portfolio")] = 7,
) -> None:
    """Load a demo tenant and portfolio, and print its admin API key and the service URL."""
    from service.demo import load_demo
    from service.runtime import open_runtime

    settings = _settings()

    async def run() -> dict[str, str | int]:
        async with open_runtime(settings, migrate=True) as runtime:
            return await load_demo(runtime.database, customers=customers, seed=seed)

    result = asyncio.run(run())
    out.print(
        f"Demo tenant [bold]{result['tenant_name']}[/bold]: {result['customers']} customers, "
        f"{result['invoices']} invoices."
    )
    local = f"http://{SERVE_HOST}:{SERVE_PORT}"
    out.print(f"Start the service with: cobro serve   (it listens on {local})", highlight=False)
    if settings.public_url != local:
        out.print(f"Public URL (COBRO_PUBLIC_URL): {settings.public_url}", highlight=False)
    out.print(f"Admin API key (shown once): [bold]{result['api_key']}[/bold]", soft_wrap=True)
    out.print(
        f"Try: curl -H 'Authorization: Bearer {result['api_key']}' {local}/v1/aging",
        soft_wrap=True,
        highlight=False,
    )


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    tenant: Annotated[str, typer.Option(help="tenant id")],
) -> None:
    """Import a CSV or XLSX aging export (one row per invoice) into a tenant's portfolio."""
    from service.errors import CobroError
    from service.ledger.imports import ImportProgress, import_path
    from service.runtime import open_runtime

    settings = _settings()
    try:
        tenant_id = uuid.UUID(tenant)
    except ValueError as exc:
        _fail("--tenant takes a tenant id (a UUID)", code=2, cause=exc)

    async def run() -> str:
        async with open_runtime(settings, migrate=True) as runtime:
            with Progress(
                TextColumn("importing {task.fields[name]}"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rows]:,} rows"),
                TimeElapsedColumn(),
                console=err,
            ) as progress:
                task = progress.add_task("import", total=None, name=file.name, rows=0)

                def advance(step: ImportProgress) -> None:
                    # CSV moves by bytes read (the file size is known), XLSX by rows of the sheet.
                    progress.update(task, completed=step.done, total=step.total, rows=step.rows)

                report = await import_path(
                    runtime.database, tenant_id=tenant_id, path=file, on_progress=advance
                )
            return report.model_dump_json(indent=2)

    try:
        report = asyncio.run(run())
    except CobroError as exc:
        # An unknown tenant, a file that is not an aging export: the command was given wrong input.
        _fail(f"cannot import {file.name}: {exc.detail}", code=2, cause=exc)
    out.print_json(report)


@app.command("classify-eval")
def classify_eval(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Score the reply classifier on labeled replies (JSON lines): accuracy and per-class
    precision, recall and F1 for intent, reason, team and opt_out; promise-date exact match."""
    from service.disputes.evaluation import evaluate, format_report, load_jsonl

    records = load_jsonl(file)
    if not records:
        err.print(f"{file} holds no labeled replies")
        raise typer.Exit(2)
    typer.echo(format_report(evaluate(records)))


def main() -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from sqlalchemy.exc import InterfaceError, OperationalError

    try:
        app()
    except (OSError, OperationalError, InterfaceError, RedisConnectionError) as exc:
        # The database or Redis is down, unreachable or refusing: one line, not a traceback
        # (which COBRO_LOG_LEVEL=DEBUG still shows).
        if os.environ.get("COBRO_LOG_LEVEL", "").upper() == "DEBUG":
            raise
        first_line = f"{type(exc).__name__}: {exc}".splitlines()[0]
        err.print(first_line, style="red", soft_wrap=True, markup=False, highlight=False)
        sys.exit(1)
