"""Segment counting and GSM-7 transliteration as carriers do them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.rendering.sms import GSM7_BASIC, GSM7_EXTENSION, count_segments, is_gsm7, to_gsm7


def test_basic_table_has_the_128_characters_of_gsm_0338() -> None:
    assert len(GSM7_BASIC) == 128 - 1  # every code point but the escape to the extension table
    assert len(GSM7_EXTENSION) == 10


def test_gsm7_single_segment_holds_160_septets() -> None:
    assert count_segments("a" * 160).segments == 1
    info = count_segments("a" * 161)
    assert (info.encoding, info.units, info.segments) == ("GSM-7", 161, 2)
    assert count_segments("a" * 306).segments == 2
    assert count_segments("a" * 307).segments == 3


def test_extension_characters_take_two_septets() -> None:
    info = count_segments("€" * 80)
    assert (info.encoding, info.units, info.segments) == ("GSM-7", 160, 1)
    assert count_segments("€" * 80 + "a").segments == 2
    assert count_segments("{}[]~|^\\").units == 16


def test_an_escape_pair_is_never_split_across_segments() -> None:
    # 152 septets then a 2-septet euro: 154 do not fit the first 153-septet segment whole.
    text = "a" * 152 + "€" + "b" * 152
    info = count_segments(text)
    assert info.units == 306
    assert info.segments == 3


def test_ucs2_single_segment_holds_70_units() -> None:
    assert count_segments("á" * 70).segments == 1
    info = count_segments("á" * 71)
    assert (info.encoding, info.units, info.segments) == ("UCS-2", 71, 2)
    assert count_segments("á" * 134).segments == 2
    assert count_segments("á" * 135).segments == 3


def test_emoji_counts_two_utf16_units_and_is_not_split() -> None:
    assert count_segments("😀").units == 2
    assert count_segments("😀" * 35).segments == 1
    # 66 units then a surrogate pair: the pair moves whole to the second segment.
    info = count_segments("a" * 66 + "😀" + "a" * 66)
    assert info.units == 134
    assert info.segments == 3


def test_spanish_letters_in_the_gsm7_table_are_kept() -> None:
    kept = "éñÑüÜàèùìòÇØ¿¡ÄÖäöÉ"
    assert is_gsm7(kept)
    assert to_gsm7(kept) == kept


def test_letters_outside_gsm7_lose_only_their_accent() -> None:
    assert to_gsm7("Responda BAJA para no recibir más mensajes.") == (
        "Responda BAJA para no recibir mas mensajes."
    )
    assert to_gsm7("áíóúÁÍÓÚ") == "aiouAIOU"
    assert to_gsm7("“Hola” – ‘sí’…") == "\"Hola\" - 'si'..."
    assert to_gsm7("1.234,50\u00a0€") == "1.234,50 €"


def test_decomposed_accents_are_composed_first() -> None:
    assert to_gsm7("Jose\u0301") == "José"


def test_characters_without_a_stand_in_are_replaced() -> None:
    assert to_gsm7("Hola 😀", replacement="?") == "Hola ?"
    assert to_gsm7("東京") == "??"


@given(st.text(max_size=400))
def test_transliteration_always_yields_gsm7(text: str) -> None:
    assert is_gsm7(to_gsm7(text))


@given(st.text(max_size=600))
def test_segments_cover_the_units(text: str) -> None:
    info = count_segments(text)
    per_segment = 153 if info.encoding == "GSM-7" else 67
    single = 160 if info.encoding == "GSM-7" else 70
    if info.units == 0:
        assert info.segments == 0
    elif info.units <= single:
        assert info.segments == 1
    else:
        assert info.segments * per_segment >= info.units
        assert info.segments <= info.units // (per_segment - 1) + 1
