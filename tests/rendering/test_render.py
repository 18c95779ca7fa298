"""Rendering every template on every channel, with hostile and edge-case data."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

from service.rendering import (
    CHANNELS,
    InvoiceLine,
    MessageContext,
    Renderer,
    SenderIncomplete,
    SmsPolicy,
    TemplateMissing,
    default_templates_dir,
)
from tests.rendering.builders import (
    LONG_NAME,
    LONG_TENANT,
    LONGEST_SENDER,
    NOW,
    PORTAL_URL,
    make_context,
    make_invoices,
    make_tenant,
    worst_case_context,
)

NAMES = sorted({p.name.split(".", 1)[0] for p in (default_templates_dir() / "en").glob("[!_]*.j2")})
HOSTILE_NAME = "<script>alert('x')</script> {{ 7*191 }} {% raw %} José Ñandú 😀 & Co."
HOSTILE_BODY = (
    "Hello <img src=x onerror=alert(1)>\n{{ 7*191 }}\n\n{% for x in range(3) %}x{% endfor %}"
)
OPT_OUT = {"en": "Reply STOP to opt out.", "es": "Responda BAJA para no recibir mas mensajes."}
REVERSE_OPT_OUT = {"en": "Reply START", "es": "responda ALTA"}


def _hostile(language: str | None, **changes: object) -> MessageContext:
    return make_context(
        customer_name=HOSTILE_NAME,
        body=HOSTILE_BODY,
        reference="<b>R-1</b>",
        tenant=make_tenant("Acme <Supplies> & Sons"),
        language=language,
        **changes,
    )


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("language", ["en", "es"])
def test_customer_text_is_data_never_template(renderer: Renderer, name: str, language: str) -> None:
    rendered = renderer.render_all(name, _hostile(language))
    for message in rendered.values():
        assert "1337" not in message.text
        if message.html is not None:
            assert "<script>" not in message.html
            assert "<img" not in message.html
    email = rendered["email"]
    assert email.html is not None
    assert "Acme &lt;Supplies&gt; &amp; Sons" in email.html
    assert "{{ 7*191 }}" in email.text
    assert "&lt;script&gt;" in email.html
    if name == "agent_reply":
        assert "{{ 7*191 }}" in email.text
        assert "{% for x in range(3) %}" in email.text
        assert "&lt;img src=x onerror=alert(1)&gt;" in email.html


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("language", ["en", "es"])
def test_emails_come_with_both_parts_and_a_compliant_footer(
    renderer: Renderer, name: str, language: str
) -> None:
    message = renderer.render(name, channel="email", context=make_context(language=language))
    assert message.subject
    assert "\n" not in message.subject
    assert message.html is not None
    assert message.html.lstrip().startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}">' in message.html
    assert message.text.strip()
    for part in (message.text, message.html):
        assert "Congress Ave" in part
        assert "Acme Supplies" in part
    if name != "opt_out_confirmation":
        keyword = "STOP" if language == "en" else "BAJA"
        assert f"{keyword} to this message" in message.text or f"{keyword} a este" in message.text
        assert 'href="https://cobro.example.com/u/abc123"' in message.html
        assert "https://cobro.example.com/u/abc123" in message.text


def test_without_an_opt_out_link_the_reply_keyword_remains(renderer: Renderer) -> None:
    context = make_context(language="es", opt_out_url=None)
    message = renderer.render("reminder_firm", channel="email", context=context)
    assert "responda BAJA a este mensaje" in message.text
    assert message.html is not None
    assert "responda BAJA a este mensaje" in message.html


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("language", "locale"), [("en", "en_US"), ("es", "es_MX"), ("es", "es_ES"), ("es", "es_US")]
)
def test_sms_fit_two_segments_with_long_names_and_five_invoices(
    renderer: Renderer, name: str, language: str, locale: str
) -> None:
    context = make_context(
        language=language,
        locale=locale,
        customer_name=LONG_NAME,
        tenant=make_tenant(LONG_TENANT),
        portal_url=PORTAL_URL,
        invoices=make_invoices(5, days_past_due=95, currencies=("USD", "EUR")),
        referral="agency",
        team="gbs",
        body="We checked invoice INV-1002 and your payment of March 3 covers it. "
        "We have closed the dispute; no further action is needed.",
    )
    message = renderer.render(name, channel="sms", context=context)
    assert message.sms is not None
    assert message.sms.segments <= 2, (message.sms, message.text)
    assert message.sms.encoding == "GSM-7"
    if name == "opt_out_confirmation":
        assert REVERSE_OPT_OUT[language] in message.text
    else:
        assert message.text.endswith(OPT_OUT[language])


def test_sms_can_keep_unicode_when_asked() -> None:
    policy = SmsPolicy(transliterate=False, max_segments=4)
    renderer = Renderer(default_templates_dir(), sms=policy)
    message = renderer.render("reminder_firm", channel="sms", context=make_context(language="es"))
    assert message.sms is not None
    assert message.sms.encoding == "UCS-2"
    assert message.text.endswith("Responda BAJA para no recibir más mensajes.")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("count", [0, 1, 60])
def test_any_number_of_invoices_renders(
    renderer: Renderer, name: str, language: str, count: int
) -> None:
    invoices = make_invoices(count, currencies=("USD", "MXN", "EUR"))
    context = make_context(language=language, invoices=invoices, installments=[])
    for message in renderer.render_all(name, context).values():
        assert message.text.strip()
        assert "None" not in message.text


def test_many_invoices_are_all_listed_with_totals_per_currency(renderer: Renderer) -> None:
    invoices = make_invoices(60, currencies=("USD", "MXN"))
    context = make_context(language="en", locale="en_US", invoices=invoices)
    message = renderer.render("statement", channel="email", context=context)
    assert all(invoice.number in message.text for invoice in invoices)
    usd = sum((i.balance for i in invoices if i.currency == "USD"), Decimal(0))
    mxn = sum((i.balance for i in invoices if i.currency == "MXN"), Decimal(0))
    assert f"Total: ${usd:,.2f}" in message.text
    assert f"Total: MX${mxn:,.2f}" in message.text
    assert "Total USD" not in message.text


@pytest.mark.parametrize(
    ("language", "count", "phrase"),
    [
        ("en", 1, "1 overdue invoice"),
        ("en", 3, "3 overdue invoices"),
        ("es", 1, "1 factura vencida"),
        ("es", 3, "3 facturas vencidas"),
    ],
)
def test_plural_forms_in_messages(
    renderer: Renderer, language: str, count: int, phrase: str
) -> None:
    context = make_context(language=language, invoices=make_invoices(count, days_past_due=10))
    message = renderer.render("reminder_friendly", channel="email", context=context)
    assert message.subject is not None
    assert re.search(rf"\b{phrase}\b", message.subject)
    assert re.search(rf"\b{phrase}\b", message.text)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en_US", "$123,456.78"),
        ("es_MX", "USD123,456.78"),
        ("es_ES", "123.456,78\u00a0US$"),
        ("es_US", "$123,456.78"),
    ],
)
def test_amounts_follow_the_customer_locale(renderer: Renderer, locale: str, expected: str) -> None:
    context = make_context(language=locale[:2], locale=locale, invoices=make_invoices(1))
    message = renderer.render("reminder_firm", channel="email", context=context)
    assert message.locale == locale
    assert expected in message.text


def test_dates_show_in_the_customer_timezone(renderer: Renderer) -> None:
    now = datetime(2025, 3, 8, 3, 0, tzinfo=UTC)
    mexico = make_context(language="es", now=now, timezone="America/Mexico_City")
    madrid = make_context(language="es", now=now, timezone="Europe/Madrid")
    assert renderer.render("statement", channel="email", context=mexico).subject == (
        "Su estado de cuenta al 7 de marzo de 2025"
    )
    assert renderer.render("statement", channel="email", context=madrid).subject == (
        "Su estado de cuenta al 8 de marzo de 2025"
    )


def test_unknown_language_gets_both_languages_spanish_first(renderer: Renderer) -> None:
    context = make_context(language=None, bilingual=True, default_language="en")
    email = renderer.render("reminder_firm", channel="email", context=context)
    assert email.bilingual
    assert (email.language, email.locale) == ("es", "es_MX")
    assert email.subject is not None
    assert " / " in email.subject
    spanish = email.text.index("Estimado cliente:")
    english = email.text.index("Dear customer,")
    assert spanish < english
    assert "Responda BAJA" not in email.text  # email wording is "responda BAJA a este mensaje"
    assert "responda BAJA" in email.text
    assert "reply STOP" in email.text
    assert email.html is not None
    assert email.html.index('lang="es"') < email.html.index('lang="en"')
    portal = renderer.render("reminder_firm", channel="portal", context=context)
    assert portal.html is not None
    assert portal.html.index('lang="es"') < portal.html.index('lang="en"')
    sms = renderer.render("reminder_firm", channel="sms", context=context)
    assert sms.language == "en"
    assert not sms.bilingual
    assert sms.text.endswith("Reply STOP to opt out.")


def test_unknown_language_without_bilingual_uses_the_tenant_default(renderer: Renderer) -> None:
    context = make_context(language=None, default_language="es", country="ES")
    email = renderer.render("reminder_firm", channel="email", context=context)
    assert not email.bilingual
    assert (email.language, email.locale) == ("es", "es_ES")
    assert "Dear " not in email.text
    assert "Cliente: Ferretería López\n\nEstimado cliente:" in email.text


def test_escalation_names_only_the_configured_referral(renderer: Renderer) -> None:
    legal = make_context(
        language="en", referral="legal", invoices=make_invoices(2, days_past_due=95)
    )
    text = renderer.render("escalation_notice", channel="email", context=legal).text
    assert "referred to our legal department" in text
    agency = make_context(language="es", referral="agency", invoices=make_invoices(2))
    text = renderer.render("escalation_notice", channel="email", context=agency).text
    assert "se remiten a una agencia de cobranza." in text
    silent = make_context(language="en", referral=None)
    text = renderer.render("escalation_notice", channel="email", context=silent).text
    assert "referred" not in text
    assert "agency" not in text
    assert "legal" not in text


def test_dispute_ack_names_reference_team_and_response_time(renderer: Renderer) -> None:
    context = make_context(language="es", team="collections", response_time_hours=48)
    text = renderer.render("dispute_ack", channel="email", context=context).text
    assert "D-2025-0042" in text
    assert "la remitimos a nuestro equipo de cobranza" in text
    assert "2 días" in text


def test_unknown_template_is_reported(renderer: Renderer) -> None:
    with pytest.raises(TemplateMissing):
        renderer.render("no_such_template", channel="email", context=make_context())


def test_overrides_replace_one_file_and_keep_the_footer() -> None:
    overrides = {"es/reminder_firm.sms.j2": "{{ tenant.name }}: pague en {{ portal_url }}"}
    renderer = Renderer(default_templates_dir(), overrides=overrides)
    spanish = renderer.render("reminder_firm", channel="sms", context=make_context(language="es"))
    assert spanish.text == (
        "Acme Supplies: pague en https://cobro.example.com/p/abc123 "
        "Responda BAJA para no recibir mas mensajes."
    )
    english = renderer.render("reminder_firm", channel="sms", context=make_context(language="en"))
    assert "overdue invoices" in english.text


def test_override_dir_is_searched_before_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "reminder_firm.subject.j2").write_text("Account {{ customer_name }}")
    renderer = Renderer(default_templates_dir(), override_dir=tmp_path)
    message = renderer.render("reminder_firm", channel="email", context=make_context(language="en"))
    assert message.subject == "Account Ferretería López"
    assert message.html is not None
    assert "Congress Ave" in message.html


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ tenant.__class__ }}",
        "{{ tenant._private }}",
        "{{ customer_name.format.__globals__ }}",
    ],
)
def test_tenant_templates_run_sandboxed(source: str) -> None:
    renderer = Renderer(default_templates_dir(), overrides={"en/reminder_firm.subject.j2": source})
    with pytest.raises((SecurityError, UndefinedError)):
        renderer.render("reminder_firm", channel="email", context=make_context(language="en"))


def test_render_all_returns_every_channel(
    renderer: Renderer, context_factory: Callable[..., MessageContext]
) -> None:
    rendered = renderer.render_all("reminder_friendly", context_factory(language="en"))
    assert tuple(rendered) == CHANNELS
    assert rendered["sms"].sms is not None
    assert rendered["portal"].html is not None
    assert "Pay now" in rendered["portal"].text


HOSTILE_NUMBERS = ["<script>alert(1)</script>", "{{ 7*7 }}", "{% raw %}x", "F-1 & <b>2</b>"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("language", ["en", "es"])
def test_hostile_invoice_and_po_numbers_are_printed_as_data(
    renderer: Renderer, name: str, language: str
) -> None:
    invoices = [
        InvoiceLine(
            number=number,
            issued_on=date(2025, 1, 1),
            due_on=date(2025, 2, 1),
            days_past_due=35,
            balance=Decimal("10.00"),
            currency="USD",
            po_number=number,
        )
        for number in HOSTILE_NUMBERS
    ]
    context = make_context(language=language, invoices=invoices)
    for message in renderer.render_all(name, context).values():
        assert "49" not in message.text
        if message.html is not None:
            assert "<script>" not in message.html
            assert "<b>2</b>" not in message.html
    email = renderer.render(name, channel="email", context=context)
    assert email.html is not None
    if name in {"reminder_firm", "statement", "final_notice"}:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html
        assert "{{ 7*7 }}" in email.text
        assert "F-1 &amp; &lt;b&gt;2&lt;/b&gt;" in email.html
        assert "<script>alert(1)</script>" in email.text  # plain text, shown as written


@pytest.mark.parametrize(
    "path", ["en/_footer.email.txt.j2", "en/_footer.email.html.j2", "en/_layout.email.html.j2"]
)
def test_a_footer_or_layout_override_never_drops_the_compliance_text(path: str) -> None:
    renderer = Renderer(default_templates_dir(), overrides={path: "nothing here"})
    message = renderer.render("reminder_firm", channel="email", context=make_context(language="en"))
    assert message.html is not None
    for part in (message.text, message.html):
        assert "Congress Ave" in part
        assert "STOP" in part
    assert "nothing here" not in message.text + message.html


def test_an_sms_footer_override_in_the_tenant_directory_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "_footer.sms.j2").write_text("")
    (tmp_path / "es" / "reminder_firm.sms.j2").write_text("{{ tenant.name }}: pague hoy.")
    renderer = Renderer(default_templates_dir(), override_dir=tmp_path)
    message = renderer.render("reminder_firm", channel="sms", context=make_context(language="es"))
    assert message.text == "Acme Supplies: pague hoy. Responda BAJA para no recibir mas mensajes."


def test_email_needs_the_senders_postal_address(renderer: Renderer) -> None:
    for address in (None, "", "   "):
        tenant = replace(make_tenant(), postal_address=address)
        context = make_context(language="es", tenant=tenant)
        with pytest.raises(SenderIncomplete, match="postal address"):
            renderer.render("reminder_firm", channel="email", context=context)
        sms = renderer.render("reminder_firm", channel="sms", context=context)
        assert sms.text.endswith("Responda BAJA para no recibir mas mensajes.")
        assert renderer.render("reminder_firm", channel="portal", context=context).html


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("name", ["reminder_firm", "final_notice", "escalation_notice"])
def test_counts_say_what_is_true_of_every_invoice(
    renderer: Renderer, language: str, name: str
) -> None:
    invoices = [
        InvoiceLine(
            number=f"F-{days}",
            issued_on=date(2024, 12, 1),
            due_on=NOW.date() - timedelta(days=days),
            days_past_due=days,
            balance=Decimal("100.00"),
            currency="USD",
        )
        for days in (45, 10)
    ]
    context = make_context(language=language, locale=f"{language}_US", invoices=invoices)
    rendered = renderer.render_all(name, context)
    texts = " ".join(m.text + (m.subject or "") for m in rendered.values())
    assert "over 30 days" not in texts
    assert "más de 30 días" not in texts
    assert "over 60 days" not in texts
    if name != "escalation_notice":
        oldest = {"en": "the oldest", "es": "la más antigua"}[language]
        assert oldest in rendered["email"].text
        assert oldest in rendered["sms"].text.replace("mas", "más")
    days = {"en": "45 days past due", "es": "45 días de atraso"}[language]
    assert days in rendered["email"].text


def test_a_referral_ending_in_a_period_ends_the_sentence_once() -> None:
    renderer = Renderer(default_templates_dir(), sms=SmsPolicy(max_segments=4))
    context = make_context(
        language="es",
        referral="Pérez y Asociados, S.C.",
        invoices=make_invoices(2, days_past_due=95),
    )
    for message in renderer.render_all("escalation_notice", context).values():
        assert "S.C.." not in message.text
        assert "S.C." in message.text


def test_a_company_is_greeted_without_a_guessed_gender(renderer: Renderer) -> None:
    context = make_context(language="es", customer_name="Distribuidora Hernández S.A. de C.V.")
    for name in NAMES:
        text = renderer.render(name, channel="email", context=context).text
        assert text.startswith("Cliente: Distribuidora Hernández S.A. de C.V.\n\nEstimado cliente:")
        assert "Estimado(a)" not in text


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("language", "locale"), [("en", "en_US"), ("es", "es_MX"), ("es", "es_ES"), ("es", "es_US")]
)
def test_every_variant_renders_worst_case_data_completely(
    renderer: Renderer, name: str, language: str, locale: str
) -> None:
    context = worst_case_context(name, language=language, locale=locale)
    rendered = renderer.render_all(name, context)
    email, portal = rendered["email"], rendered["portal"]
    assert email.subject is not None
    assert "\n" not in email.subject
    assert email.html is not None
    assert portal.html is not None
    for text in (email.text, email.html):
        assert "Congress Ave" in text
        assert LONGEST_SENDER in text
    if name in {"reminder_friendly", "reminder_firm", "final_notice", "escalation_notice"}:
        for message in (email, portal):
            for invoice in context.invoices:
                assert invoice.number in message.text
            # Three currencies, three totals, none of them added together.
            assert message.text.count("Total") == 3
    assert rendered["sms"].sms is not None
    assert rendered["sms"].within_budget
