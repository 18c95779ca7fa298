"""The OpenAPI document describes every endpoint, and a property-based run over it (bounded
examples, authenticated) against a real `cobro serve` finds no server error."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, strategies
from hypothesis import settings as hypothesis_settings

from service.config import Settings
from service.db import Database
from tests.tenancy.builders import TenantHandle
from tests.tenancy.seeding import seed_owner


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


# Every operation of the public contract (API.md), path parameters written as `{}`: their names
# are the implementation's to choose.
CONTRACT = [
    ("put", "/v1/customers/{}"),
    ("get", "/v1/customers/{}"),
    ("put", "/v1/invoices/{}"),
    ("post", "/v1/imports"),
    ("get", "/v1/aging"),
    ("post", "/v1/campaigns"),
    ("post", "/v1/campaigns/{}/runs"),
    ("get", "/v1/runs/{}"),
    ("get", "/v1/runs/{}/messages"),
    ("get", "/v1/threads"),
    ("get", "/v1/threads/{}"),
    ("patch", "/v1/threads/{}"),
    ("post", "/v1/threads/{}/replies"),
    ("post", "/v1/threads/{}/notes"),
    ("get", "/portal/v1/{}"),
    ("post", "/portal/v1/{}/messages"),
    ("post", "/portal/v1/{}/disputes"),
    ("post", "/portal/v1/{}/promises"),
    ("post", "/v1/customers/{}/portal-link"),
    ("post", "/webhooks/twilio/sms"),
    ("post", "/webhooks/twilio/status"),
    ("post", "/webhooks/sendgrid/inbound"),
    ("post", "/webhooks/sendgrid/events"),
    ("post", "/webhooks/email/mime"),
]


def test_openapi_lists_the_public_contract(live_server: str) -> None:
    document = httpx.get(f"{live_server}/openapi.json").json()
    described = {
        (method, re.sub(r"\{[^}]+\}", "{}", path))
        for path, operations in document["paths"].items()
        for method in operations
    }
    missing = [operation for operation in CONTRACT if operation not in described]
    assert not missing, missing
    assert "HTTPBearer" in document["components"]["securitySchemes"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation.get("responses"), (method, path)


async def test_no_server_error_on_any_input(
    api_schema: schemathesis.BaseSchema,
    live_server: str,
    client: httpx.AsyncClient,
    database: Database,
    tenant: TenantHandle,
) -> None:
    """Every operation, with generated valid and invalid input, authenticated as an admin of a
    tenant with data of every kind: in half the cases the path names that data (a customer, an
    invoice, a campaign, a run, a thread ...), so the generated input reaches real records."""
    owner = await seed_owner(client, database, tenant)
    await asyncio.to_thread(_fuzz, api_schema, live_server, tenant, owner.params)


def _fuzz(
    api_schema: schemathesis.BaseSchema,
    live_server: str,
    tenant: TenantHandle,
    seeded: dict[str, str],
) -> None:
    tested = []
    calls: list[int] = []
    real_hits: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(), real_ids=strategies.booleans())
        @hypothesis_settings(
            max_examples=20,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def no_server_error(case: schemathesis.Case, real_ids: bool) -> None:
            if real_ids and case.path_parameters:
                case.path_parameters = {
                    name: seeded.get(name, value) for name, value in case.path_parameters.items()
                }
            response = case.call(base_url=live_server, headers=tenant.headers, timeout=30)
            calls.append(response.status_code)
            if real_ids and case.path_parameters and response.status_code < 300:
                real_hits.append(f"{case.method} {case.operation.path}")
            assert response.status_code < 500, (case.method, case.path, response.text[:500])

        no_server_error()
        tested.append(f"{operation.method.upper()} {operation.path}")
    assert len(tested) >= 6, tested
    # Both accepted and refused inputs were exercised.
    assert any(code < 300 for code in calls), calls
    assert any(400 <= code < 500 for code in calls), calls
    # Generated input reached the seeded records, not only 404s.
    assert len(set(real_hits)) >= 5, sorted(set(real_hits))
