from __future__ import annotations

import httpx

from tests.campaigns.builders import create_campaign
from tests.tenancy.builders import TenantHandle


def _step(name: str, low: int, high: int, template: str = "reminder_friendly") -> dict[str, object]:
    return {"name": name, "min_days_past_due": low, "max_days_past_due": high,
            "channels": ["email"], "template": template}  # fmt: skip


async def test_overlapping_steps_are_refused(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    response = await client.post(
        "/v1/campaigns",
        json={"name": "x", "steps": [_step("a", 1, 30), _step("b", 30, 60)]},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    assert "overlaps" in response.json()["detail"]


async def test_bad_template_cron_and_range_are_refused(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    unknown = await client.post(
        "/v1/campaigns", json={"name": "x", "steps": [_step("a", 1, 30, "nope")]},
        headers=tenant.headers,
    )  # fmt: skip
    assert unknown.status_code == 422
    assert "unknown template" in unknown.json()["detail"]
    cron = await client.post(
        "/v1/campaigns",
        json={"name": "x", "steps": [_step("a", 1, 30)], "schedule": {"cron": "every day at 9"}},
        headers=tenant.headers,
    )
    assert cron.status_code == 422
    backwards = await client.post(
        "/v1/campaigns", json={"name": "x", "steps": [_step("a", 30, 1)]}, headers=tenant.headers
    )
    assert backwards.status_code == 422


async def test_every_tenant_has_a_default_campaign_following_the_buckets(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    listed = (await client.get("/v1/campaigns", headers=tenant.headers)).json()
    default = next(c for c in listed if c["is_default"])
    ranges = [(s["name"], s["min_days_past_due"], s["max_days_past_due"]) for s in default["steps"]]
    assert [name for name, _low, _high in ranges] == [
        "courtesy", "friendly", "firm", "final", "escalation",
    ]  # fmt: skip
    assert ranges[1][1:] == (1, 30)
    assert ranges[4][1] == 91
    assert default["steps"][4]["opens_thread"] is True
    again = (await client.get("/v1/campaigns", headers=tenant.headers)).json()
    assert len([c for c in again if c["is_default"]]) == 1


async def test_campaigns_are_tenant_scoped(
    client: httpx.AsyncClient, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    campaign = await create_campaign(client, tenant)
    foreign = await client.get(f"/v1/campaigns/{campaign['id']}", headers=other_tenant.headers)
    assert foreign.status_code == 404
    run = await client.post(
        f"/v1/campaigns/{campaign['id']}/runs", json={}, headers=other_tenant.headers
    )
    assert run.status_code == 404
