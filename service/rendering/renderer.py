"""Render Cobro's messages from per-language Jinja templates.

Each language has its own folder of templates with the same file names (`en/`, `es/`); a
template name such as `reminder_firm` has five variants: `.subject.j2`, `.email.html.j2`,
`.email.txt.j2`, `.sms.j2` and `.portal.j2`. Footers are not left to each template: the
renderer appends `_footer.email.html.j2`, `_footer.email.txt.j2` and `_footer.sms.j2` itself,
and HTML email bodies are wrapped in `_layout.email.html.j2`. Those partials carry the opt-out
wording and the sender's identity and postal address, so they always come from the default
templates: a tenant's override of them is ignored, and an email is refused (`SenderIncomplete`)
while the sender has no postal address. SMS are fitted to the tenant's segment budget (see
`service.rendering.budget`).

Environments are sandboxed and autoescape HTML (`.html.j2`, `.portal.j2`); the other variants
are plain text that nobody interprets as HTML. Context values are data, never template source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from jinja2 import Template, TemplateNotFound
from jinja2.runtime import new_context
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from service.rendering.budget import SmsFit, SmsPolicy, fit_sms, shorten
from service.rendering.context import (
    Installment,
    InvoiceLine,
    MessageContext,
    totals_by_currency,
)
from service.rendering.environment import (
    COMPLIANCE_PARTIALS,
    Sandbox,
    default_templates_dir,
    environment_for,
)
from service.rendering.formatting import zone
from service.rendering.locales import LANGUAGES, Choice, choose, locale_for
from service.rendering.plaintext import html_to_text
from service.rendering.sms import SmsInfo

__all__ = [
    "CHANNELS",
    "Channel",
    "COMPLIANCE_PARTIALS",
    "RenderedMessage",
    "Renderer",
    "SenderIncomplete",
    "TemplateMissing",
    "default_templates_dir",
]

Channel = Literal["email", "sms", "portal"]
CHANNELS: tuple[Channel, ...] = ("email", "sms", "portal")

_VARIANTS = ("subject", "email.html", "email.txt", "sms", "portal")
_BILINGUAL_TEXT_SEPARATOR = "\n\n" + "-" * 40 + "\n\n"


class TemplateMissing(LookupError):
    """No template of that name and variant exists for the language."""


class SenderIncomplete(ValueError):
    """An email cannot go out: the sender's name or postal address is missing."""


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """One rendered message.

    `text` is always present: the text part of an email, the SMS body, or the portal message
    as plain text. `html` accompanies email and portal; `subject` email and portal; `sms`
    tells the encoding and segments of an SMS and `sms_budget` the segments allowed. `language`
    and `locale` are the primary ones (Spanish first in a bilingual message, where `bilingual`
    is set). `warnings` tell a reviewer what the customer gets differently from the template
    as written (an SMS over budget, accents dropped to fit).
    """

    channel: Channel
    subject: str | None
    html: str | None
    text: str
    language: str
    locale: str
    sms: SmsInfo | None = None
    bilingual: bool = False
    sms_budget: int | None = None
    warnings: tuple[str, ...] = ()

    @property
    def within_budget(self) -> bool:
        """Whether an SMS fits its budget (always true for the other channels)."""
        return self.sms is None or self.sms_budget is None or self.sms.fits(self.sms_budget)


def _clean_text(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _one_line(text: str) -> str:
    return " ".join(text.split())


class Renderer:
    """Renders template `name` for a channel in the customer's language.

    `templates_dir` holds `en/` and `es/`. A tenant may override any message template file by
    its relative name (`"es/reminder_firm.sms.j2"`), in `overrides` (name to source) or as a
    file under `override_dir` (same layout); what is not overridden falls back to the defaults,
    and the footers and layout (`COMPLIANCE_PARTIALS`) always do. `sms` is the tenant's SMS
    policy: GSM-7 transliteration (on by default: Spanish texts keep 153 characters a segment
    instead of 67) and the segment budget every SMS is fitted to (2 by default).
    """

    def __init__(
        self,
        templates_dir: Path,
        *,
        overrides: Mapping[str, str] | None = None,
        override_dir: Path | None = None,
        sms: SmsPolicy | None = None,
    ) -> None:
        self._templates_dir = templates_dir.resolve()
        self._override_dir = override_dir.resolve() if override_dir is not None else None
        self._overrides = tuple(sorted((overrides or {}).items()))
        self.sms_policy = sms or SmsPolicy()
        self._templates: dict[tuple[str, str, str], Template] = {}

    def template_names(self) -> tuple[str, ...]:
        """Names that have a template in every language, sorted."""
        per_language = []
        for language in LANGUAGES:
            folder = self._templates_dir / language
            per_language.append(
                {p.name.split(".", 1)[0] for p in folder.glob("*.j2") if not p.name.startswith("_")}
            )
        return tuple(sorted(set.intersection(*per_language)))

    def render(self, name: str, *, channel: Channel, context: MessageContext) -> RenderedMessage:
        """Render `name` for `channel`; raises `TemplateMissing` for an unknown name."""
        choice = choose(
            language=context.language,
            locale=context.locale,
            default_language=context.default_language,
            country=context.country,
            bilingual=context.bilingual,
            channel=channel,
        )
        renderer: Callable[[str, Choice, MessageContext], RenderedMessage] = {
            "email": self._email,
            "sms": self._sms,
            "portal": self._portal,
        }[channel]
        return renderer(name, choice, context)

    def render_all(self, name: str, context: MessageContext) -> dict[Channel, RenderedMessage]:
        """Every channel's rendering of `name`."""
        return {
            channel: self.render(name, channel=channel, context=context) for channel in CHANNELS
        }

    def environment(self, language: str, locale: str | None = None) -> SandboxedEnvironment:
        """The sandboxed environment of a language (and locale), e.g. to check an override."""
        return self._environment(language, locale or locale_for(language))

    def _environment(self, language: str, locale: str) -> Sandbox:
        return environment_for(
            templates_dir=self._templates_dir,
            override_dir=self._override_dir,
            overrides=self._overrides,
            language=language,
            locale=locale,
        )

    def _values(self, name: str, part: tuple[str, str], context: MessageContext) -> dict[str, Any]:
        env = self._environment(*part)
        return {**env.globals, **_values(name, part, context)}

    def _template(self, language: str, locale: str, filename: str) -> Template:
        key = (language, locale, filename)
        template = self._templates.get(key)
        if template is None:
            env = self._environment(language, locale)
            try:
                template = env.get_template(filename)
            except TemplateNotFound as missing:
                raise TemplateMissing(f"{language}/{filename}") from missing
            self._templates[key] = template
        return template

    def _run(self, part: tuple[str, str], filename: str, values: dict[str, Any]) -> str:
        language, locale = part
        template = self._template(language, locale, filename)
        # A shared context spares Jinja two copies of the variables on every render, and
        # without a globals mapping each import skips a set difference against it; the values
        # dict already carries the environment's globals (see `_values`).
        context = new_context(
            template.environment, template.name, template.blocks, values, shared=True
        )
        try:
            return "".join(template.root_render_func(context))
        except Exception:
            template.environment.handle_exception()
            raise

    def _email(self, name: str, choice: Choice, context: MessageContext) -> RenderedMessage:
        sender = context.tenant
        if not sender.name.strip() or not (sender.postal_address or "").strip():
            raise SenderIncomplete(
                "an email must carry the sender's name and postal address; "
                "the tenant has no postal address"
            )
        subjects, sections, texts = [], [], []
        first: dict[str, Any] = {}
        for part in choice.parts:
            values = self._values(name, part, context)
            first = first or values
            subjects.append(_one_line(self._run(part, f"{name}.subject.j2", values)))
            body_html = Markup(self._run(part, f"{name}.email.html.j2", values))
            footer_html = Markup(self._run(part, "_footer.email.html.j2", values))
            sections.append({"language": part[0], "body": body_html, "footer": footer_html})
            body_text = _clean_text(self._run(part, f"{name}.email.txt.j2", values))
            footer_text = _clean_text(self._run(part, "_footer.email.txt.j2", values))
            texts.append(f"{body_text}\n\n--\n{footer_text}")
        subject = " / ".join(subjects)
        layout_values = {**first, "subject": subject, "sections": sections}
        html = self._run(choice.parts[0], "_layout.email.html.j2", layout_values)
        return RenderedMessage(
            channel="email",
            subject=subject,
            html=html,
            text=_BILINGUAL_TEXT_SEPARATOR.join(texts) + "\n",
            language=choice.language,
            locale=choice.locale,
            bilingual=choice.bilingual,
        )

    def _sms(self, name: str, choice: Choice, context: MessageContext) -> RenderedMessage:
        part = choice.parts[0]
        values = self._values(name, part, context)
        footer = _one_line(self._run(part, "_footer.sms.j2", values))
        filename = f"{name}.sms.j2"

        def render(fit: SmsFit) -> str:
            return _one_line(self._run(part, filename, _compact(values, fit, context)))

        fitted = fit_sms(render, footer=footer, policy=self.sms_policy)
        return RenderedMessage(
            channel="sms",
            subject=None,
            html=None,
            text=fitted.text,
            language=choice.language,
            locale=choice.locale,
            sms=fitted.info,
            sms_budget=self.sms_policy.max_segments,
            warnings=fitted.warnings,
        )

    def _portal(self, name: str, choice: Choice, context: MessageContext) -> RenderedMessage:
        subjects, fragments = [], []
        for part in choice.parts:
            values = self._values(name, part, context)
            subjects.append(_one_line(self._run(part, f"{name}.subject.j2", values)))
            fragment = Markup(self._run(part, f"{name}.portal.j2", values).strip())
            fragments.append(
                Markup('<section class="cobro-message" lang="{}">\n{}\n</section>').format(
                    part[0], fragment
                )
            )
        html = str(Markup("\n").join(fragments))
        return RenderedMessage(
            channel="portal",
            subject=" / ".join(subjects),
            html=html,
            text=html_to_text(html),
            language=choice.language,
            locale=choice.locale,
            bilingual=choice.bilingual,
        )


_FULL = SmsFit()
_KNOWN_REFERRALS = frozenset({"legal", "agency"})


def _compact(values: dict[str, Any], fit: SmsFit, context: MessageContext) -> dict[str, Any]:
    """The variables of one SMS rendering at the compactness `fit`."""
    if fit == _FULL:
        return values
    compact = {**values, "fit": fit}
    if fit.customer_chars is not None:
        compact["customer_name"] = shorten(context.customer_name, fit.customer_chars)
    if fit.sender_chars is not None:
        compact["tenant"] = replace(
            context.tenant, name=shorten(context.tenant.name, fit.sender_chars)
        )
    referral = context.referral
    if fit.referral_chars is not None and referral and referral not in _KNOWN_REFERRALS:
        compact["referral"] = shorten(referral, fit.referral_chars)
    return compact


def _values(name: str, part: tuple[str, str], context: MessageContext) -> dict[str, Any]:
    """The variables every template sees (the same set in every language)."""
    language, locale = part
    invoices: list[InvoiceLine] = sorted(
        context.invoices, key=lambda inv: (-inv.days_past_due, inv.due_on, inv.number)
    )
    overdue = [inv for inv in invoices if inv.overdue]
    installments: list[Installment] = sorted(context.installments, key=lambda i: i.due_on)
    return {
        "template": name,
        "language": language,
        "locale": locale,
        "timezone": context.timezone,
        # Already in the reader's zone, so macros imported without context show it right too.
        "now": context.now.astimezone(zone(context.timezone)),
        "customer_name": context.customer_name,
        "tenant": context.tenant,
        "portal_url": context.portal_url,
        "opt_out_url": context.opt_out_url,
        "invoices": invoices,
        "invoice_count": len(invoices),
        "overdue_invoices": overdue,
        "overdue_count": len(overdue),
        "totals": list(context.totals()),
        "overdue_totals": list(totals_by_currency(overdue)),
        "max_days_past_due": max((inv.days_past_due for inv in invoices), default=0),
        "next_due_on": min((inv.due_on for inv in invoices), default=None),
        "referral": context.referral,
        "reference": context.reference,
        "team": context.team,
        "response_time_hours": context.response_time_hours,
        "promise_date": context.promise_date,
        "promise_amount": context.promise_amount,
        "promise_currency": context.promise_currency,
        "installments": installments,
        "body": context.body,
        "agent_name": context.agent_name,
        "opted_out_channel": context.opted_out_channel,
        "extra": dict(context.extra),
        "fit": _FULL,
    }
