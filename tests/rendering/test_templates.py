"""Both languages carry the same templates with the same variables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import Environment, meta

from service.rendering import Renderer, default_templates_dir

NAMES = {
    "upcoming_due",
    "reminder_friendly",
    "reminder_firm",
    "final_notice",
    "escalation_notice",
    "statement",
    "dispute_ack",
    "promise_confirmation",
    "payment_plan_confirmation",
    "opt_out_confirmation",
    "agent_reply",
}
VARIANTS = ("subject", "email.html", "email.txt", "sms", "portal")
ROOT = default_templates_dir()


def _files(language: str) -> set[str]:
    return {p.name for p in (ROOT / language).glob("*.j2")}


def _variables(env: Environment, path: Path) -> set[str]:
    return set(meta.find_undeclared_variables(env.parse(path.read_text("utf-8"))))


def test_default_templates_dir_is_the_repository_folder() -> None:
    assert ROOT.name == "templates"
    assert (ROOT / "en").is_dir()
    assert (ROOT / "es").is_dir()


def test_every_name_has_every_variant_in_both_languages(renderer: Renderer) -> None:
    assert set(renderer.template_names()) == NAMES
    for language in ("en", "es"):
        files = _files(language)
        for name in NAMES:
            for variant in VARIANTS:
                assert f"{name}.{variant}.j2" in files, (language, name, variant)


def test_both_languages_have_the_same_files() -> None:
    assert _files("en") == _files("es")


@pytest.mark.parametrize("filename", sorted(_files("en")))
def test_same_variables_in_both_languages(renderer: Renderer, filename: str) -> None:
    english = _variables(renderer.environment("en"), ROOT / "en" / filename)
    spanish = _variables(renderer.environment("es"), ROOT / "es" / filename)
    assert english == spanish


def test_layout_and_footers_exist() -> None:
    for language in ("en", "es"):
        files = _files(language)
        for shared in (
            "_layout.email.html.j2",
            "_footer.email.html.j2",
            "_footer.email.txt.j2",
            "_footer.sms.j2",
        ):
            assert shared in files


def _sources(language: str) -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted((ROOT / language).glob("*.j2"))}


def test_word_forms_come_from_cldr_plural_rules_not_comparisons_with_one() -> None:
    comparison = re.compile(r"(count|length|\binvoices)\s*(==|!=)\s*1\b")
    for language in ("en", "es"):
        for filename, source in _sources(language).items():
            assert not comparison.search(source), (language, filename)


@pytest.mark.parametrize(
    "phrase",
    [
        "START",  # the Spanish opt-in keyword is ALTA
        "turn",  # "turnar" is Mexican legal jargon: remitir
        "canalizaci",
        "Estimado(a)",
        "esponda este",  # "responda a este mensaje"
        "supera 90",
        "desde el",
        "Pago pendiente",
        "Operaciones de Facturación",
        "equipo de Cobranza",
        "Jurídico",
        "Total {{",
        "nuestro mensaje",
    ],
)
def test_spanish_wording_avoids(phrase: str) -> None:
    for filename, source in _sources("es").items():
        assert phrase not in source, filename


@pytest.mark.parametrize(
    "phrase",
    ["Despite our", "by the customer portal", "our message", "Billing Operations", "Total {{"],
)
def test_english_wording_avoids(phrase: str) -> None:
    for filename, source in _sources("en").items():
        assert phrase not in source, filename


def test_sms_templates_print_the_portal_link_at_every_compactness() -> None:
    # The fit step may shorten names and drop optional clauses; the link is never inside one.
    optional = re.compile(r"\{% if not fit\.brief %\}(.*?)\{% endif %\}", re.DOTALL)
    for language in ("en", "es"):
        for filename, source in _sources(language).items():
            if filename.endswith(".sms.j2"):
                for clause in optional.findall(source):
                    assert "portal_url" not in clause, (language, filename)
