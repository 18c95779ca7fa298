"""disputes: routing rules, agents, SLAs, promises

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> service.types.UTCDateTime:
    return service.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("teams", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("available", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("last_assigned_at", _utc(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "name"),
    )
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agents_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "dispute_policies",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("promise_grace_days", sa.Integer(), nullable=False),
        sa.Column("working_days", sa.JSON(), nullable=False),
        sa.Column("opens_at", sa.String(length=5), nullable=False),
        sa.Column("closes_at", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("holiday_country", sa.String(length=2), nullable=True),
        sa.Column("holiday_subdivision", sa.String(length=8), nullable=True),
        sa.Column("sla", sa.JSON(), nullable=False),
        sa.Column("dispute_age_limit_days", sa.Integer(), nullable=False),
        sa.Column("dispute_escalation", sa.String(length=16), nullable=False),
        sa.Column("ack_interval_hours", sa.Integer(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.PrimaryKeyConstraint("tenant_id"),
    )

    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("team", sa.String(length=16), nullable=False),
        sa.Column("intents", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("min_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("max_amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.create_index(
            "ix_routing_rules_tenant_position", ["tenant_id", "position"], unique=False
        )

    op.create_table(
        "escalations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("thread_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("team", sa.String(length=16), nullable=True),
        sa.Column("due_at", _utc(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("thread_id", "kind", "due_at"),
    )
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_escalations_tenant_created", ["tenant_id", "created_at"], unique=False
        )

    op.create_table(
        "promises",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("thread_id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("promised_on", sa.Date(), nullable=False),
        sa.Column("grace_until", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("invoice_numbers", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("settled_at", _utc(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"]),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.create_index("ix_promises_status_grace", ["status", "grace_until"], unique=False)
        batch_op.create_index(
            "ix_promises_tenant_customer", ["tenant_id", "customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_promises_thread_id"), ["thread_id"], unique=False)

    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disputed_at", _utc(), nullable=True))
        batch_op.add_column(sa.Column("escalation", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("escalated_at", _utc(), nullable=True))
        batch_op.create_index(
            "ix_threads_first_response_due", ["first_response_due_at"], unique=False
        )
        batch_op.create_index("ix_threads_resolution_due", ["resolution_due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.drop_index("ix_threads_resolution_due")
        batch_op.drop_index("ix_threads_first_response_due")
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("escalation")
        batch_op.drop_column("disputed_at")
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promises_thread_id"))
        batch_op.drop_index("ix_promises_tenant_customer")
        batch_op.drop_index("ix_promises_status_grace")
    op.drop_table("promises")
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_index("ix_escalations_tenant_created")
    op.drop_table("escalations")
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_routing_rules_tenant_position")
    op.drop_table("routing_rules")
    op.drop_table("dispute_policies")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agents_tenant_id"))
    op.drop_table("agents")
