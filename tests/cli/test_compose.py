"""docker-compose.yml and the image agree with the CLI and the settings: every command and
health check it runs exists with those options, and its environment is valid configuration.
(The commands themselves run as processes in test_serve.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


def _cobro_commands() -> list[tuple[str, list[str]]]:
    """(where, argv after `cobro`) of every cobro invocation in the compose file."""
    found = []
    for name, service in _compose()["services"].items():
        command = service.get("command")
        if command and command[0] == "cobro":
            found.append((f"{name}.command", command[1:]))
        test = service.get("healthcheck", {}).get("test", [])
        if test[1:2] == ["cobro"]:
            found.append((f"{name}.healthcheck", test[2:]))
    return found


def test_compose_runs_the_api_and_the_worker_apart() -> None:
    services = _compose()["services"]
    assert services["api"]["command"][:2] == ["cobro", "serve"]
    assert "--no-worker" in services["api"]["command"]
    assert services["worker"]["command"] == ["cobro", "worker"]
    assert services["worker"]["healthcheck"]["test"] == ["CMD", "cobro", "worker", "--check"]
    assert "/healthz" in " ".join(services["api"]["healthcheck"]["test"])
    # The worker starts once the api has migrated the database, and can reach the mail catcher.
    assert services["worker"]["depends_on"]["api"] == {"condition": "service_healthy"}
    assert "mailcatcher" in services["worker"]["depends_on"]


@pytest.mark.parametrize(("where", "argv"), _cobro_commands())
def test_every_cobro_command_of_compose_exists_with_its_options(
    where: str, argv: list[str], tmp_path: Path
) -> None:
    # --help after the options: an option the command does not have is still refused.
    done = subprocess.run(
        [sys.executable, "-m", "service", *argv, "--help"],
        cwd=tmp_path, env={**os.environ, "COBRO_VAR_DIR": str(tmp_path / "var")},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, (where, done.stderr)


def test_the_compose_environment_is_valid_configuration() -> None:
    environment: dict[str, str] = _compose()["x-cobro-env"]
    known = {str(field.alias) for field in Settings.model_fields.values() if field.alias}
    assert set(environment) <= known, set(environment) - known
    settings = Settings(**environment, _env_file=None)
    assert settings.email_provider == "smtp"
    assert str(settings.database_url).startswith("postgresql+asyncpg://")


def test_the_image_leaves_secrets_and_local_state_out() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", "var/", ".venv/", ".git/"} <= ignored
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "USER cobro" in dockerfile
