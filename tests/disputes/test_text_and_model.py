"""Normalization of shorthand, and the small model behind the rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.disputes import classify
from service.disputes.model import WEIGHTS_PATH, features, from_weights, label_of, shipped, train
from service.disputes.text import clean, is_question

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("pd on 3/2 thru zelle, chk ur acct", "paid on 3/2 through zelle, check your account"),
        ("ya no quiero q me lleguen sus msjs", "ya no quiero que me lleguen sus mensajes"),
        ("Mañana le pago x transferencia", "manana le pago por transferencia"),
        ("stp txting me plz", "stop texting me please"),
        ("alredy payed", "already paid"),
    ],
)
def test_shorthand_is_expanded(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_figures_and_ordinary_words_are_left_alone() -> None:
    assert clean("12 x 45 is 540, not 640") == "12 x 45 is 540, not 640"
    assert clean("Queen St. Unit 4") == "queen st. unit 4"


@pytest.mark.parametrize(
    ("sentence", "asks"),
    [
        ("le pago el viernes, ok?", False),
        ("will pay friday right?", False),
        ("can i pay friday?", True),
        ("¿me da chance hasta el 15?", True),
        ("paying friday", False),
    ],
)
def test_a_closing_tag_is_not_a_question(sentence: str, asks: bool) -> None:
    assert is_question(clean(sentence)) is asks


def test_features_cover_words_pairs_and_character_ngrams() -> None:
    found = features("Ya pagué")
    assert {"w:ya", "w:pague", "b:ya_pague", "c: ya", "c:pagu"} <= found


def test_a_model_trained_on_a_few_replies_recognises_their_kind() -> None:
    samples = [
        ("never received the boxes", "dispute:delivery"),
        ("the boxes never arrived", "dispute:delivery"),
        ("nothing was delivered", "dispute:delivery"),
        ("please stop texting me", "opt_out"),
        ("stop texting this number", "opt_out"),
        ("no more texts please", "opt_out"),
    ] * 2
    model = from_weights(train(samples))
    delivery = model.guess("the boxes were never delivered")
    assert delivery is not None
    assert delivery.label == "dispute:delivery"
    assert delivery.intent == "dispute"
    assert delivery.reason == "delivery"
    stop = model.guess("stop the texts")
    assert stop is not None
    assert stop.intent == "opt_out"
    assert stop.reason is None
    assert model.guess("", within=None) is None
    limited = model.guess("stop the texts", within="dispute")
    assert limited is not None
    assert limited.intent == "dispute"


def test_the_shipped_weights_cover_every_label_of_the_development_set() -> None:
    weights = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    records = [
        json.loads(line)
        for line in (DATA / "replies-dev.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert set(weights["labels"]) == {label_of(record) for record in records}
    assert sum(weights["labels"].values()) == len(records)
    assert shipped().priors


def test_the_model_speaks_only_when_no_rule_matched_and_never_decides_alone() -> None:
    # No phrase rule knows "wilted"; the replies the model learned from say quality.
    result = classify("half the roses were wilted and brown when they got here")
    assert result.needs_review
    if any(name.startswith("model.") for name in result.signals):
        assert result.intent_confidence < 0.6
    # A reply the rules recognise keeps the rules' label, and no model signal.
    clear = classify("We already paid this by ACH on Monday.")
    assert not any(name.startswith("model.") for name in clear.signals)
    # A question the rules do not know stays "other".
    assert classify("¿Qué empresa es esta?").intent == "other"
