"""The portal's words in English and in Spanish (neutral Latin American, addressing the customer
as usted). Kept as plain strings: the page template inserts them as data, so none of them, and
nothing a customer wrote, is ever compiled as a template."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Literal

from service.rendering.formatting import Formatter

Language = Literal["en", "es"]

TEXTS: dict[Language, dict[str, str]] = {
    "en": {
        "title": "Your account with {sender}",
        "greeting": "Hello, {customer}.",
        "intro": "Here you can see your open invoices and write to us.",
        "switch": "Español",
        "switch_lang": "es",
        "invoices": "Open invoices",
        "no_invoices": "You have no open invoices.",
        "invoice": "Invoice",
        "issued": "Issued",
        "due": "Due",
        "balance": "Balance",
        "past_due": "Days past due",
        "not_due": "not yet due",
        "po": "PO",
        "total": "Total due",
        "conversations": "Conversations",
        "no_messages": "No messages yet.",
        "you": "You",
        "reference": "Reference",
        "write": "Write to us",
        "message": "Message",
        "conversation": "Conversation",
        "new_conversation": "New conversation",
        "send_message": "Send message",
        "dispute": "Dispute an invoice",
        "dispute_help": "Tell us what is wrong; we pause reminders for these invoices meanwhile.",
        "which_invoices": "Invoices",
        "reason": "Reason",
        "choose": "Choose…",
        "describe": "Describe the problem",
        "send_dispute": "Send dispute",
        "promise": "Promise a payment",
        "promise_date": "Payment date",
        "amount": "Amount (optional)",
        "amount_hint": "for example 1250.50",
        "invoices_optional": "Invoices (optional)",
        "note": "Comment (optional)",
        "send_promise": "Record my promise",
        "sent_message": "We received your message and will reply soon.",
        "sent_dispute": "We received your dispute. We will look into it and get back to you.",
        "sent_promise": "Thank you. We recorded your promise to pay.",
        "may_take": "It may take a moment to appear below.",
        "check": "Please check the following:",
        "expires": "This link is personal and valid until {date}. Please do not share it.",
        "contact": "Questions? Write to {contact}.",
        "reason_pricing": "Wrong price, discount or terms",
        "reason_delivery": "Goods or service not received",
        "reason_quality": "Damaged or defective goods, or poor service",
        "reason_billing_error": "Billing error (duplicate, tax, PO number, address)",
        "reason_already_paid": "Already paid",
        "reason_credit_note": "Waiting for a credit note",
        "error_body_empty": "Please write a message.",
        "error_body_too_long": "The message is too long.",
        "error_thread_not_found": "That conversation was not found.",
        "error_no_invoices": "Select at least one invoice.",
        "error_unknown_invoices": "These are not open invoices of your account: {values}",
        "error_reason": "Choose a reason.",
        "error_date_invalid": "Enter a valid date.",
        "error_date_past": "The date cannot be in the past.",
        "error_date_too_far": "The date must be within the next {days} days.",
        "error_amount": "Enter an amount greater than zero, for example 1250.50.",
        "error_too_many": "We received too many submissions. Please try again later.",
        "error_too_large": "What you sent is too long.",
        "error_malformed": "The form could not be read. Please try again.",
    },
    "es": {
        "title": "Su cuenta con {sender}",
        "greeting": "Hola, {customer}.",
        "intro": "Aquí puede consultar sus facturas pendientes y escribirnos.",
        "switch": "English",
        "switch_lang": "en",
        "invoices": "Facturas pendientes",
        "no_invoices": "No tiene facturas pendientes.",
        "invoice": "Factura",
        "issued": "Emisión",
        "due": "Vencimiento",
        "balance": "Saldo",
        "past_due": "Días de atraso",
        "not_due": "aún no vence",
        "po": "OC",
        "total": "Total pendiente",
        "conversations": "Conversaciones",
        "no_messages": "Aún no hay mensajes.",
        "you": "Usted",
        "reference": "Referencia",
        "write": "Escríbanos",
        "message": "Mensaje",
        "conversation": "Conversación",
        "new_conversation": "Conversación nueva",
        "send_message": "Enviar mensaje",
        "dispute": "Reportar un problema con una factura",
        "dispute_help": (
            "Cuéntenos qué sucede; pausamos los recordatorios de estas facturas mientras lo "
            "revisamos."
        ),
        "which_invoices": "Facturas",
        "reason": "Motivo",
        "choose": "Elija…",
        "describe": "Describa el problema",
        "send_dispute": "Enviar reporte",
        "promise": "Comprometer un pago",
        "promise_date": "Fecha de pago",
        "amount": "Importe (opcional)",
        "amount_hint": "por ejemplo 1250.50",
        "invoices_optional": "Facturas (opcional)",
        "note": "Comentario (opcional)",
        "send_promise": "Registrar mi compromiso",
        "sent_message": "Recibimos su mensaje. Le responderemos pronto.",
        "sent_dispute": "Recibimos su reporte. Lo revisaremos y le responderemos.",
        "sent_promise": "Gracias. Registramos su compromiso de pago.",
        "may_take": "Puede tardar unos momentos en aparecer abajo.",
        "check": "Por favor revise lo siguiente:",
        "expires": "Este enlace es personal y es válido hasta el {date}. Por favor no lo comparta.",
        "contact": "¿Tiene preguntas? Escriba a {contact}.",
        "reason_pricing": "Precio, descuento o condiciones incorrectos",
        "reason_delivery": "No recibí la mercancía o el servicio",
        "reason_quality": "Mercancía dañada o defectuosa, o servicio deficiente",
        "reason_billing_error": "Error en la factura (duplicada, impuestos, orden de compra)",
        "reason_already_paid": "Ya está pagada",
        "reason_credit_note": "Estoy esperando una nota de crédito",
        "error_body_empty": "Por favor escriba un mensaje.",
        "error_body_too_long": "El mensaje es demasiado largo.",
        "error_thread_not_found": "No encontramos esa conversación.",
        "error_no_invoices": "Seleccione al menos una factura.",
        "error_unknown_invoices": "Estas facturas no están pendientes en su cuenta: {values}",
        "error_reason": "Elija un motivo.",
        "error_date_invalid": "Indique una fecha válida.",
        "error_date_past": "La fecha no puede estar en el pasado.",
        "error_date_too_far": "La fecha debe estar dentro de los próximos {days} días.",
        "error_amount": "Indique un importe mayor que cero, por ejemplo 1250.50.",
        "error_too_many": "Recibimos demasiados envíos. Por favor inténtelo más tarde.",
        "error_too_large": "Lo que envió es demasiado largo.",
        "error_malformed": "No pudimos leer el formulario. Por favor inténtelo de nuevo.",
    },
}

INVALID_LINK = {
    "title": "This link has expired or is not valid / Este enlace venció o no es válido",
    "en": "Please use the link in your most recent reminder, or contact the company that sent it.",
    "es": (
        "Por favor use el enlace de su recordatorio más reciente o comuníquese con la empresa "
        "que se lo envió."
    ),
}


def promise_text(
    language: Language,
    *,
    fmt: Formatter,
    on: date,
    amount: Decimal | None,
    currency: str | None,
    invoice_numbers: Sequence[str],
) -> str:
    """The sentence that stands for a promise made in the portal on its thread, in the
    customer's language, so that agents read it like any reply."""
    day = fmt.date(on, tz="UTC", style="long")
    money = None
    if amount is not None:
        money = fmt.money(amount, currency) if currency else fmt.number(amount)
    many = len(invoice_numbers) > 1
    joined = fmt.join(list(invoice_numbers)) if invoice_numbers else ""
    if language == "es":
        named = f"{'las facturas' if many else 'la factura'} {joined}" if joined else ""
        if money:
            return f"Me comprometo a pagar {money} el {day}" + (f" por {named}." if named else ".")
        return f"Me comprometo a pagar {named + ' ' if named else ''}el {day}."
    named = f"{'invoices' if many else 'invoice'} {joined}" if joined else ""
    if money:
        return f"I will pay {money} on {day}" + (f" for {named}." if named else ".")
    return f"I will pay {named + ' ' if named else ''}on {day}."
