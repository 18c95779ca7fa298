"""Bilingual rendering of Cobro's messages: English and Spanish templates, Babel formatting, SMS.

Pure code: no database, no network. Build a `MessageContext`, then
`Renderer(default_templates_dir()).render("reminder_firm", channel="email", context=ctx)`.
"""

from service.rendering.context import (
    Installment,
    InvoiceLine,
    MessageContext,
    Money,
    SenderIdentity,
    aging_bucket,
    totals_by_currency,
)
from service.rendering.locales import LANGUAGES, locale_for
from service.rendering.renderer import (
    CHANNELS,
    Channel,
    RenderedMessage,
    Renderer,
    TemplateMissing,
    default_templates_dir,
)
from service.rendering.sms import SmsInfo, count_segments, is_gsm7, to_gsm7

__all__ = [
    "CHANNELS",
    "LANGUAGES",
    "Channel",
    "Installment",
    "InvoiceLine",
    "MessageContext",
    "Money",
    "RenderedMessage",
    "Renderer",
    "SenderIdentity",
    "SmsInfo",
    "TemplateMissing",
    "aging_bucket",
    "count_segments",
    "default_templates_dir",
    "is_gsm7",
    "locale_for",
    "to_gsm7",
    "totals_by_currency",
]
