"""Revision 0008 brings stored email addresses to their one form, keeping for each address the
record that decides (the latest consent, the first reason an address died)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from service.migrations import upgrade


def test_stored_emails_are_lowered_and_duplicates_merged(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'addresses.db'}"
    upgrade(url, "0007")
    engine = create_engine(f"sqlite:///{tmp_path / 'addresses.db'}")
    tenant = uuid.uuid4().hex
    early, late = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO tenants (id, name, language, timezone, country, created_at) "
                "VALUES (:id, 'T', 'en', 'UTC', 'US', :at)"
            ),
            {"id": tenant, "at": early},
        )
        for address, opted_out, at in [
            ("Ana@example.com", 1, late),  # the latest word: opted out
            ("ana@example.com", 0, early),
            ("+15005550009", 1, early),
        ]:
            connection.execute(
                text(
                    "INSERT INTO consent_records "
                    "(id, tenant_id, channel, address, opted_out, source, updated_at) "
                    "VALUES (:id, :tenant, :channel, :address, :out, 'test', :at)"
                ),
                {
                    "id": uuid.uuid4().hex,
                    "tenant": tenant,
                    "channel": "sms" if address.startswith("+") else "email",
                    "address": address,
                    "out": opted_out,
                    "at": at,
                },
            )
    engine.dispose()

    upgrade(url, "0008")

    engine = create_engine(f"sqlite:///{tmp_path / 'addresses.db'}")
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT channel, address, opted_out FROM consent_records ORDER BY address")
        ).all()
        columns = {row[1] for row in connection.execute(text("PRAGMA table_info(messages)"))}
    engine.dispose()
    assert rows == [("sms", "+15005550009", 1), ("email", "ana@example.com", 1)]
    assert {"claim_token", "consent_reply"} <= columns
