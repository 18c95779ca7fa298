"""campaigns: tenant rule defaults

Revision ID: 0004
Revises: 0003

Campaigns used to store every rule, defaults included; from here on a campaign stores only the
rules it sets, the others coming from its tenant's defaults. Stored rules equal to the former
built-in defaults are dropped so that existing campaigns follow their tenant's defaults, and the
campaign-level promise grace (never applied: an invoice's promised_until already includes the
tenant's grace) goes.
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import service.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The built-in rules as stored before this revision (frozen here: the application may change).
_FORMER_DEFAULTS: dict[str, Any] = {
    "quiet_hours_start": "21:00:00",
    "quiet_hours_end": "08:00:00",
    "send_on_weekends": False,
    "holidays_country": None,
    "min_gap_hours": 72,
    "max_contacts_per_7_days": 3,
    "min_balance": "0",
    "exclude_tags": [],
    "referral": None,
}
_DROPPED = {"promise_grace_days"}


def upgrade() -> None:
    op.create_table(
        "campaign_rule_defaults",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("updated_at", service.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.PrimaryKeyConstraint("tenant_id"),
    )
    campaigns = sa.table("campaigns", sa.column("id", sa.Uuid()), sa.column("rules", sa.JSON()))
    connection = op.get_bind()
    for campaign_id, rules in connection.execute(sa.select(campaigns.c.id, campaigns.c.rules)):
        stored = json.loads(rules) if isinstance(rules, str) else dict(rules or {})
        kept = {
            name: value
            for name, value in stored.items()
            if name not in _DROPPED and _FORMER_DEFAULTS.get(name, object()) != value
        }
        if kept != stored:
            connection.execute(
                campaigns.update().where(campaigns.c.id == campaign_id).values(rules=kept)
            )


def downgrade() -> None:
    op.drop_table("campaign_rule_defaults")
