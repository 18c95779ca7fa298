"""The demo portfolio through a real run: planned, dispatched and sent by sandbox providers."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, timedelta

import httpx
from sqlalchemy import select, update
from sqlmodel import col

from service.campaigns import runner
from service.demo import load_demo
from service.ledger.models import Customer
from service.outreach.pacing import Pacer, PacingPolicy
from service.outreach.providers import Outbound
from service.outreach.sending import Sender, send_due
from service.runtime import Runtime
from service.threads.models import Direction, Message, MessageStatus
from tests.campaigns.builders import as_uuid, runner_context


async def _run(client: httpx.AsyncClient, headers: dict[str, str], campaign: str, day: date) -> str:
    response = await client.post(
        f"/v1/campaigns/{campaign}/runs", json={"as_of": day.isoformat()}, headers=headers
    )
    assert response.status_code == 202, response.text
    run_id: str = response.json()["run_id"]
    return run_id


async def test_a_run_of_the_demo_portfolio_reminds_each_customer_once_per_step_in_its_language(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    demo = await load_demo(runtime.database, customers=48, seed=11)
    tenant_id = uuid.UUID(str(demo["tenant_id"]))
    headers = {"Authorization": f"Bearer {demo['api_key']}"}
    # The test runs at any hour and on any day: the tenant opens its contact window all day.
    window = {"quiet_hours_start": "00:00", "quiet_hours_end": "00:00", "send_on_weekends": True}
    assert (
        await client.put("/v1/campaign-defaults", json=window, headers=headers)
    ).status_code == 200
    campaigns = (await client.get("/v1/campaigns", headers=headers)).json()
    default = next(c for c in campaigns if c["is_default"])
    today = date.fromisoformat(str(demo["as_of"]))
    context = runner_context(runtime)
    outbound = Outbound(pacing=PacingPolicy(enabled=False))
    sender = Sender(
        database=runtime.database, outbound=outbound,
        pacer=Pacer(runtime.queue.pool, outbound.pacing), settings=runtime.settings,
    )  # fmt: skip
    run_ids = []
    for day in (today, today, today + timedelta(days=1)):
        run_id = await _run(client, headers, default["id"], day)
        await runner.plan(context, run_id=as_uuid(run_id))
        await runner.dispatch(context, run_id=as_uuid(run_id))
        await _park_other_tenants(runtime, tenant_id)
        await send_due(sender)
        run_ids.append(run_id)
    assert run_ids[0] == run_ids[1]  # the same day's run, not a second one
    first = (await client.get(f"/v1/runs/{run_ids[0]}", headers=headers)).json()
    second = (await client.get(f"/v1/runs/{run_ids[2]}", headers=headers)).json()
    assert first["status"] == "completed"
    assert first["counts"]["sent"] + first["counts"]["delivered"] == first["counts"]["planned"]
    # The next day nothing goes out again: every invoice was reminded by its step already, or
    # a customer's new invoice falls within the gap after yesterday's reminder.
    assert second["counts"]["sent"] + second["counts"]["delivered"] == 0
    assert set(second["skipped_reasons"]) <= {"min_gap"}

    async with runtime.database.transaction() as session:
        customers = {
            c.id: c
            for c in (
                await session.execute(select(Customer).where(col(Customer.tenant_id) == tenant_id))
            ).scalars()
        }
        sent = list(
            (
                await session.execute(
                    select(Message).where(
                        col(Message.tenant_id) == tenant_id,
                        col(Message.run_id).in_({as_uuid(r) for r in run_ids}),
                        # Portal messages are delivered at once.
                        col(Message.status).in_([MessageStatus.sent, MessageStatus.delivered]),
                    )
                )
            ).scalars()
        )
    assert len(sent) >= 20
    per_step = Counter((m.customer_id, m.step) for m in sent)
    assert max(per_step.values()) == 1
    for message in sent:
        customer = customers[message.customer_id] if message.customer_id else None
        assert customer is not None
        # A customer of unknown language gets both languages (language None).
        assert message.language == customer.language
        assert message.step is not None
        assert message.invoice_numbers
    languages = {m.language for m in sent}
    assert {"en", "es"} <= languages
    # What the sandbox providers took is what the rows say was sent.
    delivered_to = Counter(
        (name, item.to)
        for name, channel in outbound.channels.items()
        for item in getattr(channel, "sent", [])
    )
    for message in sent:
        if message.channel in ("email", "sms"):
            assert delivered_to[(message.channel, message.to_address)] >= 1


async def _park_other_tenants(runtime: Runtime, tenant_id: uuid.UUID) -> None:
    """Other tests' queued rows are not this test's to send."""
    async with runtime.database.transaction() as session:
        await session.execute(
            update(Message)
            .where(
                col(Message.tenant_id) != tenant_id,
                col(Message.direction) == Direction.outbound,
                col(Message.status).in_([MessageStatus.queued, MessageStatus.sending]),
            )
            .values(status=MessageStatus.skipped, skip_reason="parked_by_test")
        )
