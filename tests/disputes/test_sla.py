"""SLA timers in business hours, the policy API, and escalations recorded once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select
from sqlmodel import col

from service.db import Database
from service.disputes.models import Escalation
from service.disputes.policy import BusinessCalendar, load_policy, parse_clock
from service.disputes.sla import escalate_due, response_time_hours
from service.runtime import Runtime
from service.tenancy.models import Role, Tenant
from service.threads.models import Message, Thread
from tests.disputes.builders import (
    email_reply,
    event,
    events_of,
    kinds,
    make_account,
    make_desk_tenant,
    send_reminder,
    thread_of,
)
from tests.tenancy.builders import TenantHandle, issue_key
from workers.disputes import escalate_threads

NEW_YORK = ZoneInfo("America/New_York")


def _calendar(**overrides: object) -> BusinessCalendar:
    values: dict[str, object] = {
        "zone": NEW_YORK, "working_days": frozenset({1, 2, 3, 4, 5}),
        "opens": parse_clock("09:00"), "closes": parse_clock("17:00"),
    }  # fmt: skip
    return BusinessCalendar(**{**values, **overrides})  # type: ignore[arg-type]


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)  # type: ignore[misc]


def test_business_hours_skip_the_weekend_and_the_night() -> None:
    calendar = _calendar()
    friday_afternoon = _local(2026, 5, 8, 15, 0)
    assert calendar.add_hours(friday_afternoon, 4) == _local(2026, 5, 11, 11, 0)
    assert calendar.add_hours(_local(2026, 5, 9, 10, 0), 1) == _local(2026, 5, 11, 10, 0)
    assert calendar.add_hours(_local(2026, 5, 7, 16, 30), 8) == _local(2026, 5, 8, 16, 30)
    assert calendar.add_hours(_local(2026, 5, 11, 7, 0), 8) == _local(2026, 5, 11, 17, 0)
    assert calendar.add_hours(friday_afternoon, 40) == _local(2026, 5, 15, 15, 0)
    assert calendar.add_hours(friday_afternoon, 4).tzinfo == UTC
    assert calendar.hours_between(friday_afternoon, _local(2026, 5, 11, 11, 0)) == 4


def test_holidays_and_daylight_saving_are_counted() -> None:
    calendar = _calendar(holiday_country="US")
    # Friday 3 July 2026 is the observed Independence Day.
    assert calendar.add_hours(_local(2026, 7, 2, 16, 0), 2) == _local(2026, 7, 6, 10, 0)
    # Clocks go forward on Sunday 8 March 2026: Monday 10:00 is 14:00 UTC, no longer 15:00.
    due = calendar.add_hours(_local(2026, 3, 6, 16, 0), 2)
    assert due == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    weekend_shift = _calendar(working_days=frozenset({6, 7}))
    assert weekend_shift.add_hours(_local(2026, 5, 8, 12, 0), 1) == _local(2026, 5, 9, 10, 0)


def test_customers_are_told_hours_or_whole_days() -> None:
    now = datetime(2026, 5, 8, 19, 0, tzinfo=UTC)
    assert response_time_hours(now + timedelta(hours=3, minutes=10), now=now) == 4
    assert response_time_hours(now + timedelta(hours=64), now=now) == 72
    assert response_time_hours(None, now=now) is None


async def test_policy_api_defaults_changes_validation_and_isolation(
    client: httpx.AsyncClient, database: Database, tenant: TenantHandle, other_tenant: TenantHandle
) -> None:
    defaults = (await client.get("/v1/dispute-policy", headers=tenant.headers)).json()
    assert defaults["promise_grace_days"] == 3
    assert defaults["working_days"] == [1, 2, 3, 4, 5]
    assert defaults["timezone"] == tenant.tenant.timezone
    assert set(defaults["sla"]) == {"sales", "gbs", "collections", "legal"}
    changed = await client.put(
        "/v1/dispute-policy",
        json={"promise_grace_days": 5, "opens_at": "08:30", "holiday_country": "MX",
              "sla": {"sales": {"first_response_hours": 2, "resolution_hours": 16}},
              "dispute_escalation": "legal"},
        headers=tenant.headers,
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["promise_grace_days"], body["opens_at"], body["holiday_country"]) == (
        5, "08:30", "MX",
    )  # fmt: skip
    assert body["sla"]["sales"] == {"first_response_hours": 2, "resolution_hours": 16}
    assert body["sla"]["gbs"] == defaults["sla"]["gbs"]
    for bad in [
        {"timezone": "Mars/Olympus"},
        {"opens_at": "18:00", "closes_at": "09:00"},
        {"holiday_country": "ZZ"},
        {"working_days": []},
        {"working_days": [0]},
        {"promise_grace_days": None},
        {"sla": {"sales": {"first_response_hours": 0, "resolution_hours": 1}}},
    ]:
        response = await client.put("/v1/dispute-policy", json=bad, headers=tenant.headers)
        assert response.status_code == 422, bad
        assert response.json()["detail"]
    others = (await client.get("/v1/dispute-policy", headers=other_tenant.headers)).json()
    assert others == {**defaults, "timezone": other_tenant.tenant.timezone}
    agent_key = await issue_key(database, tenant.tenant, Role.agent)
    refused = await client.put(
        "/v1/dispute-policy", json={"promise_grace_days": 1},
        headers={"Authorization": f"Bearer {agent_key}"},
    )  # fmt: skip
    assert refused.status_code == 403


async def _policy(webhooks: httpx.AsyncClient, tenant: TenantHandle, **body: object) -> None:
    response = await webhooks.put("/v1/dispute-policy", json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text


async def test_a_routed_reply_starts_both_clocks_in_the_team_business_hours(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    await _policy(
        webhooks, tenant, timezone="America/Mexico_City",
        sla={"gbs": {"first_response_hours": 3, "resolution_hours": 20}},
    )  # fmt: skip
    account = await make_account(database, tenant)
    reminder = await send_reminder(database, tenant, account)
    thread_id = await email_reply(
        webhooks, inbound_runtime, account, reminder, "We already paid this by wire last week."
    )
    thread = await thread_of(database, thread_id)
    assert thread.team == "gbs"
    async with database.transaction() as session:
        stored = await session.get(Tenant, tenant.tenant.id)
        assert stored is not None
        policy = await load_policy(session, tenant=stored)
    async with database.transaction() as session:
        received = await session.scalar(
            select(func.max(col(Message.created_at))).where(
                col(Message.thread_id) == thread_id, col(Message.direction) == "inbound"
            )
        )
    assert received is not None
    assert thread.first_response_due_at == policy.calendar.add_hours(received, 3)
    assert thread.resolution_due_at == policy.calendar.add_hours(received, 20)
    assert policy.calendar.hours_between(received, thread.first_response_due_at) == 3
    local_due = thread.first_response_due_at.astimezone(ZoneInfo("America/Mexico_City"))
    assert local_due.isoweekday() <= 5
    assert 9 <= local_due.hour + local_due.minute / 60 <= 17
    started = event(await events_of(database, thread_id), "sla_started")
    assert (started["team"], started["first_response_hours"]) == ("gbs", 3)


async def _breached_thread(
    webhooks: httpx.AsyncClient, runtime: Runtime, tenant: TenantHandle, text: str
) -> Thread:
    account = await make_account(runtime.database, tenant)
    reminder = await send_reminder(runtime.database, tenant, account)
    thread_id = await email_reply(webhooks, runtime, account, reminder, text)
    return await thread_of(runtime.database, thread_id)


async def _escalations(database: Database, thread_id: uuid.UUID) -> list[Escalation]:
    async with database.transaction() as session:
        result = await session.execute(
            select(Escalation).where(col(Escalation.thread_id) == thread_id)
        )
        return list(result.scalars())


async def test_breaches_are_escalated_to_supervisors_once(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    thread = await _breached_thread(
        webhooks, inbound_runtime, tenant, "The goods arrived damaged, we are returning them."
    )
    assert thread.first_response_due_at is not None
    assert thread.resolution_due_at is not None
    before = thread.first_response_due_at - timedelta(minutes=1)
    async with database.transaction() as session:
        await escalate_due(session, now=before)
    assert await _escalations(database, thread.id) == []
    after_first = thread.first_response_due_at + timedelta(hours=1)
    for _ in range(2):
        async with database.transaction() as session:
            await escalate_due(session, now=after_first)
    [first] = await _escalations(database, thread.id)
    assert (first.kind, first.target, first.team) == ("first_response", "supervisors", "sales")
    stored = await thread_of(database, thread.id)
    assert (stored.escalation, stored.escalated_at) == ("first_response", after_first)
    escalated = [e for e in await events_of(database, thread.id) if e.kind == "escalated"]
    assert len(escalated) == 1
    assert escalated[0].data["due_at"] == thread.first_response_due_at.isoformat()
    later = thread.resolution_due_at + timedelta(minutes=5)
    async with database.transaction() as session:
        await escalate_due(session, now=later)
    assert sorted(e.kind for e in await _escalations(database, thread.id)) == [
        "first_response", "resolution",
    ]  # fmt: skip
    listed = await webhooks.get("/v1/escalations", headers=tenant.headers)
    assert {(e["thread_id"], e["kind"]) for e in listed.json()["items"]} == {
        (str(thread.id), "first_response"), (str(thread.id), "resolution"),
    }  # fmt: skip
    flagged = (await webhooks.get("/v1/threads?escalated=true", headers=tenant.headers)).json()
    assert [item["id"] for item in flagged["items"]] == [str(thread.id)]
    other = await make_desk_tenant(database, name="Other desk")
    assert (await webhooks.get("/v1/escalations", headers=other.headers)).json() == {"items": []}


async def test_concurrent_escalation_jobs_record_one_escalation(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    thread = await _breached_thread(
        webhooks, inbound_runtime, tenant, "The goods arrived damaged, we are returning them."
    )
    assert thread.first_response_due_at is not None
    moment = thread.first_response_due_at + timedelta(minutes=30)

    async def job() -> None:
        async with database.transaction() as session:
            await escalate_due(session, now=moment)

    await asyncio.gather(job(), job(), job(), return_exceptions=True)
    async with database.transaction() as session:
        count = await session.scalar(
            select(func.count()).select_from(Escalation).where(
                col(Escalation.thread_id) == thread.id
            )
        )  # fmt: skip
    assert count == 1
    assert kinds(await events_of(database, thread.id)).count("escalated") == 1


async def test_an_answered_or_resolved_thread_is_not_escalated(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    answered = await _breached_thread(
        webhooks, inbound_runtime, tenant, "We already paid this by wire last week."
    )
    reply = await webhooks.post(
        f"/v1/threads/{answered.id}/replies", json={"body": "We are checking our bank records."},
        headers=tenant.headers,
    )  # fmt: skip
    assert reply.status_code == 201, reply.text
    replied = event(await events_of(database, answered.id), "replied")
    assert (replied["first_response"], replied["within_sla"]) == (True, True)
    resolved = await _breached_thread(
        webhooks, inbound_runtime, tenant, "We already paid this by wire last week."
    )
    await webhooks.patch(
        f"/v1/threads/{resolved.id}", json={"status": "resolved"}, headers=tenant.headers
    )
    assert answered.first_response_due_at is not None
    async with database.transaction() as session:
        await escalate_due(session, now=answered.first_response_due_at + timedelta(hours=1))
    assert await _escalations(database, answered.id) == []
    assert await _escalations(database, resolved.id) == []


async def test_a_dispute_older_than_the_limit_goes_to_legal_once(
    webhooks: httpx.AsyncClient, inbound_runtime: Runtime
) -> None:
    database = inbound_runtime.database
    tenant = await make_desk_tenant(database)
    await _policy(webhooks, tenant, dispute_age_limit_days=10, dispute_escalation="legal")
    await webhooks.post(
        "/v1/agents", json={"name": "lena", "teams": ["legal"]}, headers=tenant.headers
    )
    thread = await _breached_thread(
        webhooks, inbound_runtime, tenant, "The goods arrived damaged, we are returning them."
    )
    assert thread.disputed_at is not None
    # Answered in time, so only the dispute's age is left to escalate.
    await webhooks.post(
        f"/v1/threads/{thread.id}/replies", json={"body": "Sorry to hear that."},
        headers=tenant.headers,
    )  # fmt: skip
    moment = thread.disputed_at + timedelta(days=9)
    async with database.transaction() as session:
        assert (await escalate_due(session, now=moment))["dispute_age"] == 0
    moment = thread.disputed_at + timedelta(days=11)
    for _ in range(2):
        async with database.transaction() as session:
            await escalate_due(session, now=moment)
    aged = [e for e in await _escalations(database, thread.id) if e.kind == "dispute_age"]
    assert [(e.target, e.due_at) for e in aged] == [
        ("legal", thread.disputed_at + timedelta(days=10))
    ]
    stored = await thread_of(database, thread.id)
    assert (stored.team, stored.assignee, stored.escalation) == ("legal", "lena", "dispute_age")
    routed = [e.data for e in await events_of(database, thread.id) if e.kind == "routed"]
    assert routed[-1]["why"] == "dispute_age escalation"


async def test_the_cron_job_runs_on_the_worker_context(inbound_runtime: Runtime) -> None:
    counts = await escalate_threads({"runtime": inbound_runtime})
    assert set(counts) == {"first_response", "resolution", "dispute_age"}
