"""SLA timers on threads and the escalations of their breaches.

A thread routed to a team gets two deadlines counted in the tenant's business hours: the first
response (the first agent reply) and the resolution. The escalation job records, once per
deadline, every passed one (to the supervisors), and every dispute open longer than the
tenant's limit (to legal or management; to legal means the thread moves to the legal team).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.db import dialect_insert, table_of
from service.disputes import agents
from service.disputes.models import Escalation
from service.disputes.policy import Policy, load_policy
from service.tenancy.models import Tenant
from service.threads.models import Thread, ThreadStatus
from service.threads.service import record_event
from service.types import utcnow

OPEN_STATUSES = [ThreadStatus.open, ThreadStatus.pending]
SUPERVISORS = "supervisors"


def start_timers(
    thread: Thread, *, policy: Policy, now: datetime, restart: bool = False
) -> dict[str, Any] | None:
    """Set the deadlines a thread has none of (all of them again with ``restart``, when a
    resolved thread is reopened); the event data, or None when nothing changed."""
    if thread.team is None:
        return None
    target = policy.target(thread.team)
    changed: dict[str, Any] = {}
    if restart:
        thread.first_responded_at = None
    if thread.first_responded_at is None and (restart or thread.first_response_due_at is None):
        thread.first_response_due_at = policy.calendar.add_hours(now, target.first_response_hours)
        changed["first_response_due_at"] = thread.first_response_due_at.isoformat()
        changed["first_response_hours"] = target.first_response_hours
    if restart or thread.resolution_due_at is None:
        thread.resolution_due_at = policy.calendar.add_hours(now, target.resolution_hours)
        changed["resolution_due_at"] = thread.resolution_due_at.isoformat()
        changed["resolution_hours"] = target.resolution_hours
    if not changed:
        return None
    return {"team": thread.team, "business_hours": True, "restarted": restart, **changed}


def response_time_hours(due_at: datetime | None, *, now: datetime) -> int | None:
    """What a customer is told to expect: wall-clock hours until ``due_at``, rounded up, and to
    whole days beyond a day (business hours would promise too little over a weekend)."""
    if due_at is None:
        return None
    seconds = max(0.0, (due_at - now).total_seconds())
    hours = max(1, -(-int(seconds) // 3600))
    return hours if hours < 24 else -(-hours // 24) * 24


async def _escalate(
    session: AsyncSession,
    *,
    thread: Thread,
    kind: str,
    target: str,
    due_at: datetime,
    now: datetime,
) -> bool:
    """Record one escalation of ``thread``'s ``kind`` deadline ``due_at``; False when it was."""
    statement = (
        dialect_insert(session, table_of(Escalation))
        .values(
            id=uuid.uuid4(),
            tenant_id=thread.tenant_id,
            thread_id=thread.id,
            kind=kind,
            target=target,
            team=thread.team,
            due_at=due_at,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["thread_id", "kind", "due_at"])
        .returning(col(Escalation.id))
    )
    inserted = (await session.execute(statement)).scalar_one_or_none()
    if inserted is None:
        return False
    thread.escalation, thread.escalated_at = kind, now
    await record_event(
        session,
        thread=thread,
        kind="escalated",
        data={
            "escalation_id": str(inserted),
            "kind": kind,
            "to": target,
            "team": thread.team,
            "due_at": due_at.isoformat(),
            "overdue_hours": round((now - due_at).total_seconds() / 3600, 1),
        },
    )
    if target == "legal" and thread.team != "legal":
        previous, thread.team = thread.team, "legal"
        await record_event(
            session,
            thread=thread,
            kind="routed",
            data={"team": "legal", "from": previous, "rule_id": None, "why": f"{kind} escalation"},
        )
        assignment = await agents.assign(session, thread=thread, team="legal", now=now)
        if assignment.assignee is None:
            thread.assignee = None
        await record_event(session, thread=thread, kind="assigned", data=assignment.as_event())
    return True


def _not_escalated(kind: str, due: Any) -> Any:
    return ~exists().where(
        col(Escalation.thread_id) == col(Thread.id),
        col(Escalation.kind) == kind,
        col(Escalation.due_at) == due,
    )


async def _breaches(
    session: AsyncSession, *, kind: str, due: Any, now: datetime, limit: int
) -> int:
    query = select(Thread).where(
        col(Thread.status).in_(OPEN_STATUSES),
        col(Thread.team).is_not(None),
        due.is_not(None),
        due < now,
        _not_escalated(kind, due),
    )
    if kind == "first_response":
        query = query.where(col(Thread.first_responded_at).is_(None))
    threads = list(
        (await session.execute(query.limit(limit).with_for_update(skip_locked=True))).scalars()
    )
    done = 0
    for thread in threads:
        due_at = (
            thread.first_response_due_at if kind == "first_response" else thread.resolution_due_at
        )
        if due_at is not None and await _escalate(
            session, thread=thread, kind=kind, target=SUPERVISORS, due_at=due_at, now=now
        ):
            done += 1
    return done


async def _aged_disputes(session: AsyncSession, *, now: datetime, limit: int) -> int:
    aged = (
        col(Thread.intent) == "dispute",
        col(Thread.status).in_(OPEN_STATUSES),
        col(Thread.disputed_at).is_not(None),
        ~exists().where(
            col(Escalation.thread_id) == col(Thread.id), col(Escalation.kind) == "dispute_age"
        ),
    )
    tenant_ids = list(
        (
            await session.execute(
                select(col(Thread.tenant_id))
                .where(*aged, col(Thread.disputed_at) < now - timedelta(days=1))
                .distinct()
            )
        ).scalars()
    )
    done = 0
    for tenant_id in tenant_ids:
        tenant = await session.get(Tenant, tenant_id)
        if tenant is None:
            continue
        policy = await load_policy(session, tenant=tenant)
        limit_age = timedelta(days=policy.dispute_age_limit_days)
        threads = (
            await session.execute(
                select(Thread)
                .where(
                    col(Thread.tenant_id) == tenant_id,
                    *aged,
                    col(Thread.disputed_at) < now - limit_age,
                )
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
        for thread in list(threads):
            if thread.disputed_at is not None and await _escalate(
                session,
                thread=thread,
                kind="dispute_age",
                target=policy.dispute_escalation,
                due_at=thread.disputed_at + limit_age,
                now=now,
            ):
                done += 1
    return done


async def escalate_due(
    session: AsyncSession, *, now: datetime | None = None, limit: int = 500
) -> dict[str, int]:
    """Escalate every passed deadline and every dispute past its age limit, each once."""
    moment = now or utcnow()
    return {
        "first_response": await _breaches(
            session, kind="first_response", due=col(Thread.first_response_due_at), now=moment,
            limit=limit,
        ),
        "resolution": await _breaches(
            session, kind="resolution", due=col(Thread.resolution_due_at), now=moment,
            limit=limit,
        ),
        "dispute_age": await _aged_disputes(session, now=moment, limit=limit),
    }  # fmt: skip
