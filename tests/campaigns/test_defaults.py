"""Tenant-level contact rules: set once, used by every campaign that does not set its own."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from service.campaigns import defaults
from service.db import Database
from service.migrations import upgrade
from service.runtime import Runtime
from service.tenancy.models import Role
from tests.campaigns.builders import NO_QUIET_HOURS, add_customer, create_campaign, plan
from tests.tenancy.builders import TenantHandle, issue_key

COBRO_DEFAULTS = {
    "quiet_hours_start": "21:00:00", "quiet_hours_end": "08:00:00", "send_on_weekends": False,
    "holidays_country": None, "min_gap_hours": 72, "max_contacts_per_7_days": 3,
    "min_balance": "0", "exclude_tags": [], "referral": None,
}  # fmt: skip


async def _put(client: httpx.AsyncClient, tenant: TenantHandle, body: object) -> httpx.Response:
    return await client.put("/v1/campaign-defaults", json=body, headers=tenant.headers)


async def test_a_tenant_starts_with_cobros_defaults_and_replaces_them(
    client: httpx.AsyncClient, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    fresh = (await client.get("/v1/campaign-defaults", headers=tenant.headers)).json()
    assert fresh == {"rules": COBRO_DEFAULTS, "overrides": {}, "updated_at": None}
    chosen = {"quiet_hours_start": "20:00", "min_gap_hours": 24, "exclude_tags": ["vip"],
              "holidays_country": "US"}  # fmt: skip
    put = await _put(client, tenant, chosen)
    assert put.status_code == 200, put.text
    stored = (await client.get("/v1/campaign-defaults", headers=tenant.headers)).json()
    assert stored["rules"] == {
        **COBRO_DEFAULTS, "quiet_hours_start": "20:00:00", "min_gap_hours": 24,
        "exclude_tags": ["vip"], "holidays_country": "US",
    }  # fmt: skip
    assert set(stored["overrides"]) == {
        "quiet_hours_start", "min_gap_hours", "exclude_tags", "holidays_country",
    }  # fmt: skip
    # Another tenant's defaults are its own.
    theirs = (await client.get("/v1/campaign-defaults", headers=other_tenant.headers)).json()
    assert theirs["overrides"] == {}
    # A PUT replaces the whole set: what it leaves out is Cobro's again.
    assert (await _put(client, tenant, {"min_gap_hours": 48})).json()["rules"] == {
        **COBRO_DEFAULTS, "min_gap_hours": 48,
    }  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [{"min_gap_hours": -1}, {"no_such_rule": 1}, {"holidays_country": "1X"},
     {"quiet_hours_start": "25:00"}, [1, 2]],
)  # fmt: skip
async def test_bad_defaults_are_refused_and_change_nothing(
    client: httpx.AsyncClient, tenant: TenantHandle, body: object
) -> None:
    assert (await _put(client, tenant, {"min_gap_hours": 12})).status_code == 200
    refused = await _put(client, tenant, body)
    assert refused.status_code == 422
    assert refused.json()["detail"]
    kept = (await client.get("/v1/campaign-defaults", headers=tenant.headers)).json()
    assert kept["overrides"] == {"min_gap_hours": 12}


async def test_only_writers_change_defaults(
    client: httpx.AsyncClient, database: Database, tenant: TenantHandle
) -> None:
    agent = {"Authorization": f"Bearer {await issue_key(database, tenant.tenant, Role.agent)}"}
    assert (await client.get("/v1/campaign-defaults", headers=agent)).status_code == 200
    refused = await client.put("/v1/campaign-defaults", json={"min_gap_hours": 1}, headers=agent)
    assert refused.status_code == 403


async def test_campaigns_follow_the_tenant_unless_they_set_a_rule(
    client: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle
) -> None:
    await _put(client, tenant, {**NO_QUIET_HOURS, "exclude_tags": ["vip"], "min_gap_hours": 6})
    following = await create_campaign(client, tenant, rules={})
    own = await create_campaign(client, tenant, name="Own", rules={"exclude_tags": []})
    assert following["rules"]["exclude_tags"] == ["vip"]
    assert following["rule_overrides"] == {}
    assert (own["rules"]["exclude_tags"], own["rules"]["min_gap_hours"]) == ([], 6)
    assert own["rule_overrides"] == {"exclude_tags": []}
    listed = (await client.get("/v1/campaigns", headers=tenant.headers)).json()
    default = next(c for c in listed if c["is_default"])
    assert default["rules"]["exclude_tags"] == ["vip"]

    await add_customer(client, tenant, "VIP", days=[10], tags=["vip"])
    _run, _report, followed = await plan(client, runtime, tenant, following["id"], dry_run=True)
    assert followed["VIP"]["skip_reason"] == "excluded_tag"
    _run, _report, overridden = await plan(client, runtime, tenant, own["id"], dry_run=True)
    assert overridden["VIP"]["status"] == "planned"
    # Changing the tenant's defaults changes the campaigns that follow them.
    await _put(client, tenant, NO_QUIET_HOURS)
    _run, _report, now_planned = await plan(client, runtime, tenant, following["id"], dry_run=True)
    assert now_planned["VIP"]["status"] == "planned"


async def test_tenant_quiet_hours_move_the_send_time(
    client: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle
) -> None:
    await _put(client, tenant, {"quiet_hours_start": "18:00", "quiet_hours_end": "10:00",
                                "send_on_weekends": True, "min_gap_hours": 0})  # fmt: skip
    campaign = await create_campaign(client, tenant, rules={})
    await add_customer(client, tenant, "MORNING", days=[10], timezone="America/Chicago")
    # 09:00 in Chicago: inside Cobro's window, before this tenant's.
    _run, _report, planned = await plan(
        client, runtime, tenant, campaign["id"], dry_run=True,
        now=datetime(2026, 6, 15, 14, 0, tzinfo=UTC),
    )  # fmt: skip
    assert planned["MORNING"]["send_after"].startswith("2026-06-15T15:00")  # 10:00 CDT


def test_stored_rules_merge_layer_by_layer_and_ignore_retired_ones() -> None:
    merged = defaults.merge(
        {"min_gap_hours": 24, "quiet_hours_start": "20:00:00"},
        {"min_gap_hours": 0, "promise_grace_days": 3},
    )
    assert (merged.min_gap_hours, merged.quiet_hours_start.hour) == (0, 20)
    assert merged.max_contacts_per_7_days == 3


def test_the_migration_lets_existing_campaigns_follow_their_tenants_defaults(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'before.db'}"
    upgrade(url, "0003")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'before.db'}")
    tenant_id, campaign_id = uuid.uuid4(), uuid.uuid4()
    stored = {**COBRO_DEFAULTS, "promise_grace_days": 3, "min_gap_hours": 24}
    now = datetime(2026, 1, 1)
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO tenants (id, name, language, timezone, country, created_at) "
                    "VALUES (:id, 'T', 'en', 'UTC', 'US', :now)"),
            {"id": tenant_id.hex, "now": now},
        )  # fmt: skip
        connection.execute(
            sa.text("INSERT INTO campaigns (id, tenant_id, name, steps, rules, status, is_default,"
                    " created_at, updated_at) VALUES (:id, :tenant, 'C', '[]', :rules, 'active',"
                    " 0, :now, :now)"),
            {"id": campaign_id.hex, "tenant": tenant_id.hex, "rules": json.dumps(stored),
             "now": now},
        )  # fmt: skip
    upgrade(url)
    with engine.begin() as connection:
        rules = connection.execute(sa.text("SELECT rules FROM campaigns")).scalar_one()
    engine.dispose()
    # Only the rule the campaign had changed stays; the rest now comes from the tenant.
    assert json.loads(rules) == {"min_gap_hours": 24}
