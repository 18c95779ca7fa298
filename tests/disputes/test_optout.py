"""Opt-out: every request to stop is caught; everyday uses of "stop" are not."""

from __future__ import annotations

import pytest

from service.disputes import classify

ONLY_STOP = [
    "STOP",
    "stop",
    "Stop.",
    "STOP ALL",
    "Unsubscribe",
    "BAJA",
    "baja por favor",
    "Alto",
    "CANCEL",
    "no me escriban más",
    "No me manden mensajes",
    "unsubscribe me please",
    "quit texting me",
    "remove me from your list",
    "take me off your mailing list",
    "please stop sending me these emails",
    "Don't text me again",
    "dejen de molestar",
    "Dejad de escribirme",
    "borren mi numero por favor",
    "quiero darme de baja de sus mensajes",
    "No quiero recibir mas correos",
    "no more texts",
    "turn off the text notifications",
    "Please turn off text and email reminders for my account.",
    "switch off the sms & email alerts",
    "opt out",
]


@pytest.mark.parametrize("text", ONLY_STOP)
def test_only_asking_to_stop_is_an_opt_out(text: str) -> None:
    result = classify(text, channel="sms")
    assert result.opt_out
    assert result.intent == "opt_out"
    assert result.team is None


INSIDE_OTHER_INTENTS = [
    ("I already paid, stop texting me", "dispute"),
    ("ya pague, ya no me manden mensajes", "dispute"),
    ("Wrong number. Please stop messaging this phone.", "wrong_contact"),
    ("will pay friday. now quit calling me", "promise_to_pay"),
    ("Stop harassing me or I will sue you.", "legal"),
    ("se equivoco de numero, no me vuelvan a escribir", "wrong_contact"),
]


@pytest.mark.parametrize(("text", "intent"), INSIDE_OTHER_INTENTS)
def test_opt_out_flag_inside_another_intent(text: str, intent: str) -> None:
    result = classify(text)
    assert result.opt_out
    assert result.intent == intent


NOT_OPT_OUT = [
    "I'll stop by the office on Friday to pay",
    "We stopped the payment because of the damage",
    "The printer stopped working after two days",
    "Can you stop the late fee?",
    "Hasta que no me envien la nota de credito no pagamos",
    "La baja de precio no se aplico en la factura",
    "Please remove the freight charge from the invoice",
    "no me ha llegado la factura",
    "Favor de dar de baja la factura duplicada",
    "No more than $500 this week, sorry",
    "The bus stop near the store",
]


@pytest.mark.parametrize("text", NOT_OPT_OUT)
def test_everyday_stop_is_not_an_opt_out(text: str) -> None:
    result = classify(text)
    assert not result.opt_out
    assert result.intent != "opt_out"


def test_customer_written_subject_counts() -> None:
    result = classify("", subject="Unsubscribe")
    assert result.opt_out


def test_reply_subject_is_ours_and_ignored() -> None:
    result = classify("thanks", subject="RE: Stop by our booth")
    assert not result.opt_out
