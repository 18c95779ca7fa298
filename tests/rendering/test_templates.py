"""Both languages carry the same templates with the same variables."""

from __future__ import annotations

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
