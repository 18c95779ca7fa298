"""Which team works a thread: the tenant's ordered routing rules, else the taxonomy's default.

A rule matches when every condition it states holds (an empty list or unset bound states
nothing). The amount is the open balance of the invoices the reply concerns, in the rule's
currency when it names one, else the largest balance of any one currency.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.disputes import team_for
from service.disputes.models import RoutingRule
from service.disputes.schemas import RuleCreate, RuleUpdate
from service.errors import NotFound, Unprocessable
from service.types import utcnow

REVIEW_TEAM = "collections"


@dataclass(frozen=True)
class Facts:
    """What routing rules may look at."""

    intent: str
    reason: str | None
    language: str | None
    channel: str
    tags: frozenset[str] = frozenset()
    balances: dict[str, Decimal] = field(default_factory=dict)  # currency -> open balance


@dataclass(frozen=True)
class Decision:
    team: str | None
    rule_id: uuid.UUID | None
    why: str

    def as_event(self) -> dict[str, object]:
        return {
            "team": self.team,
            "rule_id": str(self.rule_id) if self.rule_id else None,
            "why": self.why,
        }


def _amount(rule: RoutingRule, facts: Facts) -> Decimal | None:
    if rule.currency:
        return facts.balances.get(rule.currency)
    return max(facts.balances.values(), default=None)


def matches(rule: RoutingRule, facts: Facts) -> bool:
    if not rule.enabled:
        return False
    if rule.intents and facts.intent not in rule.intents:
        return False
    if rule.reasons and facts.reason not in rule.reasons:
        return False
    if rule.languages and facts.language not in rule.languages:
        return False
    if rule.channels and facts.channel not in rule.channels:
        return False
    if rule.tags and not facts.tags.intersection(rule.tags):
        return False
    if rule.min_amount is not None or rule.max_amount is not None:
        amount = _amount(rule, facts)
        if amount is None:
            return False
        if rule.min_amount is not None and amount < rule.min_amount:
            return False
        if rule.max_amount is not None and amount > rule.max_amount:
            return False
    return True


def decide(rules: Sequence[RoutingRule], facts: Facts) -> Decision:
    """The first matching rule's team; else the taxonomy's team for the labels."""
    for rule in rules:
        if matches(rule, facts):
            return Decision(
                team=rule.team, rule_id=rule.id, why=f"rule {rule.position} {rule.name!r}"
            )
    team = team_for(facts.intent, facts.reason)
    return Decision(team=team, rule_id=None, why="taxonomy default")


# --- The rules API ---------------------------------------------------------------------------


async def list_rules(session: AsyncSession, *, tenant_id: uuid.UUID) -> list[RoutingRule]:
    result = await session.execute(
        select(RoutingRule)
        .where(col(RoutingRule.tenant_id) == tenant_id)
        .order_by(col(RoutingRule.position), col(RoutingRule.created_at), col(RoutingRule.id))
    )
    return list(result.scalars())


async def get_rule(
    session: AsyncSession, *, tenant_id: uuid.UUID, rule_id: uuid.UUID
) -> RoutingRule:
    rule = (
        await session.execute(
            select(RoutingRule).where(
                col(RoutingRule.tenant_id) == tenant_id, col(RoutingRule.id) == rule_id
            )
        )
    ).scalar_one_or_none()
    if rule is None:
        raise NotFound("routing rule not found")
    return rule


async def create_rule(
    session: AsyncSession, *, tenant_id: uuid.UUID, payload: RuleCreate
) -> RoutingRule:
    """A new rule; without a position it goes last."""
    fields = payload.model_dump()
    if fields.get("position") is None:
        last = await session.scalar(
            select(func.max(col(RoutingRule.position))).where(
                col(RoutingRule.tenant_id) == tenant_id
            )
        )
        fields["position"] = (int(last) + 10) if last is not None else 10
    rule = RoutingRule(tenant_id=tenant_id, **fields)
    session.add(rule)
    await session.flush()
    return rule


async def update_rule(
    session: AsyncSession, *, tenant_id: uuid.UUID, rule_id: uuid.UUID, payload: RuleUpdate
) -> RoutingRule:
    rule = await get_rule(session, tenant_id=tenant_id, rule_id=rule_id)
    changes = payload.model_dump(exclude_unset=True)
    try:
        merged = RuleCreate.model_validate({**_as_fields(rule), **changes})
    except ValidationError as exc:
        raise Unprocessable(_first_error(exc)) from exc
    for name, value in merged.model_dump().items():
        setattr(rule, name, value)
    rule.updated_at = utcnow()
    await session.flush()
    return rule


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "body"
    return f"{where}: {error['msg']}"


def _as_fields(rule: RoutingRule) -> dict[str, object]:
    return {name: getattr(rule, name) for name in RuleCreate.model_fields}


async def delete_rule(session: AsyncSession, *, tenant_id: uuid.UUID, rule_id: uuid.UUID) -> None:
    rule = await get_rule(session, tenant_id=tenant_id, rule_id=rule_id)
    await session.delete(rule)
    await session.flush()
