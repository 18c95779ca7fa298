"""Sending settings live in the one Settings, are checked when it is read, and stop start-up
with the variable named (the console exits 2, without a traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.config import ConfigurationError, Settings, load_settings
from service.outreach.providers import build_outbound

_OURS = ("COBRO_", "EMAIL_", "SMS_", "SENDGRID_", "TWILIO_", "SMTP_")


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A process environment holding only the variables each test sets."""
    for name in list(os.environ):
        if name.startswith(_OURS):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env file is read
    monkeypatch.setenv("COBRO_VAR_DIR", str(tmp_path / "var"))
    return monkeypatch


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"EMAIL_PROVIDER": "sendgrid"}, "SENDGRID_API_KEY"),
        ({"EMAIL_PROVIDER": "sendgrid", "SENDGRID_API_KEY": "  "}, "SENDGRID_API_KEY"),
        ({"EMAIL_PROVIDER": "smtp"}, "SMTP_URL"),
        ({"EMAIL_PROVIDER": "smtp", "SMTP_URL": "http://mail.example"}, "SMTP_URL"),
        ({"SMS_PROVIDER": "twilio", "TWILIO_AUTH_TOKEN": "t"}, "TWILIO_ACCOUNT_SID"),
        ({"SMS_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": "AC1"}, "TWILIO_AUTH_TOKEN"),
        ({"COBRO_PACING": "sometimes"}, "COBRO_PACING"),
        ({"COBRO_RATE_SMS": "0"}, "COBRO_RATE_SMS"),
        ({"COBRO_SEND_BATCH": "0"}, "COBRO_SEND_BATCH"),
        ({"COBRO_SEND_LEASE_SECONDS": "soon"}, "COBRO_SEND_LEASE_SECONDS"),
        ({"COBRO_SEND_MAX_ATTEMPTS": "100"}, "COBRO_SEND_MAX_ATTEMPTS"),
    ],
)
def test_a_wrong_sending_setting_is_refused_by_name(
    environment: pytest.MonkeyPatch, variables: dict[str, str], named: str
) -> None:
    for name, value in variables.items():
        environment.setenv(name, value)
    with pytest.raises(ConfigurationError, match=named):
        load_settings()


def test_sending_settings_shape_the_outbound_channels(environment: pytest.MonkeyPatch) -> None:
    for name, value in {
        "EMAIL_PROVIDER": "sendgrid",
        "SENDGRID_API_KEY": "SG.key",
        "SMS_PROVIDER": "twilio",
        "TWILIO_ACCOUNT_SID": "AC1",
        "TWILIO_AUTH_TOKEN": "token",
        "COBRO_PACING": "off",
        "COBRO_RATE_SMS": "2.5",
        "COBRO_SEND_BATCH": "50",
        "COBRO_SEND_CONCURRENCY": "8",
        "COBRO_SEND_PARALLEL_BATCHES": "2",
        "COBRO_SEND_LEASE_SECONDS": "30",
        "COBRO_SEND_MAX_ATTEMPTS": "4",
    }.items():
        environment.setenv(name, value)

    outbound = build_outbound(load_settings())

    assert (outbound.channel("email").name, outbound.channel("sms").name) == ("sendgrid", "twilio")
    assert (outbound.pacing.enabled, outbound.pacing.sms_rate) == (False, 2.5)
    tuning = outbound.tuning
    assert (tuning.batch_size, tuning.concurrency, tuning.parallel_batches) == (50, 8, 2)
    assert (tuning.lease_seconds, tuning.max_attempts) == (30.0, 4)


def test_a_blank_twilio_token_is_no_token(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("TWILIO_AUTH_TOKEN", "")
    settings = load_settings()
    assert (settings.twilio_auth_token, settings.twilio_webhook_token()) == (None, None)


def test_the_worker_stops_at_start_up_naming_the_missing_key(
    settings: Settings, tmp_path: Path
) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(_OURS)}
    env.update(
        {
            "DATABASE_URL": settings.resolved_database_url,
            "REDIS_URL": settings.redis_url or "",
            "COBRO_VAR_DIR": str(tmp_path / "var"),
            "EMAIL_PROVIDER": "sendgrid",
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "service", "worker"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "SENDGRID_API_KEY" in done.stderr
    assert "Traceback" not in done.stderr
