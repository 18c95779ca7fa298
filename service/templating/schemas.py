"""Request and response models of the template API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from service.ledger import normalize
from service.rendering import MAX_SMS_SEGMENTS

ChannelName = Literal["email", "sms", "portal"]


class TemplateInfo(BaseModel):
    name: str
    channels: list[str]
    files: list[str]
    overridden: list[str]


class TemplateList(BaseModel):
    templates: list[TemplateInfo]


class SampleInvoice(BaseModel):
    """One open invoice of made-up data for a preview."""

    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=1, max_length=64, examples=["F-2025-0187"])
    currency: str = Field(min_length=3, max_length=3, examples=["MXN"])
    balance: Decimal = Field(gt=0, examples=["18450.00"])
    due_on: date = Field(examples=["2025-02-10"])
    po_number: str | None = Field(default=None, max_length=64, examples=["OC-4471"])

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        try:
            return normalize.currency(value)
        except normalize.InvalidField as exc:
            raise ValueError(exc.reason) from exc

    @model_validator(mode="after")
    def _balance(self) -> SampleInvoice:
        try:
            self.balance = normalize.money(
                self.balance, field="balance", currency_code=self.currency
            )
        except normalize.InvalidField as exc:
            raise ValueError(str(exc)) from exc
        return self


class SampleData(BaseModel):
    """A made-up customer to preview with, before (or instead of) real portfolio data."""

    model_config = ConfigDict(extra="forbid")

    customer_name: str = Field(min_length=1, max_length=300)
    language: Literal["en", "es"] | None = Field(
        default=None, description="unset: the customer's language is unknown (bilingual email)"
    )
    locale: str | None = Field(default=None, max_length=16, examples=["es_MX"])
    timezone: str | None = Field(default=None, max_length=64, examples=["America/Mexico_City"])
    invoices: list[SampleInvoice] = Field(default_factory=list, max_length=100)
    referral: str | None = Field(
        default=None,
        max_length=200,
        description='who an escalation names: "legal", "agency" or your own text; '
        "unset: the tenant's policy",
    )

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str | None) -> str | None:
        try:
            return normalize.locale(value) if value else None
        except normalize.InvalidField as exc:
            raise ValueError(exc.reason) from exc

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        try:
            return normalize.timezone(value) if value else None
        except normalize.InvalidField as exc:
            raise ValueError(exc.reason) from exc


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Literal["en", "es"] | None = Field(
        default=None, description="defaults to the customer's language, else the tenant's"
    )
    customer_external_id: str | None = Field(
        default=None, max_length=128, description="render for this customer and its open invoices"
    )
    locale: str | None = Field(default=None, max_length=16)
    sample: SampleData | None = Field(
        default=None, description="render for made-up data instead of one of your customers"
    )
    channels: list[ChannelName] | None = Field(
        default=None, min_length=1, description="only these channels (default: every channel)"
    )

    @model_validator(mode="after")
    def _one_subject(self) -> PreviewRequest:
        if self.customer_external_id is not None and self.sample is not None:
            raise ValueError("give customer_external_id or sample, not both")
        return self


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
    sms_budget: int | None = Field(default=None, description="segments the tenant allows")
    warnings: list[str] = Field(
        default_factory=list,
        description="what the customer gets differently from the template as written, e.g. an "
        "SMS over budget (sent as a multi-part message) or accents dropped to fit",
    )


class Preview(BaseModel):
    name: str
    customer_external_id: str | None
    referral: str | None = Field(default=None, description="the referral an escalation names")
    variants: list[RenderedVariant]


class OverridePut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=100_000)


class OverridePublic(BaseModel):
    path: str
    source: str


class MessageSettings(BaseModel):
    """A tenant's message options."""

    postal_address: str | None = Field(
        description="shown in every email footer; no email goes out without it"
    )
    sms_transliteration: bool = Field(
        description="send SMS in GSM-7: keeps é, ñ, ü, ¿, ¡ and drops only the accents GSM-7 "
        "lacks (más -> mas), for 153 characters a segment instead of 67"
    )
    sms_max_segments: int = Field(description="the segments an SMS may take")


class MessageSettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    postal_address: str | None = Field(default=None, min_length=5, max_length=500)
    sms_transliteration: bool | None = None
    sms_max_segments: int | None = Field(default=None, ge=1, le=MAX_SMS_SEGMENTS)

    @field_validator("postal_address")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        lines = [line.strip() for line in value.replace("\r\n", "\n").split("\n")]
        cleaned = "\n".join(line for line in lines if line)
        if len(cleaned) < 5:
            raise ValueError("a postal address needs a street, a city and a postal code")
        return cleaned
