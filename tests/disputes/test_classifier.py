"""Intent, reason and team on replies written for these tests (English and Spanish)."""

from __future__ import annotations

import pytest

from service.disputes import REVIEW_THRESHOLD, classify

DISPUTES = [
    ("We already paid this by ACH on Monday, please check your records.", "already_paid"),
    ("ya les pague desde la semana pasada, chequen su sistema", "already_paid"),
    ("Attached is the remittance advice for this invoice.", "already_paid"),
    ("El deposito ya se hizo, adjunto comprobante de la transferencia.", "already_paid"),
    ("The pallets never arrived. We won't pay for goods we don't have.", "delivery"),
    ("No nos ha llegado el pedido completo, solo llegaron 3 cajas de 5.", "delivery"),
    ("the plumber never showed up but you billed us for the visit", "delivery"),
    ("Half the bottles came broken, we are sending them back.", "quality"),
    ("la maquina que nos vendieron no funciona desde el primer dia", "quality"),
    ("Los muebles llegaron rayados y con una pata rota.", "quality"),
    ("You charged $12 per unit, the quote said $10.", "pricing"),
    ("Nos cobraron de mas, el precio acordado era 450 por pieza.", "pricing"),
    ("The 5% discount we negotiated is missing from this invoice.", "pricing"),
    ("This invoice is a duplicate of 4471, same lines and amount.", "billing_error"),
    ("La factura trae mal el RFC, favor de refacturar.", "billing_error"),
    ("Invoice has no PO number, our system rejects it without a valid PO.", "billing_error"),
    ("We are still waiting for the credit memo for the returned chairs.", "credit_note"),
    ("Falta aplicar la nota de credito NC-881 a esta factura.", "credit_note"),
]

SALES_REASONS = {"pricing", "delivery", "quality"}


@pytest.mark.parametrize(("text", "reason"), DISPUTES)
def test_disputes_get_their_reason_and_team(text: str, reason: str) -> None:
    result = classify(text)
    assert result.intent == "dispute"
    assert result.reason == reason
    assert result.team == ("sales" if reason in SALES_REASONS else "gbs")


INTENTS = [
    ("I'll send the check on Friday.", "promise_to_pay"),
    ("Will pay the balance tomorrow morning", "promise_to_pay"),
    ("el lunes le transfiero sin falta", "promise_to_pay"),
    ("Le hago el deposito a fin de mes.", "promise_to_pay"),
    ("Can we set up a payment plan? Business has been slow.", "payment_plan"),
    ("podria pagarle en 3 mensualidades? ando corto de dinero", "payment_plan"),
    ("Lost my job in March, could you give me a few more weeks", "payment_plan"),
    ("Me dan una prorroga de 30 dias por favor", "payment_plan"),
    ("Please send me a copy of the invoice, I can't find it.", "document_request"),
    ("Me pueden enviar el estado de cuenta actualizado?", "document_request"),
    ("We need your W-9 before we can pay.", "document_request"),
    ("Necesito el XML de la factura para darla de alta", "document_request"),
    ("Wrong number, I don't know any Roberto.", "wrong_contact"),
    ("Ya no trabajo en esa empresa, escriban a pagos@ejemplo.com", "wrong_contact"),
    ("I'm not the right person, please contact our AP department instead.", "wrong_contact"),
    ("We filed for Chapter 7 bankruptcy last month.", "legal"),
    ("Mi abogado se comunicara con ustedes.", "legal"),
    ("La empresa esta en concurso de acreedores.", "legal"),
    ("Keep calling and I'll sue you.", "legal"),
    ("Thanks, got it!", "other"),
    ("¿Que empresa es esta?", "other"),
    ("Do you take credit cards?", "other"),
]


@pytest.mark.parametrize(("text", "intent"), INTENTS)
def test_intents(text: str, intent: str) -> None:
    assert classify(text).intent == intent


def test_teams_follow_the_taxonomy() -> None:
    assert classify("Our lawyer will contact you.").team == "legal"
    assert classify("send the invoice again please").team == "gbs"
    assert classify("will pay friday").team == "collections"
    assert classify("STOP").team is None


def test_precedence_legal_over_dispute() -> None:
    result = classify("We never received the goods and our attorney will handle this from now.")
    assert result.intent == "legal"


def test_precedence_dispute_over_promise() -> None:
    result = classify("I'll pay Friday once you remove the duplicate charge on the invoice.")
    assert result.intent == "dispute"
    assert result.reason == "billing_error"


def test_precedence_plan_over_promise() -> None:
    result = classify("I can pay half on Friday and the rest next month, is that ok?")
    assert result.intent == "payment_plan"


def test_promise_is_not_already_paid() -> None:
    assert classify("I get paid on the 15th and will pay you then").intent == "promise_to_pay"
    assert classify("It will be paid by Friday.").intent == "promise_to_pay"


def test_invoice_never_received_is_a_document_request() -> None:
    assert classify("We never received the invoice, can you resend it?").intent == (
        "document_request"
    )
    assert classify("Me mandan la factura? No me ha llegado").intent == "document_request"


def test_missing_accents_and_typos() -> None:
    assert classify("ya esta pagado desde el lunes").reason == "already_paid"
    assert classify("Ya está pagado desde el lunes").reason == "already_paid"
    assert classify("alredy paid this last week").reason == "already_paid"
    assert classify("MAÑANA LE PAGO").intent == "promise_to_pay"


def test_mixed_language() -> None:
    assert classify("le mando el payment el friday").intent == "promise_to_pay"
    assert classify("ya pague, check your account").reason == "already_paid"


def test_auto_replies() -> None:
    ooo = classify(
        "I am out of the office until Monday with limited access to email.",
        subject="Automatic reply: Payment reminder",
    )
    assert ooo.intent == "auto_reply"
    assert ooo.team is None
    ack = classify("Hemos recibido su mensaje. Este es un mensaje automatico, no responda.")
    assert ack.intent == "auto_reply"


def test_out_of_office_sentence_inside_a_human_reply() -> None:
    result = classify("I was out of the office last week, sorry. I will pay on Friday.")
    assert result.intent == "promise_to_pay"


def test_signals_explain_the_decision() -> None:
    result = classify("We already paid, stop texting me")
    assert any(name.startswith("reason.already_paid") for name in result.signals)
    assert any(name.startswith("opt_out.") for name in result.signals)


def test_confidence_is_lower_with_conflicting_evidence() -> None:
    clear = classify("We filed for chapter 11 bankruptcy, contact our attorney.")
    mixed = classify("Our lawyer says we already paid, and we will pay the rest Friday.")
    assert clear.intent == mixed.intent == "legal"
    assert clear.intent_confidence > mixed.intent_confidence


def test_unclear_message_needs_review() -> None:
    result = classify("hmm the thing from before, what about it")
    assert result.intent == "other"
    assert result.intent_confidence < REVIEW_THRESHOLD
    assert result.needs_review


def test_clear_message_skips_review() -> None:
    result = classify("Our check for the full amount will be mailed tomorrow.")
    assert result.intent == "promise_to_pay"
    assert result.intent_confidence >= REVIEW_THRESHOLD
