"""Request and response models of the outreach endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


class WebhookAck(BaseModel):
    """``received`` events in the request, ``stored`` new ones (replays are not stored again)."""

    received: int
    stored: int


class MessagePublic(BaseModel):
    """One outbound message and what became of it."""

    id: uuid.UUID
    thread_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    run_id: uuid.UUID | None
    channel: str
    language: str | None
    template: str | None
    to: str | None
    subject: str | None
    body: str
    status: str
    skip_reason: str | None
    invoices: list[str]
    headers: dict[str, str]
    provider_id: str | None
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
