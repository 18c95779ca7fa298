"""Request and response models of the template API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TemplateInfo(BaseModel):
    name: str
    channels: list[str]
    files: list[str]
    overridden: list[str]


class TemplateList(BaseModel):
    templates: list[TemplateInfo]


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Literal["en", "es"] | None = Field(
        default=None, description="defaults to the customer's language, else the tenant's"
    )
    customer_external_id: str | None = Field(
        default=None, max_length=128, description="render for this customer and its open invoices"
    )
    locale: str | None = Field(default=None, max_length=16)


class RenderedVariant(BaseModel):
    channel: str
    language: str
    locale: str
    bilingual: bool
    subject: str | None
    html: str | None
    text: str
    sms_encoding: str | None = None
    sms_segments: int | None = None
    sms_units: int | None = None


class Preview(BaseModel):
    name: str
    customer_external_id: str | None
    variants: list[RenderedVariant]


class OverridePut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=100_000)


class OverridePublic(BaseModel):
    path: str
    source: str
