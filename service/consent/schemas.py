"""Request and response models of the consent API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from service.consent.service import ConsentChannel


class ConsentPut(BaseModel):
    channel: ConsentChannel
    address: str = Field(min_length=1, max_length=320)
    opted_out: bool
    detail: str | None = Field(default=None, max_length=500)


class ConsentPublic(BaseModel):
    id: uuid.UUID
    channel: str
    address: str
    opted_out: bool
    source: str
    detail: str | None
    updated_at: datetime
