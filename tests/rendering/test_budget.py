"""Every SMS fits the tenant's segment budget with realistic worst-case data, in either encoding,
without losing the portal link or the opt-out text; agents' long replies are sent whole."""

from __future__ import annotations

import pytest

from service.rendering import (
    RenderedMessage,
    Renderer,
    SmsFit,
    SmsPolicy,
    count_segments,
    default_templates_dir,
    shorten,
)
from service.rendering.budget import FIT_STEPS, fit_sms
from tests.rendering.builders import (
    LONG_REFERRAL,
    LONGEST_NAME,
    LONGEST_PORTAL_URL,
    LONGEST_SENDER,
    make_context,
    make_invoices,
    make_tenant,
    worst_case_context,
)

NAMES = sorted({p.name.split(".", 1)[0] for p in (default_templates_dir() / "en").glob("[!_]*.j2")})
LOCALES = [("en", "en_US"), ("es", "es_MX"), ("es", "es_ES"), ("es", "es_US")]
OPT_OUT = {"en": "Reply STOP to opt out.", "es": "Responda BAJA para no recibir más mensajes."}
OPT_IN = {
    "en": "Reply START to receive messages again.",
    "es": "Si cambia de opinión, responda ALTA.",
}
# The SMS that invite a payment carry the portal link.
WITH_LINK = {
    "upcoming_due",
    "reminder_friendly",
    "reminder_firm",
    "final_notice",
    "escalation_notice",
    "statement",
    "promise_confirmation",
    "payment_plan_confirmation",
}


def _renderer(*, transliterate: bool = True, budget: int = 2) -> Renderer:
    policy = SmsPolicy(transliterate=transliterate, max_segments=budget)
    return Renderer(default_templates_dir(), sms=policy)


def _gsm(text: str) -> str:
    return text.replace("á", "a").replace("ó", "o").replace("í", "i").replace("ú", "u")


def _assert_complete(message: RenderedMessage, name: str, language: str, url: str) -> None:
    """The link and the opt-out (or opt-in) text are there, whole, in the encoding sent."""
    footer = OPT_IN[language] if name == "opt_out_confirmation" else OPT_OUT[language]
    expected = footer if message.sms and message.sms.encoding == "UCS-2" else _gsm(footer)
    assert message.text.endswith(expected), message.text
    if name in WITH_LINK:
        assert url in message.text


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("language", "locale"), LOCALES)
@pytest.mark.parametrize("currencies", [("USD",), ("USD", "EUR", "MXN")])
def test_every_sms_fits_two_segments_with_worst_case_data(
    name: str, language: str, locale: str, currencies: tuple[str, ...]
) -> None:
    context = worst_case_context(name, language=language, locale=locale, currencies=currencies)
    message = _renderer().render(name, channel="sms", context=context)
    assert message.sms is not None
    assert message.sms.encoding == "GSM-7"
    assert message.sms.segments <= 2, (message.sms, message.text)
    assert message.sms == count_segments(message.text)
    assert message.within_budget
    assert message.warnings == ()
    _assert_complete(message, name, language, LONGEST_PORTAL_URL)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("language", "locale"), LOCALES)
@pytest.mark.parametrize("budget", [2, 3])
def test_without_transliteration_the_budget_still_holds(
    name: str, language: str, locale: str, budget: int
) -> None:
    context = worst_case_context(name, language=language, locale=locale)
    message = _renderer(transliterate=False, budget=budget).render(
        name, channel="sms", context=context
    )
    assert message.sms is not None
    assert message.sms.segments <= budget, (message.sms, message.text)
    _assert_complete(message, name, language, LONGEST_PORTAL_URL)
    if any("accents" in warning for warning in message.warnings):
        assert message.sms.encoding == "GSM-7"
    if language == "es" and budget == 2 and name != "opt_out_confirmation":
        # Spanish at two segments: shortening alone is not enough (but for the one-line opt-out
        # confirmation), the accents go, and the
        # preview says so.
        assert message.sms.encoding == "GSM-7"
        assert any("accents" in warning for warning in message.warnings)


@pytest.mark.parametrize("name", sorted(WITH_LINK))
def test_without_transliteration_spanish_keeps_its_accents_when_the_budget_allows(
    name: str,
) -> None:
    context = make_context(
        language="es",
        locale="es_MX",
        customer_name="Ferretería López",
        portal_url="https://cobro.example.com/portal/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_Ab",
        invoices=make_invoices(3, days_past_due=45, currencies=("MXN",)),
    )
    message = _renderer(transliterate=False, budget=4).render(name, channel="sms", context=context)
    assert message.sms is not None
    assert message.sms.encoding == "UCS-2"
    assert message.sms.segments <= 4
    assert message.text.endswith("Responda BAJA para no recibir más mensajes.")
    assert message.warnings == ()
    # The same text transliterated takes fewer, 153-character segments.
    gsm = _renderer(transliterate=True, budget=4).render(name, channel="sms", context=context)
    assert gsm.sms is not None
    assert gsm.sms.encoding == "GSM-7"
    assert gsm.sms.segments < message.sms.segments
    assert gsm.text.endswith("Responda BAJA para no recibir mas mensajes.")


def test_transliteration_keeps_the_accents_gsm7_has() -> None:
    context = make_context(language="es", customer_name="Peñaloza Ibáñez e Hijos, Mérida")
    message = _renderer().render("reminder_friendly", channel="sms", context=context)
    assert "Peñaloza Ibañez e Hijos, Mérida" in message.text


def test_several_currencies_are_listed_while_they_fit_and_summed_up_when_not() -> None:
    invoices = make_invoices(3, days_past_due=45, currencies=("USD", "EUR", "MXN"))
    short = make_context(language="en", locale="en_US", invoices=invoices)
    message = _renderer().render("reminder_firm", channel="sms", context=short)
    for amount in ("$123,456.78", "€123,457.78", "MX$123,458.78"):
        assert amount in message.text
    crowded = make_context(
        language="en",
        locale="en_US",
        invoices=invoices,
        tenant=make_tenant(LONGEST_SENDER),
        portal_url=LONGEST_PORTAL_URL,
    )
    message = _renderer().render("reminder_firm", channel="sms", context=crowded)
    assert message.sms is not None
    assert message.sms.segments <= 2
    assert "amounts in 3 currencies" in message.text
    assert "€" not in message.text


def test_names_are_shortened_with_an_ellipsis_only_when_needed() -> None:
    context = worst_case_context("promise_confirmation", language="es", locale="es_MX")
    message = _renderer().render("promise_confirmation", channel="sms", context=context)
    assert message.sms is not None
    assert message.sms.segments <= 2
    assert LONGEST_NAME not in message.text
    assert "..." in message.text
    assert "...." not in message.text
    roomy = _renderer(budget=3).render("promise_confirmation", channel="sms", context=context)
    assert _gsm(LONGEST_NAME) in roomy.text
    assert _gsm(LONGEST_SENDER) in roomy.text


def test_a_long_referral_fits_and_ends_its_sentence_once() -> None:
    context = worst_case_context("escalation_notice", language="es", locale="es_MX")
    message = _renderer().render("escalation_notice", channel="sms", context=context)
    assert message.sms is not None
    assert message.sms.segments <= 2
    assert "remitira a Despacho Juridico" in message.text
    roomy = _renderer(budget=4).render("escalation_notice", channel="sms", context=context)
    assert "Despacho Juridico Martinez, Orozco y Asociados, S.C. Resuélvalo" in roomy.text
    assert "S.C.." not in roomy.text


@pytest.mark.parametrize("budget", [1, 3, 4])
def test_the_budget_is_the_tenants(budget: int) -> None:
    context = make_context(
        language="en",
        tenant=make_tenant(LONGEST_SENDER),
        customer_name=LONGEST_NAME,
        portal_url=LONGEST_PORTAL_URL,
        invoices=make_invoices(5, currencies=("USD", "EUR", "MXN")),
    )
    message = _renderer(budget=budget).render("reminder_friendly", channel="sms", context=context)
    assert message.sms is not None
    assert message.sms_budget == budget
    if budget == 1:
        # Nothing this long fits one segment: it goes out whole, as a multi-part message.
        assert not message.within_budget
        assert "over the budget of 1" in message.warnings[0]
        assert LONGEST_PORTAL_URL in message.text
    else:
        assert message.sms.segments <= budget
        assert message.within_budget
    if budget == 4:
        assert "€" in message.text  # roomy enough for every amount and the full names
        assert "Hernandez y Asociados del Noroeste" in message.text


def test_an_agents_long_reply_is_sent_whole_with_the_segment_count() -> None:
    body = ("Revisamos su estado de cuenta con detalle y aplicamos el pago del 3 de marzo. " * 6)[
        :400
    ]
    context = make_context(language="es", body=body, agent_name="María Fernanda Gutiérrez")
    message = _renderer().render("agent_reply", channel="sms", context=context)
    assert message.sms is not None
    assert message.sms.segments > 2
    assert not message.within_budget
    assert " ".join(body.split()) in message.text  # never cut
    assert message.text.endswith("Responda BAJA para no recibir mas mensajes.")
    assert "3-part message" in message.warnings[0]
    # The wrapper adds no more than needed: the signature stays while it costs no segment.
    reply = " ".join(body.split())
    footer = "Responda BAJA para no recibir mas mensajes."
    minimal = count_segments(f"Acme Supplies: {reply} {footer}")
    signed = count_segments(f"Acme Supplies: {reply} - Maria Fernanda Gutierrez {footer}")
    assert message.sms.segments == minimal.segments
    assert ("Gutierrez" in message.text) == (signed.segments == minimal.segments)


def test_a_short_reply_keeps_its_signature() -> None:
    context = make_context(language="en", body="Thanks, we got it.", agent_name="Ana Ruiz")
    message = _renderer().render("agent_reply", channel="sms", context=context)
    assert message.text == "Acme Supplies: Thanks, we got it. - Ana Ruiz Reply STOP to opt out."


def test_fitting_takes_the_fullest_step_that_fits() -> None:
    seen: list[SmsFit] = []

    def render(fit: SmsFit) -> str:
        seen.append(fit)
        return "x" * (100 if fit.one_total else 400)

    fitted = fit_sms(render, footer="Reply STOP to opt out.", policy=SmsPolicy())
    assert fitted.step == 2
    assert seen == list(FIT_STEPS[:3])
    # Optional clauses go before the amounts do.
    assert seen[1].brief
    assert not seen[1].one_total
    assert fitted.info.segments == 1


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("Distribuidora Hernández y Asociados", 24) == "Distribuidora..."
    assert shorten("Acme", 24) == "Acme"
    assert shorten("Acme Supplies", None) == "Acme Supplies"
    assert shorten("Acme Supplies", 0) == ""
    assert len(shorten(LONG_REFERRAL, 40)) <= 40


def test_a_budget_is_one_to_ten_segments() -> None:
    with pytest.raises(ValueError, match="1 to 10"):
        SmsPolicy(max_segments=0)
    with pytest.raises(ValueError, match="1 to 10"):
        SmsPolicy(max_segments=11)
