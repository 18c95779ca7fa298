"""Opt-out keywords and informal stop requests, English and Spanish, and their look-alikes."""

from __future__ import annotations

import pytest

from service.inbound.optout import asks_to_stop, find_stop_request, sms_keyword


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        " Stop. ",
        "STOP!!!",
        "StopAll",
        "UNSUBSCRIBE",
        "end",
        "Quit",
        "CANCEL",
        "revoke",
        "OPTOUT",
        "opt-out",
        "Opt out",
        "BAJA",
        "baja.",
        "¡ALTO!",
        "Parar",
        "CANCELAR",
        "dar de baja",
        "Dar de Baja",
    ],
)
def test_stop_keywords(text: str) -> None:
    assert sms_keyword(text) == "stop"


@pytest.mark.parametrize("text", ["START", "unstop", "ALTA", "Dar de alta", "start."])
def test_start_keywords(text: str) -> None:
    assert sms_keyword(text) == "start"


@pytest.mark.parametrize("text", ["HELP", "help?", "INFO", "Ayuda", "¿AYUDA?"])
def test_help_keywords(text: str) -> None:
    assert sms_keyword(text) == "help"


def test_yes_is_an_opt_in_only_for_an_opted_out_sender() -> None:
    assert sms_keyword("YES") is None
    assert sms_keyword("Yes!", opted_out=True) == "start"


@pytest.mark.parametrize(
    "text",
    [
        "stop texting me",
        "STOP texting me please",
        "stop it",
        "",
        "Stop by tomorrow",
        "I want to stop my payment plan",
        "help me understand this bill",
        "info about my balance",
        "bajar el pago",
        "alto el monto",
        "stopp",
    ],
)
def test_longer_messages_are_not_keywords(text: str) -> None:
    assert sms_keyword(text) is None


STOP_REQUESTS = [
    "stop texting me",
    "Please stop sending me these",
    "PLEASE STOP SENDING ME THESE MESSAGES",
    "Stop calling me at work.",
    "stop contacting me, I already paid",
    "Stop the calls",
    "stop payment reminders",
    "unsubscribe me",
    "How do I unsubscribe from these?",
    "remove me from your list",
    "Take me off your mailing list",
    "Please remove my number from your system",
    "Do not text me again",
    "Don\u2019t email me",
    "I do not want any more texts",
    "no more messages please",
    "Leave me alone!",
    "I revoke my consent to be contacted by text",
    "Cease and desist all communication",
    "opt me out",
    "Never call me again.",
    "Paid. STOP",
    "please stop",
    "No me escriban más",
    "no me escriban mas",
    "Dejen de mandarme mensajes",
    "dejen de llamarme por favor",
    "No quiero recibir más mensajes",
    "no quiero recibir mas correos de ustedes",
    "Bórrenme de su lista",
    "borrenme",
    "Sáquenme de su lista por favor",
    "Quiero darme de baja",
    "denme de baja",
    "No me sigan mandando correos",
    "no quiero que me sigan llamando",
    "No más mensajes",
    "Ya no me envíen nada",
    "Déjenme en paz",
    "BAJA por favor",
    "Alto.",
    "Retiro mi consentimiento",
    "STOP stop STOP",
    "Quit calling my cell.",
    "Quit emailing me, talk to my lawyer",
    "Do not call this phone number again",
    "Please take me off these automated reminders",
    "Please delete this email address from your contacts",
    "Turn off the text notifications please",
    "Please disable email reminders for my account",
    "Direct all further communications to my attorney",
    "Do not contact my client directly",
    "All collection efforts must cease immediately",
    "Ya no me estén mandando mensajes",
    "Dejad de llamarme",
    "No me mandéis más correos",
    "No nos escribáis",
    "Exijo que cesen todo contacto conmigo",
    "Quiero desactivar los recordatorios por correo",
    "Borren mi teléfono",
    "Por favor eliminen este correo de su base de datos",
    "Solicito la baja de mis datos",
    "Les pido que no me escriban más",
]


@pytest.mark.parametrize("text", STOP_REQUESTS)
def test_informal_stop_requests(text: str) -> None:
    assert asks_to_stop(text) is True


NOT_STOP = [
    "I will stop by the office tomorrow",
    "Can I stop by? Text me the address",
    "We stopped payment on that check",
    "There is a full stop missing in the letter",
    "no stopping me now, I will pay it all",
    "The bus stop near me",
    "Will pay; stop worrying",
    "stopping by later",
    "Cancel my autopay and charge my card instead",
    "You never email me back",
    "why don't you email me the invoice",
    "I can pay at the end of the month",
    "Please send me the statement",
    "Call me after 6pm",
    "No me mandaron la factura",
    "No me llegó el correo",
    "Muy alto el monto",
    "El pago no se puede parar",
    "No me envió el recibo",
    "Me pueden llamar mañana",
    "Quiero la factura por correo",
    "Necesito dar de baja mi tarjeta vieja y usar otra",
    "Hasta que no nos envíen las cajas que faltan no pagamos",
    "Mientras no me manden la factura correcta no puedo pagar",
    "I quit my job so I cannot pay this month",
    "Please call my cell after 5",
    "Please email me the statement",
    "We turned off autopay last month",
    "The phone was switched off, sorry for missing your call",
    "Ceso de trabajar el viernes, pago antes",
    "Please direct the invoice to accounts payable",
]


@pytest.mark.parametrize("text", NOT_STOP)
def test_look_alikes_are_not_stop_requests(text: str) -> None:
    assert asks_to_stop(text) is False


def test_find_stop_request_returns_the_phrase() -> None:
    assert find_stop_request("Hola. Ya pagué. Dejen de mandarme mensajes.") == "dejen de mandarme"
    assert find_stop_request("Thanks, see you") is None


def test_measured_recall_and_false_positive_rate() -> None:
    caught = sum(asks_to_stop(text) for text in STOP_REQUESTS)
    false_alarms = sum(asks_to_stop(text) for text in NOT_STOP)
    assert caught == len(STOP_REQUESTS)
    assert false_alarms == 0
