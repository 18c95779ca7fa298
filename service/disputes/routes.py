"""The disputes desk's settings and records: routing rules, agents, the tenant's policy,
promises to pay and escalations. Staff read; admins and supervisors change."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from service.deps import SessionDep, StaffDep, SupervisorDep
from service.disputes import agents, records, routing
from service.disputes.schemas import (
    AgentCreate,
    AgentList,
    AgentPublic,
    AgentUpdate,
    EscalationList,
    PolicyPublic,
    PolicyUpdate,
    PromiseList,
    RuleCreate,
    RuleList,
    RulePublic,
    RuleUpdate,
)
from service.threads.routes import actor

router = APIRouter(tags=["disputes"])


@router.get("/v1/routing-rules", response_model=RuleList)
async def list_rules(principal: StaffDep, session: SessionDep) -> RuleList:
    rules = await routing.list_rules(session, tenant_id=principal.tenant.id)
    return RuleList(items=[RulePublic.model_validate(rule) for rule in rules])


@router.post("/v1/routing-rules", response_model=RulePublic, status_code=status.HTTP_201_CREATED)
async def create_rule(
    payload: RuleCreate, principal: SupervisorDep, session: SessionDep
) -> RulePublic:
    rule = await routing.create_rule(session, tenant_id=principal.tenant.id, payload=payload)
    return RulePublic.model_validate(rule)


@router.get("/v1/routing-rules/{rule_id}", response_model=RulePublic)
async def get_rule(rule_id: uuid.UUID, principal: StaffDep, session: SessionDep) -> RulePublic:
    rule = await routing.get_rule(session, tenant_id=principal.tenant.id, rule_id=rule_id)
    return RulePublic.model_validate(rule)


@router.patch("/v1/routing-rules/{rule_id}", response_model=RulePublic)
async def update_rule(
    rule_id: uuid.UUID, payload: RuleUpdate, principal: SupervisorDep, session: SessionDep
) -> RulePublic:
    rule = await routing.update_rule(
        session, tenant_id=principal.tenant.id, rule_id=rule_id, payload=payload
    )
    return RulePublic.model_validate(rule)


@router.delete("/v1/routing-rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_rule(
    rule_id: uuid.UUID, principal: SupervisorDep, session: SessionDep
) -> Response:
    await routing.delete_rule(session, tenant_id=principal.tenant.id, rule_id=rule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/v1/agents", response_model=AgentList)
async def list_agents(
    principal: StaffDep,
    session: SessionDep,
    team: Annotated[str | None, Query(max_length=16)] = None,
) -> AgentList:
    found = await agents.list_agents(session, tenant_id=principal.tenant.id, team=team)
    return AgentList(items=await agents.public(session, found))


@router.post("/v1/agents", response_model=AgentPublic, status_code=status.HTTP_201_CREATED)
async def create_agent(
    payload: AgentCreate, principal: SupervisorDep, session: SessionDep
) -> AgentPublic:
    agent = await agents.create_agent(session, tenant_id=principal.tenant.id, payload=payload)
    return (await agents.public(session, [agent]))[0]


@router.get("/v1/agents/{agent_id}", response_model=AgentPublic)
async def get_agent(agent_id: uuid.UUID, principal: StaffDep, session: SessionDep) -> AgentPublic:
    agent = await agents.get_agent(session, tenant_id=principal.tenant.id, agent_id=agent_id)
    return (await agents.public(session, [agent]))[0]


@router.patch("/v1/agents/{agent_id}", response_model=AgentPublic)
async def update_agent(
    agent_id: uuid.UUID, payload: AgentUpdate, principal: SupervisorDep, session: SessionDep
) -> AgentPublic:
    agent = await agents.update_agent(
        session, tenant_id=principal.tenant.id, agent_id=agent_id, payload=payload
    )
    return (await agents.public(session, [agent]))[0]


@router.delete("/v1/agents/{agent_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_agent(
    agent_id: uuid.UUID, principal: SupervisorDep, session: SessionDep
) -> Response:
    await agents.delete_agent(
        session, tenant_id=principal.tenant.id, agent_id=agent_id, actor=actor(principal)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/v1/dispute-policy", response_model=PolicyPublic)
async def get_policy(principal: StaffDep, session: SessionDep) -> PolicyPublic:
    return await records.policy_public(session, tenant=principal.tenant)


@router.put("/v1/dispute-policy", response_model=PolicyPublic)
async def update_policy(
    payload: PolicyUpdate, principal: SupervisorDep, session: SessionDep
) -> PolicyPublic:
    return await records.update_policy(session, tenant=principal.tenant, payload=payload)


@router.get("/v1/promises", response_model=PromiseList)
async def list_promises(
    principal: StaffDep,
    session: SessionDep,
    status_: Annotated[
        str | None, Query(alias="status", max_length=16, description="active, kept, broken")
    ] = None,
    customer: Annotated[str | None, Query(max_length=128, description="external id")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> PromiseList:
    return await records.list_promises(
        session, tenant_id=principal.tenant.id, status=status_, customer=customer, limit=limit
    )


@router.get("/v1/escalations", response_model=EscalationList)
async def list_escalations(
    principal: SupervisorDep,
    session: SessionDep,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> EscalationList:
    return await records.list_escalations(
        session, tenant_id=principal.tenant.id, kind=kind, limit=limit
    )
