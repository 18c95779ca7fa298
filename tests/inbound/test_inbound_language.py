"""Language detection limited to English and Spanish."""

from __future__ import annotations

import pytest

from service.inbound.language import detect_language


@pytest.mark.parametrize(
    "text",
    [
        "I already paid this invoice last week, please check your records.",
        "Can we set up a payment plan? I lost my job.",
        "This is not my debt.",
        "thanks",
        "Will pay on Friday",
    ],
)
def test_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "Ya pagué la factura la semana pasada, por favor revisen.",
        "¿Podemos hacer un plan de pagos? Perdí mi empleo.",
        "Esta deuda no es mía.",
        "gracias",
        "Pago el viernes",
    ],
)
def test_spanish(text: str) -> None:
    assert detect_language(text) == "es"


@pytest.mark.parametrize("text", ["ok", "STOP", "si", "", "   ", "$250.00 4/15", "👍", "jaja"])
def test_too_short_or_ambiguous(text: str) -> None:
    assert detect_language(text) is None


def test_links_and_addresses_do_not_count_as_words() -> None:
    assert detect_language("ok https://pay.example.com/invoice/12345 me@example.com") is None
