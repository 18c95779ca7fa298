"""Regenerate the newest, unreleased migration from the models (development only).

    python -m service.migrations.regenerate 0002 "threads, messages, delivery and inbound"

Upgrades a scratch SQLite database to the revision before REV, deletes REV's file and
autogenerates it again from the current models.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from alembic import command

from service.migrations import HERE, alembic_config, upgrade


def regenerate(rev_id: str, message: str) -> Path:
    for old in (HERE / "versions").glob(f"{rev_id}_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite+aiosqlite:///{Path(scratch) / 'scratch.db'}"
        upgrade(url)
        command.revision(alembic_config(url), message=message, autogenerate=True, rev_id=rev_id)
    (created,) = (HERE / "versions").glob(f"{rev_id}_*.py")
    text = created.read_text()
    # Autogenerate on SQLite renders a false default as 0, which PostgreSQL refuses for booleans.
    text = re.sub(
        r"""sa\.Boolean\(\),\s*server_default=sa\.text\(["']0["']\)""",
        "sa.Boolean(), server_default=sa.false()",
        text,
    )
    lines = [ln for ln in text.splitlines() if not ln.startswith("Create Date:")]
    created.write_text("\n".join(lines) + "\n")
    return created


if __name__ == "__main__":
    sys.stderr.write(f"{regenerate(sys.argv[1], sys.argv[2])}\n")
