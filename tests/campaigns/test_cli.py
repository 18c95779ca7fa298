"""`cobro campaign run` and `cobro campaign list`, run as a user runs them: a subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx

from service.config import Settings
from service.queue import HEALTH_CHECK_KEY
from service.runtime import Runtime
from tests.campaigns.builders import AS_OF, add_customer, create_campaign
from tests.tenancy.builders import TenantHandle
from tests.workers.running import running_worker


async def _cobro(settings: Settings, *args: str, cwd: Path) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.resolved_database_url,
        "REDIS_URL": settings.redis_url or "",
        "COBRO_VAR_DIR": str(cwd / "var"),
        "COBRO_PUBLIC_URL": settings.public_url,
        "COBRO_SECRET_KEY": settings.resolved_secret_key(),
        "COBRO_PACING": "false",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=300)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


def _last_json(stdout: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return result


async def test_a_dry_run_prints_the_run_and_its_counts(
    settings: Settings, client: httpx.AsyncClient, tenant: TenantHandle, tmp_path: Path
) -> None:
    campaign = await create_campaign(client, tenant)
    await add_customer(client, tenant, "CLI1", days=[10])
    await add_customer(client, tenant, "CLI2", days=[40], email=None, phone=None)
    code, stdout, stderr = await _cobro(
        settings, "campaign", "run", campaign["id"], "--dry-run", "--as-of", AS_OF.isoformat(),
        cwd=tmp_path,
    )  # fmt: skip
    assert code == 0, stderr
    result = _last_json(stdout)
    assert result["dry_run"] is True
    assert result["status"] == "planned"
    assert result["counts"]["planned"] == 1
    assert result["skipped_reasons"] == {"no_reachable_channel": 1}
    assert f"dry run {result['run_id']}" in stdout
    report = await client.get(f"/v1/runs/{result['run_id']}", headers=tenant.headers)
    assert report.json()["counts"]["planned"] == 1


async def test_a_real_run_goes_through_the_queue_with_a_progress_bar(
    settings: Settings, runtime: Runtime, client: httpx.AsyncClient, tenant: TenantHandle,
    tmp_path: Path,
) -> None:  # fmt: skip
    campaign = await create_campaign(client, tenant)
    for index in range(3):
        await add_customer(client, tenant, f"SENDME{index}", days=[10 + index], phone=None)
    async with running_worker(runtime):
        for _ in range(100):
            if await runtime.queue.pool.get(HEALTH_CHECK_KEY) is not None:
                break
            await asyncio.sleep(0.1)
        code, stdout, stderr = await _cobro(
            settings, "campaign", "run", campaign["id"], "--as-of", AS_OF.isoformat(),
            cwd=tmp_path,
        )  # fmt: skip
    assert code == 0, stderr
    result = _last_json(stdout)
    assert result["dry_run"] is False
    assert result["status"] == "completed"
    assert result["counts"]["sent"] + result["counts"]["delivered"] == 3
    assert "messages settled" in stderr
    # The same day again: the same run, nothing added.
    code, again, stderr = await _cobro(
        settings, "campaign", "run", campaign["id"], "--as-of", AS_OF.isoformat(), cwd=tmp_path
    )
    assert code == 0, stderr
    assert _last_json(again)["run_id"] == result["run_id"]
    assert "running again adds nothing" in again


async def test_clear_errors_without_tracebacks(
    settings: Settings, client: httpx.AsyncClient, tenant: TenantHandle, tmp_path: Path
) -> None:
    unknown = str(uuid.uuid4())
    code, _stdout, stderr = await _cobro(settings, "campaign", "run", unknown, cwd=tmp_path)
    assert code == 1
    assert f"no campaign {unknown}" in stderr
    assert "Traceback" not in stderr
    paused = await create_campaign(client, tenant, status="paused")
    code, _stdout, stderr = await _cobro(settings, "campaign", "run", paused["id"], cwd=tmp_path)
    assert code == 1
    assert "paused" in stderr
    assert "Traceback" not in stderr
    code, _stdout, stderr = await _cobro(settings, "campaign", "run", "nope", cwd=tmp_path)
    assert code == 2
    assert "not an id" in stderr
    code, _stdout, stderr = await _cobro(
        settings, "campaign", "run", paused["id"], "--as-of", "tomorrow", cwd=tmp_path
    )
    assert code == 2
    assert "--as-of" in stderr


async def test_campaign_list_shows_ids_names_and_schedules(
    settings: Settings, client: httpx.AsyncClient, tenant: TenantHandle, tmp_path: Path
) -> None:
    campaign = await create_campaign(
        client, tenant, name="Weekday mornings",
        schedule={"cron": "0 9 * * 1-5", "timezone": "America/New_York"},
    )  # fmt: skip
    code, stdout, stderr = await _cobro(
        settings, "campaign", "list", "--tenant", str(tenant.tenant.id), cwd=tmp_path
    )
    assert code == 0, stderr
    line = next(line for line in stdout.splitlines() if campaign["id"] in line)
    assert "Weekday mornings" in line
    assert "0 9 * * 1-5 (America/New_York)" in line
