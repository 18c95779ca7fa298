"""The console script, run as a user runs it: a subprocess with its own environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from service.config import Settings
from service.runtime import Runtime


def _cobro(settings: Settings, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.resolved_database_url,
        "REDIS_URL": settings.redis_url or "",
        "COBRO_VAR_DIR": str(cwd / "var"),
        "COBRO_PUBLIC_URL": settings.public_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


async def test_tenant_create_prints_a_working_admin_key(
    settings: Settings, runtime: Runtime, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    done = _cobro(
        settings, "tenant", "create", "Ferretería Núñez", "--language", "es",
        "--timezone", "America/Mexico_City", "--country", "MX", "--sms-from", "55 1234 5678",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(result) == {"tenant_id", "api_key"}
    response = await client.get(
        "/v1/aging", headers={"Authorization": f"Bearer {result['api_key']}"}
    )
    assert response.status_code == 200


def test_tenant_create_refuses_a_bad_time_zone(settings: Settings, tmp_path: Path) -> None:
    done = _cobro(settings, "tenant", "create", "X", "--timezone", "Mars/Olympus", cwd=tmp_path)
    assert done.returncode == 2
    assert "timezone" in done.stderr


def test_a_wrong_setting_names_the_variable(settings: Settings, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": "mysql://nope", "COBRO_VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "service", "migrate"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "DATABASE_URL" in done.stderr


async def test_demo_loads_every_bucket_in_both_languages(
    settings: Settings, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    done = _cobro(settings, "demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    key = next(word for word in done.stdout.split() if word.startswith("cobro_"))
    headers = {"Authorization": f"Bearer {key}"}
    report = (await client.get("/v1/aging", headers=headers)).json()
    counts = {bucket["bucket"]: bucket["invoices"] for bucket in report["buckets"]}
    assert all(counts[name] > 0 for name in ("current", "1-30", "31-60", "61-90", "90+")), counts
    assert sum(counts.values()) == 800
    english = (await client.get("/v1/customers/DEMO-0002", headers=headers)).json()
    spanish = (await client.get("/v1/customers/DEMO-0001", headers=headers)).json()
    assert (english["language"], spanish["language"]) == ("en", "es")

    again = _cobro(settings, "demo", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    report = (await client.get("/v1/aging", headers=headers)).json()
    assert sum(bucket["invoices"] for bucket in report["buckets"]) == 800


@pytest.mark.parametrize("command", [["--help"], ["serve", "--help"], ["worker", "--help"]])
def test_help_lists_the_commands(settings: Settings, tmp_path: Path, command: list[str]) -> None:
    done = _cobro(settings, *command, cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_classify_eval_scores_labeled_replies(settings: Settings, tmp_path: Path) -> None:
    rows = [
        {
            "id": "t1",
            "channel": "sms",
            "language": "en",
            "received_at": "2026-03-02T10:00:00-05:00",
            "subject": None,
            "body": "STOP",
            "intent": "opt_out",
            "reason": None,
            "team": "none",
            "opt_out": True,
            "promise_date": None,
        },
        {
            "id": "t2",
            "channel": "email",
            "language": "es",
            "received_at": "2026-03-02T10:00:00-06:00",
            "subject": "RE: Recordatorio",
            "body": "Le pago el viernes sin falta.",
            "intent": "promise_to_pay",
            "reason": None,
            "team": "collections",
            "opt_out": False,
            "promise_date": "2026-03-06",
        },
    ]
    labeled = tmp_path / "labeled.jsonl"
    labeled.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    done = _cobro(settings, "classify-eval", str(labeled), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "intent: accuracy" in done.stdout
    assert "promise_date exact match" in done.stdout
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert _cobro(settings, "classify-eval", str(empty), cwd=tmp_path).returncode == 2


def _on_a_terminal(settings: Settings, *args: str, cwd: Path) -> tuple[int, str]:
    """Run the CLI with its stdout on a pseudo-terminal, as a person at a shell sees it."""
    import pty

    leader, follower = pty.openpty()
    env = {
        **os.environ,
        "DATABASE_URL": settings.resolved_database_url,
        "REDIS_URL": settings.redis_url or "",
        "COBRO_VAR_DIR": str(cwd / "var"),
        "TERM": "xterm-256color",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "service", *args],
        cwd=cwd, env=env, stdout=follower, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=120), b"".join(chunks).decode()


def test_tenant_create_on_a_terminal_still_ends_with_one_compact_json_line(
    settings: Settings, tmp_path: Path
) -> None:
    code, output = _on_a_terminal(settings, "tenant", "create", "Terminal Client", cwd=tmp_path)

    assert code == 0, output
    last = output.strip().splitlines()[-1]
    assert "\x1b" not in last  # no colour codes
    assert set(json.loads(last)) == {"tenant_id", "api_key"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--email-from", "not-an-address"], "email"),
        (["--sms-from", "12"], "phone"),
        (["--country", "Mexico"], "country"),
    ],
)
def test_tenant_create_refuses_bad_senders_in_one_line(
    settings: Settings, tmp_path: Path, args: list[str], expected: str
) -> None:
    done = _cobro(settings, "tenant", "create", "Bad Sender Co", *args, cwd=tmp_path)

    assert done.returncode == 2, done.stderr
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


def test_tenant_create_refuses_a_name_longer_than_the_column(
    settings: Settings, tmp_path: Path
) -> None:
    done = _cobro(settings, "tenant", "create", "N" * 201, cwd=tmp_path)

    assert done.returncode == 2, done.stderr
    assert "name: must be 1 to 200 characters" in done.stderr


def test_import_errors_are_one_line_with_exit_code_2(settings: Settings, tmp_path: Path) -> None:
    good = tmp_path / "aging.csv"
    good.write_text(
        "customer_id,customer_name,invoice_number,currency,amount,balance,issue_date,due_date\n"
        "C-1,Acme,INV-1,USD,10,10,2024-05-01,2024-06-01\n"
    )
    unknown = _cobro(
        settings, "import", str(good), "--tenant", "00000000-0000-4000-8000-000000000000",
        cwd=tmp_path,
    )  # fmt: skip
    assert unknown.returncode == 2, unknown.stderr
    assert "not found" in unknown.stderr
    assert "Traceback" not in unknown.stderr

    created = _cobro(settings, "tenant", "create", "Importer Co", cwd=tmp_path)
    tenant_id = json.loads(created.stdout.strip().splitlines()[-1])["tenant_id"]
    bad_header = tmp_path / "bad.csv"
    bad_header.write_text("customer,amount\nC-1,10\n")
    refused = _cobro(settings, "import", str(bad_header), "--tenant", tenant_id, cwd=tmp_path)
    assert refused.returncode == 2, refused.stderr
    assert "missing required columns" in refused.stderr
    assert "Traceback" not in refused.stderr

    imported = _cobro(settings, "import", str(good), "--tenant", tenant_id, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["invoices_created"] == 1


async def test_demo_leaves_an_operators_tenant_of_the_same_name_alone(
    settings: Settings, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    from service.demo import DEMO_TENANT

    mine = _cobro(settings, "tenant", "create", DEMO_TENANT, cwd=tmp_path)
    assert mine.returncode == 0, mine.stderr
    my_key = json.loads(mine.stdout.strip().splitlines()[-1])["api_key"]

    done = _cobro(settings, "demo", "--customers", "5", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert "cobro serve" in done.stdout
    assert "http://127.0.0.1:8000" in done.stdout  # where `cobro serve` listens by default
    assert f"Public URL (COBRO_PUBLIC_URL): {settings.public_url}" in done.stdout
    demo_key = next(word for word in done.stdout.split() if word.startswith("cobro_"))
    demo_customer = await client.get(
        "/v1/customers/DEMO-0001", headers={"Authorization": f"Bearer {demo_key}"}
    )
    assert demo_customer.status_code == 200
    untouched = await client.get(
        "/v1/customers/DEMO-0001", headers={"Authorization": f"Bearer {my_key}"}
    )
    assert untouched.status_code == 404


def _migrate(settings: Settings, tmp_path: Path, level: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.resolved_database_url,
        "COBRO_VAR_DIR": str(tmp_path / "var"),
        "COBRO_LOG_LEVEL": level,
    }
    return subprocess.run(
        [sys.executable, "-m", "service", "migrate"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_every_log_line_is_json_on_stderr(settings: Settings, tmp_path: Path) -> None:
    done = _migrate(settings, tmp_path, "DEBUG")

    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines  # Alembic logs at DEBUG and INFO
    for line in lines:
        record = json.loads(line)
        assert {"event", "level", "logger", "timestamp"} <= set(record), record
    assert "newest schema" in done.stdout


def test_alembic_chatter_stays_out_of_a_commands_output_at_info(
    settings: Settings, tmp_path: Path
) -> None:
    done = _migrate(settings, tmp_path, "INFO")

    assert done.returncode == 0, done.stderr
    loggers = {json.loads(line)["logger"] for line in done.stderr.splitlines() if line.strip()}
    assert not {name for name in loggers if name.startswith("alembic")}
    assert "newest schema" in done.stdout
