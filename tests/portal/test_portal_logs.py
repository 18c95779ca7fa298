"""Link tokens never reach the log: `cobro serve`'s access log, run as an operator runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

from service import security
from service.config import Settings
from service.logging import redact_tokens
from service.outreach.service import unsubscribe_token

SECRET = "log-test-secret-" + "q" * 32


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_redaction_keeps_the_rest_of_the_line() -> None:
    line = '127.0.0.1:5 - "GET /portal/v1/abcDEF_-123/messages?lang=es HTTP/1.1" 403'
    assert redact_tokens(line) == (
        '127.0.0.1:5 - "GET /portal/v1/[redacted]/messages?lang=es HTTP/1.1" 403'
    )
    assert redact_tokens("/unsubscribe/x.y-z") == "/unsubscribe/[redacted]"
    assert redact_tokens("/v1/customers/C-1/portal-link") == "/v1/customers/C-1/portal-link"


def test_the_access_log_shows_paths_without_their_tokens(
    settings: Settings, tmp_path: Path
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.resolved_database_url,
        "REDIS_URL": settings.redis_url or "",
        "COBRO_VAR_DIR": str(tmp_path / "var"),
        "COBRO_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "COBRO_SECRET_KEY": SECRET,
        "COBRO_LOG_LEVEL": "INFO",
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(port), "--no-worker"],
            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert process.poll() is None, log.read_text()[-2000:]
                assert time.monotonic() < deadline, "cobro serve did not start"
                time.sleep(0.2)
            portal, _ = security.portal_token(SECRET, uuid.uuid4())
            unsubscribe = unsubscribe_token(
                secret=SECRET, tenant_id=uuid.uuid4(), address="ap@customer.example"
            )
            assert httpx.get(f"{url}/portal/{portal}").status_code == 403
            assert httpx.get(f"{url}/portal/v1/{portal}?lang=es").status_code == 403
            httpx.post(f"{url}/portal/{portal}/messages", data={"body": "hi"})
            httpx.get(f"{url}/unsubscribe/{unsubscribe}")
        finally:
            process.terminate()
            process.wait(timeout=30)
    written = log.read_text()
    assert "/portal/[redacted]" in written  # the access log is on, and redacted
    assert "/unsubscribe/[redacted]" in written
    assert portal not in written
    assert unsubscribe not in written
