"""Agents and assignment inside a team.

Round robin: among the team's available agents with room (open threads assigned below their
capacity), the one who got a thread longest ago. A thread in a language some of those agents
speak goes to one of them. Assignment locks the candidate agents' rows (in id order, so two
workers never deadlock) before counting their open threads: a second worker waits for the
first to commit and then counts its thread too, so no agent is filled beyond capacity.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.disputes.models import Agent
from service.disputes.schemas import AgentCreate, AgentPublic, AgentUpdate
from service.errors import Conflict, NotFound
from service.threads.models import Thread, ThreadStatus
from service.threads.service import record_event
from service.types import utcnow

OPEN_STATUSES = (ThreadStatus.open, ThreadStatus.pending)
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Assignment:
    assignee: str | None
    agent_id: uuid.UUID | None
    why: str

    def as_event(self) -> dict[str, object]:
        return {
            "assignee": self.assignee,
            "agent_id": str(self.agent_id) if self.agent_id else None,
            "why": self.why,
        }


async def open_counts(
    session: AsyncSession, *, tenant_id: uuid.UUID, names: Sequence[str]
) -> dict[str, int]:
    if not names:
        return {}
    rows = await session.execute(
        select(col(Thread.assignee), func.count())
        .where(
            col(Thread.tenant_id) == tenant_id,
            col(Thread.assignee).in_(list(names)),
            col(Thread.status).in_(list(OPEN_STATUSES)),
        )
        .group_by(col(Thread.assignee))
    )
    return {str(name): int(count) for name, count in rows.all()}


async def assign(
    session: AsyncSession,
    *,
    thread: Thread,
    team: str,
    language: str | None = None,
    now: datetime | None = None,
    available: Sequence[Agent] | None = None,
) -> Assignment:
    """Give ``thread`` to an agent of ``team`` (see the module docstring); None when nobody has
    room, and the thread waits in the team's queue. ``language`` defaults to the thread's.
    ``available`` are the tenant's available agents when the caller has read them already."""
    moment = now or utcnow()
    language = language or thread.language
    if available is None:
        available = (
            (
                await session.execute(
                    select(Agent)
                    .where(col(Agent.tenant_id) == thread.tenant_id, col(Agent.available).is_(True))
                    .order_by(col(Agent.id))
                )
            )
            .scalars()
            .all()
        )
    in_team = [agent for agent in available if team in agent.teams]
    if not in_team:
        return Assignment(None, None, f"no available agent in {team}")
    pool, preference = in_team, ""
    if language:
        speakers = [agent for agent in in_team if language in agent.languages]
        if speakers and len(speakers) < len(in_team):
            pool, preference = speakers, f", {language} speakers first"
    locked = list(
        (
            await session.execute(
                select(Agent)
                .where(col(Agent.id).in_([agent.id for agent in pool]))
                .order_by(col(Agent.id))
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).scalars()
    )
    counts = await open_counts(
        session, tenant_id=thread.tenant_id, names=[agent.name for agent in locked]
    )
    room = [
        agent
        for agent in locked
        if agent.available and team in agent.teams and counts.get(agent.name, 0) < agent.capacity
    ]
    if not room:
        return Assignment(None, None, f"every eligible agent of {team} is at capacity{preference}")
    chosen = min(room, key=lambda agent: (agent.last_assigned_at or _NEVER, agent.name))
    chosen.last_assigned_at = moment
    thread.assignee = chosen.name
    await session.flush()
    return Assignment(
        chosen.name,
        chosen.id,
        f"round robin among {len(room)} of {len(in_team)} available {team} agents with room"
        f"{preference}",
    )


# --- The agents API --------------------------------------------------------------------------


async def public(session: AsyncSession, agents: Sequence[Agent]) -> list[AgentPublic]:
    if not agents:
        return []
    counts = await open_counts(
        session, tenant_id=agents[0].tenant_id, names=[agent.name for agent in agents]
    )
    return [
        AgentPublic(
            id=agent.id,
            name=agent.name,
            teams=list(agent.teams),
            languages=list(agent.languages),
            capacity=agent.capacity,
            available=agent.available,
            open_threads=counts.get(agent.name, 0),
            last_assigned_at=agent.last_assigned_at,
            created_at=agent.created_at,
        )
        for agent in agents
    ]


async def list_agents(
    session: AsyncSession, *, tenant_id: uuid.UUID, team: str | None = None
) -> list[Agent]:
    agents = (
        await session.execute(
            select(Agent).where(col(Agent.tenant_id) == tenant_id).order_by(col(Agent.name))
        )
    ).scalars()
    return [agent for agent in agents if team is None or team in agent.teams]


async def get_agent(session: AsyncSession, *, tenant_id: uuid.UUID, agent_id: uuid.UUID) -> Agent:
    agent = (
        await session.execute(
            select(Agent).where(col(Agent.tenant_id) == tenant_id, col(Agent.id) == agent_id)
        )
    ).scalar_one_or_none()
    if agent is None:
        raise NotFound("agent not found")
    return agent


async def agent_named(session: AsyncSession, *, tenant_id: uuid.UUID, name: str) -> Agent | None:
    return (
        await session.execute(
            select(Agent).where(col(Agent.tenant_id) == tenant_id, col(Agent.name) == name)
        )
    ).scalar_one_or_none()


async def _name_taken(session: AsyncSession, *, tenant_id: uuid.UUID, name: str) -> bool:
    found = await session.scalar(
        select(col(Agent.id)).where(col(Agent.tenant_id) == tenant_id, col(Agent.name) == name)
    )
    return found is not None


async def create_agent(
    session: AsyncSession, *, tenant_id: uuid.UUID, payload: AgentCreate
) -> Agent:
    if await _name_taken(session, tenant_id=tenant_id, name=payload.name):
        raise Conflict(f"an agent named {payload.name!r} exists")
    agent = Agent(
        tenant_id=tenant_id,
        name=payload.name,
        teams=sorted(set(payload.teams)),
        languages=sorted(set(payload.languages)),
        capacity=payload.capacity,
        available=payload.available,
    )
    session.add(agent)
    await session.flush()
    return agent


async def update_agent(
    session: AsyncSession, *, tenant_id: uuid.UUID, agent_id: uuid.UUID, payload: AgentUpdate
) -> Agent:
    """Change an agent; a new name carries their open threads with it."""
    agent = await get_agent(session, tenant_id=tenant_id, agent_id=agent_id)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    new_name = changes.pop("name", None)
    if new_name is not None and new_name != agent.name:
        if await _name_taken(session, tenant_id=tenant_id, name=new_name):
            raise Conflict(f"an agent named {new_name!r} exists")
        await session.execute(
            update(Thread)
            .where(
                col(Thread.tenant_id) == tenant_id,
                col(Thread.assignee) == agent.name,
                col(Thread.status).in_(list(OPEN_STATUSES)),
            )
            .values(assignee=new_name)
            .execution_options(synchronize_session=False)
        )
        agent.name = new_name
    for name in ("teams", "languages"):
        if name in changes:
            changes[name] = sorted(set(changes[name]))
    for name, value in changes.items():
        setattr(agent, name, value)
    agent.updated_at = utcnow()
    await session.flush()
    return agent


async def delete_agent(
    session: AsyncSession, *, tenant_id: uuid.UUID, agent_id: uuid.UUID, actor: str
) -> None:
    """Remove an agent; their open threads go back to their team's queue, each logged."""
    agent = await get_agent(session, tenant_id=tenant_id, agent_id=agent_id)
    threads = (
        await session.execute(
            select(Thread).where(
                col(Thread.tenant_id) == tenant_id,
                col(Thread.assignee) == agent.name,
                col(Thread.status).in_(list(OPEN_STATUSES)),
            )
        )
    ).scalars()
    for thread in threads:
        thread.assignee = None
        await record_event(
            session,
            thread=thread,
            kind="assignee_changed",
            actor=actor,
            data={"from": agent.name, "to": None, "by": "agent removed"},
        )
    await session.delete(agent)
    await session.flush()
