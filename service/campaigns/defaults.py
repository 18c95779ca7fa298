"""The contact rules in force: Cobro's defaults, under the tenant's, under the campaign's own.

A campaign and a tenant store only the rules they set, so a tenant changing its quiet hours
changes every campaign that does not set quiet hours itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.campaigns.models import Campaign, CampaignRuleDefaults
from service.campaigns.schemas import RuleDefaultsPublic, Rules
from service.errors import Unprocessable
from service.types import utcnow


def known_rules(values: Mapping[str, Any]) -> dict[str, Any]:
    """The stored rules Cobro still knows; a rule that was retired is ignored, not an error."""
    return {name: value for name, value in values.items() if name in Rules.model_fields}


def overrides_of(rules: Rules) -> dict[str, Any]:
    """Only the rules given in a request, as stored."""
    return rules.model_dump(mode="json", include=rules.model_fields_set)


def merge(*layers: Mapping[str, Any]) -> Rules:
    """Later layers win, rule by rule; what no layer sets is Cobro's default."""
    combined: dict[str, Any] = {}
    for layer in layers:
        combined.update(known_rules(layer))
    return Rules.model_validate(combined)


def check_rules(rules: Rules) -> None:
    if rules.holidays_country is not None and not rules.holidays_country.isalpha():
        raise Unprocessable("rules.holidays_country: use an ISO 3166 alpha-2 code")


async def tenant_overrides(session: AsyncSession, *, tenant_id: uuid.UUID) -> dict[str, Any]:
    row = await session.get(CampaignRuleDefaults, tenant_id)
    return dict(row.rules) if row is not None else {}


async def rules_for(session: AsyncSession, *, campaign: Campaign) -> Rules:
    """The rules a campaign runs by."""
    tenant = await tenant_overrides(session, tenant_id=campaign.tenant_id)
    return merge(tenant, campaign.rules)


async def get_defaults(session: AsyncSession, *, tenant_id: uuid.UUID) -> RuleDefaultsPublic:
    row = await session.get(CampaignRuleDefaults, tenant_id)
    stored = known_rules(row.rules) if row is not None else {}
    return RuleDefaultsPublic(
        rules=merge(stored), overrides=stored, updated_at=row.updated_at if row else None
    )


async def put_defaults(
    session: AsyncSession, *, tenant_id: uuid.UUID, rules: Rules
) -> RuleDefaultsPublic:
    """Replace the tenant's defaults: the rules given, and Cobro's for the others."""
    check_rules(rules)
    row = await session.get(CampaignRuleDefaults, tenant_id)
    if row is None:
        row = CampaignRuleDefaults(tenant_id=tenant_id)
        session.add(row)
    row.rules = overrides_of(rules)
    row.updated_at = utcnow()
    await session.flush()
    return await get_defaults(session, tenant_id=tenant_id)
