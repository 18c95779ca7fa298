"""What the processing of inbound replies reads once per tenant and round, not once per reply.

A reply's processing needs its tenant's disputes policy, routing rules, renderer (its template
overrides) and the agents available for assignment. None of these changes from one reply to
the next; a worker's round of replies (``workers.inbound.Collector``) reads each once. A
``TenantLookups`` lives as long as one round: an edit made while it runs applies from the next
round on. Rows cached here are only read, never changed or added to another session. Nothing a
reply's processing leaves pending in its session is among them, so they are read without
autoflush (the reply's events are written later, with others, not before each of these).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.disputes.models import Agent, RoutingRule
from service.disputes.policy import Policy, load_policy
from service.disputes.routing import list_rules
from service.rendering import Renderer
from service.templating.service import TemplateCatalog
from service.tenancy.models import Tenant


@dataclass
class TenantLookups:
    policies: dict[uuid.UUID, Policy] = field(default_factory=dict)
    rules: dict[uuid.UUID, list[RoutingRule]] = field(default_factory=dict)
    renderers: dict[uuid.UUID, Renderer] = field(default_factory=dict)
    agents: dict[uuid.UUID, list[Agent]] = field(default_factory=dict)

    async def policy(self, session: AsyncSession, *, tenant: Tenant) -> Policy:
        found = self.policies.get(tenant.id)
        if found is None:
            with session.no_autoflush:
                found = self.policies[tenant.id] = await load_policy(session, tenant=tenant)
        return found

    async def routing_rules(
        self, session: AsyncSession, *, tenant_id: uuid.UUID
    ) -> list[RoutingRule]:
        found = self.rules.get(tenant_id)
        if found is None:
            with session.no_autoflush:
                found = self.rules[tenant_id] = await list_rules(session, tenant_id=tenant_id)
        return found

    async def renderer(
        self, session: AsyncSession, *, templates: TemplateCatalog, tenant_id: uuid.UUID
    ) -> Renderer:
        found = self.renderers.get(tenant_id)
        if found is None:
            with session.no_autoflush:
                found = await templates.for_tenant(session, tenant_id=tenant_id)
            self.renderers[tenant_id] = found
        return found

    async def available_agents(self, session: AsyncSession, *, tenant_id: uuid.UUID) -> list[Agent]:
        """The tenant's available agents, in id order (``agents.assign`` locks and reads again
        the ones it chooses among, so a change made meanwhile is seen before assigning)."""
        found = self.agents.get(tenant_id)
        if found is None:
            with session.no_autoflush:
                rows = await session.execute(
                    select(Agent)
                    .where(col(Agent.tenant_id) == tenant_id, col(Agent.available).is_(True))
                    .order_by(col(Agent.id))
                )
            found = self.agents[tenant_id] = list(rows.scalars())
        return found
