"""Request and response models of the inbound API."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class AttachRequest(BaseModel):
    customer_external_id: str = Field(min_length=1, max_length=128)


class AttachedThread(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    customer_external_id: str
    messages_moved: int
