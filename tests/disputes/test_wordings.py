"""Wordings the first rules missed, written again in other words, and honest confidence."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from service.disputes import REVIEW_THRESHOLD, classify, extract_promise

MADRID = timezone(timedelta(hours=1))
# Tuesday 3 March 2026.
TUESDAY = datetime(2026, 3, 3, 9, 30, tzinfo=MADRID)

SHORTHAND_DISPUTES = [
    ("u billed me 420 for the visit, ur tech said 300 flat. not paying the diff", "pricing"),
    ("they charged me the rush rate but i never asked for rush", "pricing"),
    ("pd thru venmo on 2/27, chk ur records", "already_paid"),
    ("alredy payed dis last wk via zelle", "already_paid"),
    ("ya lo pague x transferencia el lunes, revisen", "already_paid"),
    ("never got the 2nd half of the order, not paying 4 stuff i dont have", "delivery"),
    ("la lavadora que me vendieron no enfria ni seca, ya la regrese", "quality"),
]


@pytest.mark.parametrize(("text", "reason"), SHORTHAND_DISPUTES)
def test_disputes_in_sms_shorthand(text: str, reason: str) -> None:
    result = classify(text, channel="sms")
    assert result.intent == "dispute"
    assert result.reason == reason


CREDIT_AFTER_RETURN = [
    "Devolvimos las sillas defectuosas en enero y seguimos esperando el abono.",
    "Os devolvimos el material dañado; falta que nos hagáis el abono para pagar el resto.",
    "We shipped the cracked panels back last month and still no credit memo.",
    "Sent the faulty units back under warranty, where is our credit?",
]


@pytest.mark.parametrize("text", CREDIT_AFTER_RETURN)
def test_a_credit_awaited_after_a_return_is_a_credit_note(text: str) -> None:
    result = classify(text)
    assert result.intent == "dispute"
    assert result.reason == "credit_note"
    assert result.team == "gbs"


SPANISH_PROMISES = [
    ("la transferencia de 8.200 € se hará el 12/03", (2026, 3, 12), "8200", "EUR"),
    ("ok el viernes te hago el payment", (2026, 3, 6), None, None),
    ("te ingreso 1.250 € el día 20", (2026, 3, 20), "1250", "EUR"),
    ("el abono de la factura queda programado para el 31 de marzo", (2026, 3, 31), None, None),
    ("pasado mañana os lo pago sin falta", (2026, 3, 5), None, None),
]


@pytest.mark.parametrize(("text", "day", "amount", "currency"), SPANISH_PROMISES)
def test_spanish_promises_without_a_promise_verb(
    text: str, day: tuple[int, int, int], amount: str | None, currency: str | None
) -> None:
    assert classify(text, language="es").intent == "promise_to_pay"
    promise = extract_promise(text, received_at=TUESDAY, locale="es_ES")
    assert promise.date == datetime(*day).date()
    assert promise.amount == (Decimal(amount) if amount else None)
    assert promise.currency == currency


def test_a_payment_run_on_a_named_date() -> None:
    text = "Approved; it goes out with our next ACH run on October 8th."
    assert classify(text).intent == "promise_to_pay"
    received = datetime(2026, 9, 28, 10, tzinfo=timezone(timedelta(hours=-5)))
    assert extract_promise(text, received_at=received, locale="en_US").date == (
        datetime(2026, 10, 8).date()
    )


REDIRECTS = [
    "We moved our payables to Tipalti; please submit invoices there instead of this address.",
    "Our AP now runs through Coupa, send your invoices through the portal from now on.",
    "Las facturas a partir de ahora deben enviarse a cxp@grupoeje.example, este correo no se usa.",
]


@pytest.mark.parametrize("text", REDIRECTS)
def test_a_new_place_for_invoices_is_a_wrong_contact(text: str) -> None:
    assert classify(text).intent == "wrong_contact"


INFORMAL_OPT_OUTS = [
    "ya no quiero que me lleguen sus mensajes",
    "dejen de estar mandando mensajes",
    "abstenerse de enviar recordatorios a este número",
    "basta ya con los correos",
    "take me off",
    "remove me pls",
    "quit blowing up my phone",
    "no more please",
]


@pytest.mark.parametrize("text", INFORMAL_OPT_OUTS)
def test_informal_opt_outs(text: str) -> None:
    result = classify(text, channel="sms")
    assert result.opt_out
    assert result.intent == "opt_out"


QUESTIONS = [
    "If we pay within ten days, does the 2% early payment discount still apply?",
    "Do you give a discount for paying by card?",
    "¿Tienen descuento por pronto pago?",
]


@pytest.mark.parametrize("text", QUESTIONS)
def test_a_question_about_a_discount_is_not_a_dispute(text: str) -> None:
    result = classify(text)
    assert result.intent == "other"
    assert result.reason is None


def test_a_courtesy_reply_is_other_with_confidence() -> None:
    for text in ("Thanks!", "ok gracias", "Recibido, gracias"):
        result = classify(text)
        assert result.intent == "other"
        assert not result.needs_review


@pytest.mark.parametrize(
    "text",
    [
        "thanks, will see what I can do",
        "ok lo reviso con mi esposo",
        "Thanks. The thing from last time again?",
        "hmm",
    ],
)
def test_a_reply_nothing_specific_matches_goes_to_review(text: str) -> None:
    result = classify(text)
    assert result.intent_confidence < REVIEW_THRESHOLD
    assert result.needs_review


def test_a_label_no_phrase_rule_gave_goes_to_review() -> None:
    # Word cues, the model, or nothing at all: never confident enough to act alone.
    for text in (
        "The sofa legs wobble and the fabric is already pilling.",
        "Half the roses were wilted when they got here",
        "the guy was rude and left early",
    ):
        result = classify(text)
        assert not any(name.startswith("reason.") for name in result.signals), text
        assert result.needs_review, text


def test_stop_in_other_senses_is_not_an_opt_out() -> None:
    for text in (
        "I'll stop by the office Thursday with a check.",
        "The payment stopped at the bank, resending it Monday.",
        "Please don't stop my service, paying today.",
        "Se paró la obra y aun así me cobran el mes.",
    ):
        assert not classify(text).opt_out, text


def test_shorthand_and_missing_accents_read_like_the_full_words() -> None:
    assert classify("wil pay 2moro").intent == "promise_to_pay"
    assert classify("manana le deposito sin falta").intent == "promise_to_pay"
    assert classify("stp txting me").opt_out
