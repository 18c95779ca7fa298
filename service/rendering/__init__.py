"""Bilingual rendering of Cobro's messages: English and Spanish templates, Babel formatting, SMS.

Pure code: no database, no network. Build a `MessageContext`, then
`Renderer(default_templates_dir()).render("reminder_firm", channel="email", context=ctx)`;
`Renderer(..., sms=SmsPolicy(transliterate=False, max_segments=4))` for a tenant's SMS options.
"""

from service.rendering.budget import (
    DEFAULT_SMS_SEGMENTS,
    MAX_SMS_SEGMENTS,
    SmsFit,
    SmsPolicy,
    shorten,
)
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
    COMPLIANCE_PARTIALS,
    Channel,
    RenderedMessage,
    Renderer,
    SenderIncomplete,
    TemplateMissing,
    default_templates_dir,
)
from service.rendering.sms import SmsInfo, count_segments, is_gsm7, to_gsm7

__all__ = [
    "CHANNELS",
    "COMPLIANCE_PARTIALS",
    "DEFAULT_SMS_SEGMENTS",
    "MAX_SMS_SEGMENTS",
    "LANGUAGES",
    "Channel",
    "Installment",
    "InvoiceLine",
    "MessageContext",
    "Money",
    "RenderedMessage",
    "Renderer",
    "SenderIdentity",
    "SenderIncomplete",
    "SmsFit",
    "SmsInfo",
    "SmsPolicy",
    "TemplateMissing",
    "aging_bucket",
    "count_segments",
    "default_templates_dir",
    "is_gsm7",
    "locale_for",
    "shorten",
    "to_gsm7",
    "totals_by_currency",
]
