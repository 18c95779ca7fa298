"""outbox claims, consent replies, one form of address

Revision ID: 0008
Revises: 0007

The send job's claim token and the consent-reply flag on messages; email addresses in consent
and suppression records brought to their one stored form (lower case), keeping for each
address the record that decides: the latest consent, the first reason an address died.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.types  # noqa: F401  (custom column types)

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_token", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("consent_reply", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    _normalize_emails("consent_records", keep="updated_at DESC")
    _normalize_emails("unusable_addresses", keep="created_at ASC")


def _normalize_emails(table: str, *, keep: str) -> None:
    """Lower-case every email address of ``table``; where two records name the same address
    once lowered, keep the first by ``keep`` and drop the others (the unique key demands it)."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            f"SELECT id, tenant_id, address FROM {table} "  # noqa: S608 (fixed table names)
            f"WHERE channel = 'email' ORDER BY tenant_id, {keep}"
        )
    ).all()
    kept: set[tuple[object, str]] = set()
    dropped: list[object] = []
    lowered: list[dict[str, object]] = []
    for row_id, tenant_id, address in rows:
        normalized = address.strip().strip("<>").strip().lower()
        if (tenant_id, normalized) in kept:
            dropped.append(row_id)
            continue
        kept.add((tenant_id, normalized))
        if normalized != address:
            lowered.append({"address": normalized, "id": row_id})
    # Duplicates go first, so that no update collides with a record about to be dropped.
    for row_id in dropped:
        connection.execute(sa.text(f"DELETE FROM {table} WHERE id = :id"), {"id": row_id})
    for values in lowered:
        connection.execute(sa.text(f"UPDATE {table} SET address = :address WHERE id = :id"), values)


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("consent_reply")
        batch_op.drop_column("claim_token")
