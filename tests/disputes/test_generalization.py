"""Phrasings beyond the obvious ones: regional Spanish, SMS shorthand, negation, look-alikes."""

from __future__ import annotations

import pytest

from service.disputes import REVIEW_THRESHOLD, classify

OPT_OUT_INSIDE_OTHER_INTENTS = [
    ("paid already, stop texting me", "dispute"),
    ("thx for the reminder, will pay tmrw. pls dont text again", "promise_to_pay"),
    ("Please stop the phone calls. Emails are fine, I'll pay on the 20th.", "promise_to_pay"),
    ("La factura trae mal el RFC. Y por favor no me envíen más mensajes.", "dispute"),
    ("Estoy en quiebra y les pido que no me contacten más.", "legal"),
    ("keep texting me and ill see you in small claims", "legal"),
    ("Any further calls will be reported to the CFPB.", "legal"),
]


@pytest.mark.parametrize(("text", "intent"), OPT_OUT_INSIDE_OTHER_INTENTS)
def test_a_request_to_stop_is_flagged_whatever_the_intent(text: str, intent: str) -> None:
    result = classify(text, channel="sms")
    assert result.opt_out
    assert result.intent == intent


ONLY_ASKING_TO_STOP = [
    "I want off this list",
    "I don't want any more of these reminders.",
    "Enough with the texts already",
    "Please opt me out of the SMS alerts.",
    "Favor de no enviar mas correos a esta direccion",
    "Les solicito no volver a contactarme por WhatsApp.",
    "ya no me escriban a este correo por favor",
    "I'd like to stop getting these automated messages.",
    "Don't text me, email me instead at ron@x.example",
]


@pytest.mark.parametrize("text", ONLY_ASKING_TO_STOP)
def test_informal_requests_to_stop_are_opt_outs(text: str) -> None:
    result = classify(text, channel="sms")
    assert result.opt_out
    assert result.intent == "opt_out"
    assert result.team is None


NOT_OPT_OUTS = [
    ("Don't stop reminding me, I forget otherwise! Will pay on the 15th.", "promise_to_pay"),
    ("No dejen de mandarme el recordatorio, se me olvida. Pago el 15.", "promise_to_pay"),
    ("Stop by anytime to pick up the check, it's ready.", "promise_to_pay"),
    ("Our bank put a stop on the transfer, resending it today.", "promise_to_pay"),
    ("The unit stopped cooling after a week. Please send a tech.", "dispute"),
    ("Estoy de baja médica hasta el día 20, cuando me incorpore lo reviso.", "auto_reply"),
]


@pytest.mark.parametrize(("text", "intent"), NOT_OPT_OUTS)
def test_everyday_uses_of_stop_and_baja_are_not_opt_outs(text: str, intent: str) -> None:
    result = classify(text, channel="sms")
    assert not result.opt_out
    assert result.intent == intent


def test_an_unsubscribe_footer_in_the_quoted_reminder_is_not_the_customer_asking() -> None:
    from service.inbound.quotes import strip_reply

    body = (
        "Will pay this Thursday.\n\n"
        "On Mon, Mar 9, 2026 at 9:00 AM Acme AR <ar@acme.example> wrote:\n"
        "> Your invoice INV-2201 is overdue.\n"
        "> To unsubscribe from these reminders click here."
    )
    result = classify(strip_reply(body), subject="Re: INV-2201 overdue")
    assert result.intent == "promise_to_pay"
    assert not result.opt_out


COLOMBIAN_CANCELAR = [
    ("Buenas, el viernes cancelo la factura completa", "promise_to_pay", None),
    ("La factura FE-2291 será cancelada el viernes por transferencia.", "promise_to_pay", None),
    ("Ya cancelé esa factura el lunes por PSE, adjunto soporte", "dispute", "already_paid"),
    ("Esa factura la cancelamos hace dos semanas, anexo soporte.", "dispute", "already_paid"),
]


@pytest.mark.parametrize(("text", "intent", "reason"), COLOMBIAN_CANCELAR)
def test_cancelar_a_factura_means_paying_it(text: str, intent: str, reason: str | None) -> None:
    result = classify(text, language="es")
    assert result.intent == intent
    assert result.reason == reason
    assert not result.opt_out


REGIONAL_AND_SHORTHAND = [
    ("Le pago en la quincena", "promise_to_pay"),
    ("Buen día, se estará pagando en la remesa del 20.", "promise_to_pay"),
    ("Hago un abono de 2.000 ahora y el resto a fin de mes", "payment_plan"),
    ("¿Puedo pagar en abonos? No me alcanza para todo", "payment_plan"),
    ("i can do 100 every friday", "payment_plan"),
    ("We're waiting on a big customer payment. Could you hold off two weeks?", "payment_plan"),
    ("nos pueden enviar el complemento de pago de la factura de enero?", "document_request"),
    ("Mándame tus datos para la transferencia porfa", "document_request"),
    ("Hi, quick question — do you have a remit-to address for checks?", "document_request"),
    ("wrong # sorry", "wrong_contact"),
    ("This is a personal number. Jose doesn't have this phone anymore.", "wrong_contact"),
    ("Este correo ya no pertenece a la empresa.", "wrong_contact"),
    ("sorry forgot!! paying rn", "promise_to_pay"),
]


@pytest.mark.parametrize(("text", "intent"), REGIONAL_AND_SHORTHAND)
def test_regional_words_and_sms_shorthand(text: str, intent: str) -> None:
    assert classify(text, channel="sms").intent == intent


REASONS = [
    ("I zelled the full amount last night, screenshot attached", "already_paid"),
    ("The money left our account on Friday, you should have it by now.", "already_paid"),
    ("El pago se realizó el 5 de marzo por PSE, número de aprobación 112233.", "already_paid"),
    ("nos llegaron 3 cajas y facturaron 5", "delivery"),
    ("Nobody showed up for the scheduled repair on the 3rd.", "delivery"),
    ("Honestly the cleaning was terrible, they skipped half the rooms.", "quality"),
    ("La obra quedó mal hecha, hay filtraciones por todos lados.", "quality"),
    ("We cancelled the subscription in December but you kept billing us.", "pricing"),
    ("¿Por qué me cobran el mantenimiento si estaba incluido en el contrato?", "pricing"),
    ("Per our MSA, invoices are payable net 45 from receipt, so it isn't due yet.", "pricing"),
    (
        "Necesitamos una factura rectificativa, el CIF que aparece no es el nuestro.",
        "billing_error",
    ),
    ("Estamos pendientes de la factura rectificativa del pedido devuelto.", "credit_note"),
    ("Payment on hold until the credit for the overbilled hours is issued.", "credit_note"),
]


@pytest.mark.parametrize(("text", "reason"), REASONS)
def test_dispute_reasons_in_less_common_words(text: str, reason: str) -> None:
    result = classify(text)
    assert result.intent == "dispute"
    assert result.reason == reason


def test_a_dispute_found_by_word_cues_alone_goes_to_a_person() -> None:
    result = classify("You delivered 20 bags of the wrong mix.")
    assert result.intent == "dispute"
    assert result.reason == "delivery"
    assert result.team == "sales"
    assert result.needs_review
    assert result.intent_confidence < REVIEW_THRESHOLD
    assert any(signal.startswith("lexicon.") for signal in result.signals)


def test_word_cues_do_not_turn_questions_into_disputes() -> None:
    assert classify("Is there a late fee if I pay next week?").intent == "other"
    assert classify("Who do I talk to about a refund?").intent == "other"


def test_a_broken_payment_link_is_not_a_defective_product() -> None:
    result = classify("The payment link in your email doesn't work, how do I pay online?")
    assert result.intent == "other"
    assert result.reason is None


def test_new_owners_saying_the_debt_is_not_theirs_are_the_wrong_contact() -> None:
    text = "The owner sold the business in December, we're the new owners; that debt is not ours."
    assert classify(text).intent == "wrong_contact"


def test_a_redirect_of_future_invoices_is_not_a_request_for_a_copy() -> None:
    text = (
        "Les informamos que a partir del 1 de marzo las facturas deben enviarse a "
        "facturas@grupoaltavista.example. Este buzón ya no se revisa."
    )
    assert classify(text, language="es").intent == "wrong_contact"


AUTO_REPLIES = [
    (
        "SAP Ariba: Your invoice 4471 has been rejected. Reason: PO number missing. "
        "This is a system generated message.",
        "Invoice Rejected - 4471",
    ),
    (
        "Invoice 5512 was successfully submitted to the Coupa Supplier Portal and is "
        "awaiting approval.",
        "Coupa notification",
    ),
    (
        "Su solicitud ha sido registrada con el número de caso 44120. Un agente le "
        "contestará en un plazo de 48 horas.",
        "Caso 44120 registrado",
    ),
]


@pytest.mark.parametrize(("text", "subject"), AUTO_REPLIES)
def test_portal_and_ticket_notices_are_auto_replies(text: str, subject: str) -> None:
    result = classify(text, subject=subject)
    assert result.intent == "auto_reply"
    assert result.team is None
