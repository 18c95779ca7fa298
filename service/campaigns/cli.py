"""`cobro campaign ...`: list the campaigns, run one now with a progress bar.

Imports beyond typer and rich happen inside the commands, so `cobro --help` stays quick.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from service.campaigns.command import Progress as RunProgress
    from service.config import Settings
    from service.runtime import Runtime

campaign_app = typer.Typer(help="Reminder campaigns: list them, run one now.", no_args_is_help=True)

out = Console()
err = Console(stderr=True)


def _fail(message: str, *, code: int) -> NoReturn:
    err.print(message, style="red", soft_wrap=True, markup=False, highlight=False)
    raise typer.Exit(code)


def _settings() -> Settings:
    from service.config import ConfigurationError, get_settings
    from service.logging import configure_logging

    try:
        settings = get_settings()
    except ConfigurationError as exc:
        _fail(str(exc), code=2)
    configure_logging(settings.log_level)
    return settings


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        _fail(f"{what}: not an id (a UUID): {value!r}", code=2)


@campaign_app.command("list")
def list_command(
    tenant: Annotated[str | None, typer.Option(help="only this tenant's (a tenant id)")] = None,
) -> None:
    """List the campaigns (of every tenant unless --tenant), with their ids."""
    from service.campaigns.command import listed
    from service.runtime import open_runtime

    settings = _settings()
    tenant_id = _uuid(tenant, "--tenant") if tenant else None

    async def run() -> None:
        async with open_runtime(settings, migrate=True) as runtime:
            found = await listed(runtime, tenant_id=tenant_id)
        if not found:
            out.print("no campaigns yet (a tenant's default campaign is made on first use)")
        for item in found:
            schedule = f", runs {item.schedule}" if item.schedule else ""
            out.print(
                f"{item.id}  {item.name} [{item.tenant}]: {item.status}, {item.steps} steps"
                f"{schedule}",
                markup=False, highlight=False, soft_wrap=True,
            )  # fmt: skip

    asyncio.run(run())


@campaign_app.command("run")
def run_command(
    campaign_id: Annotated[str, typer.Argument(metavar="ID", help="the campaign's id")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="plan and report, send nothing")
    ] = False,
    as_of: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD; today in the tenant's time zone by default")
    ] = None,
    wait: Annotated[
        bool, typer.Option(help="follow the sending until nothing is left to send now")
    ] = True,
) -> None:
    """Run a campaign now: plan it and, unless --dry-run, send it through the worker's queue.

    One real run per campaign and day: a second one the same day shows the first.

    Prints the run id, its counts and skipped reasons, and the same as JSON on the last line.
    """
    settings = _settings()
    wanted = _uuid(campaign_id, "ID")
    day = None
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            _fail(f"--as-of: not a date (YYYY-MM-DD): {as_of!r}", code=2)
    asyncio.run(_run(settings, campaign_id=wanted, dry_run=dry_run, as_of=day, wait=wait))


async def _run(
    settings: Settings, *, campaign_id: uuid.UUID, dry_run: bool, as_of: date | None, wait: bool
) -> None:
    from service.campaigns import command
    from service.errors import CobroError
    from service.runtime import open_runtime

    async with open_runtime(settings, migrate=True) as runtime:
        try:
            started = await command.start(
                runtime, campaign_id=campaign_id, dry_run=dry_run, as_of=as_of
            )
        except CobroError as exc:
            _fail(exc.detail, code=1)
        kind = "dry run" if dry_run else "run"
        again = "" if started.created else " (started earlier; running again adds nothing)"
        out.print(
            f"{kind} {started.run_id} of campaign {started.campaign!r}{again}",
            markup=False, highlight=False, soft_wrap=True,
        )  # fmt: skip
        current = await command.progress(runtime, run_id=started.run_id)
        if not dry_run and wait and not current.done:
            if await command.worker_alive(runtime):
                current = await _follow(runtime, started.run_id)
            else:
                err.print(
                    "no worker is running: the messages wait in the queue until `cobro worker` "
                    "(or `cobro serve`) runs",
                    style="yellow", markup=False, highlight=False,
                )  # fmt: skip
    _summary(current)


async def _follow(runtime: Runtime, run_id: uuid.UUID) -> RunProgress:
    from service.campaigns import command

    with Progress(
        TextColumn("sending"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("messages settled"),
        TimeElapsedColumn(),
        console=err,
    ) as bar:
        task = bar.add_task("send", total=None)

        def show(current: RunProgress) -> None:
            bar.update(task, completed=current.settled, total=current.total)

        return await command.follow(runtime, run_id=run_id, on_progress=show)


def _summary(current: RunProgress) -> None:
    report = current.report
    counts = report.counts
    out.print(
        f"{report.status}: planned {counts.planned}, waiting {counts.queued}, sent {counts.sent}, "
        f"delivered {counts.delivered}, failed {counts.failed}, skipped {counts.skipped}",
        markup=False, highlight=False, soft_wrap=True,
    )  # fmt: skip
    if report.skipped_reasons:
        reasons = ", ".join(f"{name} {n}" for name, n in report.skipped_reasons.items())
        out.print(f"skipped: {reasons}", markup=False, highlight=False, soft_wrap=True)
    if current.later and current.next_window is not None:
        out.print(
            f"{current.later} wait for their send window or a retry; the next at "
            f"{current.next_window.isoformat()}",
            markup=False, highlight=False, soft_wrap=True,
        )  # fmt: skip
    typer.echo(
        json.dumps(
            {
                "run_id": str(report.run_id),
                "status": report.status,
                "dry_run": report.dry_run,
                "counts": report.counts.model_dump(),
                "skipped_reasons": report.skipped_reasons,
            }
        )
    )
