"""The OpenAPI document describes every endpoint, and a property-based run over it (bounded
examples, authenticated) against a real `cobro serve` finds no server error."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from service.config import Settings
from tests.tenancy.builders import TenantHandle


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`cobro serve` in a subprocess on the test database and Redis, as an operator runs it."""
    port = _free_port()
    workdir: Path = tmp_path_factory.mktemp("serve")
    env = {
        **os.environ,
        "DATABASE_URL": settings.resolved_database_url,
        "REDIS_URL": settings.redis_url or "",
        "COBRO_VAR_DIR": str(workdir / "var"),
        "COBRO_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "COBRO_SECRET_KEY": "live-server-secret-" + "y" * 32,
        "COBRO_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port), "--no-worker"],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            _out, err = process.communicate()
            raise RuntimeError(f"cobro serve did not start: {err.decode()[-2000:]}")
        time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def api_schema(live_server: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{live_server}/openapi.json")


def test_openapi_lists_the_public_contract(live_server: str) -> None:
    document = httpx.get(f"{live_server}/openapi.json").json()
    paths = document["paths"]
    for path, method in [
        ("/v1/customers/{external_id}", "put"),
        ("/v1/customers/{external_id}", "get"),
        ("/v1/invoices/{number}", "put"),
        ("/v1/imports", "post"),
        ("/v1/aging", "get"),
    ]:
        assert method in paths[path], (path, method)
    assert "HTTPBearer" in document["components"]["securitySchemes"]


def test_no_server_error_on_any_input(
    api_schema: schemathesis.BaseSchema, live_server: str, tenant: TenantHandle
) -> None:
    """Every operation, with generated valid and invalid input, authenticated as an admin."""
    tested = []
    calls: list[int] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=20,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def no_server_error(case: schemathesis.Case) -> None:
            response = case.call(base_url=live_server, headers=tenant.headers, timeout=30)
            calls.append(response.status_code)
            assert response.status_code < 500, (case.method, case.path, response.text[:500])

        no_server_error()
        tested.append(f"{operation.method.upper()} {operation.path}")
    assert len(tested) >= 6, tested
    # Both accepted and refused inputs were exercised.
    assert any(code < 300 for code in calls), calls
    assert any(400 <= code < 500 for code in calls), calls
