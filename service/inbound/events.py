"""Thread events written by the processing of a reply, in as few statements as possible.

``threads.service.record_event`` flushes after every event; a reply's processing logs eight or
more (received, classified, routed, timers, effects, answer, assignment ...), and each flush
is a round trip of its own. Here an event is only added to the session: the next query's
autoflush or the commit writes the events of the reply together (one INSERT for all of them),
in the order they were added, each with the time it was decided.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.threads.models import Thread, ThreadEvent
from service.types import new_id, utcnow


def add_event(
    session: AsyncSession,
    *,
    thread: Thread,
    kind: str,
    actor: str = "cobro",
    data: dict[str, Any] | None = None,
) -> ThreadEvent:
    """Log ``kind`` on ``thread`` as ``record_event`` does, written with the session's next
    flush."""
    now = utcnow()
    # Every field given: SQLModel inspects the signature of each default factory it calls.
    event = ThreadEvent(
        id=new_id(),
        tenant_id=thread.tenant_id,
        thread_id=thread.id,
        kind=kind,
        actor=actor,
        data=data or {},
        created_at=now,
    )
    session.add(event)
    thread.updated_at = now
    return event
