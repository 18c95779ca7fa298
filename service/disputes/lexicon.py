"""Shared vocabulary of the reply rules, as regex fragments over folded text.

Rules are written against these families of words rather than against single
phrasings, so that a new way of saying the same thing ("te giro la plata el
lunes", "will have the money friday") still finds its family.
"""

from __future__ import annotations

# Verbs of paying, in the forms customers use for a commitment.
PAY_EN = (
    r"(?:pay|paying|payin|send|sending|resend|resending|mail|mailing|wire|wiring|transfer|"
    r"transferring|remit|remitting|settle|settling|sort|sort out|cover|drop off|dropping off|"
    r"make|process|submit|release|releasing|get|zelle|venmo|deposit|have the money|"
    r"have the funds|have it|take care of)"
)
# Spanish present and periphrastic forms that promise ("el viernes le pago").
PAY_ES = (
    r"(?:pago|pagamos|pagare|pagaremos|deposito|depositamos|depositare|transfiero|transferimos|"
    r"transferire|giro|giramos|cancelo|cancelamos|cancelare|cancelaremos|"
    r"consigno|consignamos|abono|abonamos|liquido|liquidamos|cubro|cubrimos|ingreso|"
    r"(?:hago|hacemos|hare|haremos|realizo|realizamos|mando|envio|paso|pasamos|dejo) "
    r"(?:el|un|la|los|las) (?:pago|deposito|transferencia|consignacion|abono|ingreso|bizum|"
    r"payment|check|cheque|cheques|dinero|efectivo|plata|lana|giro|importe|total|saldo)|"
    r"hago bizum|hago un bizum|(?:te|le|les|os) (?:paso|mando|envio|hago|dejo) (?:la |el )?"
    r"(?:plata|lana|dinero|guita|pago|transferencia|deposito|bizum))"
)
# Future pay verbs that need no time word to commit ("pagaremos", "se transferiran").
PAY_ES_FUTURE = (
    r"(?:pagare|pagaremos|pagara|pagaran|depositare|depositaremos|depositara|transferire|"
    r"transferiremos|transferira|transferiran|consignare|consignaremos|consignara|abonare|"
    r"abonaremos|abonara|liquidare|liquidaremos|liquidara|cancelare|cancelaremos|cancelara|"
    r"cubriremos|girare|giraremos|realizaremos|efectuaremos|haremos|enviaremos|mandaremos)"
)
WHEN = (
    r"(?:today|tonight|tomorrow|right now|(?<!from )now(?! on\b)|this (?:afternoon|evening|"
    r"week|month|morning|weekend)|first thing|later today|later|"
    r"on (?:the )?\d|by (?:the )?\d|(?:this |next |on |by )?(?:monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|mon|tue|tues|thu|thurs|fri|sat)\b|end of (?:the )?(?:month|week|day)"
    r"|eod|eom|asap|next week|in \d+ days|the \d+(?:st|nd|rd|th)?\b|on (?:the )?(?:first|1st)|"
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.? \d)"
)
CUANDO = (
    r"(?:hoy|manana|ahorita|ahora|esta (?:tarde|noche|semana)|en la semana|a mas tardar|"
    r"el (?:lunes|martes|miercoles|jueves|"
    r"viernes|sabado|domingo|proximo|dia|\d+|monday|tuesday|wednesday|thursday|friday|saturday)|"
    r"(?:a |al |para )?fin(?:al)?(?:es)? de(?:l)? mes|la "
    r"(?:proxima|otra|siguiente) semana|en (?:cuanto|cuando)|el dia|sin falta|el 1ro|pasado manana"
    r"|en \d+ dias|(?:este|el proximo) (?:lunes|martes|miercoles|jueves|viernes)|(?:en |la |esta |"
    r"para la |el dia de )?quincena|a la (?:tarde|noche)|\d+ de (?:enero|febrero|marzo|abril|mayo|"
    r"junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)|\d{1,2}/\d{1,2}|"
    r"(?:en|para|a (?:principios|mediados|finales) de) (?:enero|febrero|marzo|abril|mayo|junio|jul"
    r"io|"
    r"agosto|septiembre|setiembre|octubre|noviembre|diciembre)|el mes que viene|el proximo mes|"
    r"la semana que viene)"
)
# Paperwork is not merchandise: "we never received the invoice" asks for a copy.
NOT_PAPER = (
    r"(?! (?:the |an |your |this |any |a |el |la |los |las |su |tu )?(?:\w+ )?(?:invoice|bill|"
    r"statement|"
    r"email|copy|pdf|credit|factura|estado|correo|xml|pdf|nota|recibo|pago|payment|check|cheque|"
    r"remittance|w-?9|response|reply|answer|call|update|confirmation|notice|link|code|respuesta|"
    r"contestacion|informacion|info|refund|reembolso|abono|message|mensaje)| a (?:fin|final|finale"
    r"s|"
    r"pagar|cubrir|juntar|tiempo)\b)"
)
GOODS = (
    r"(?:order|goods|items?|parts?|shipment|delivery|package|parcel|products?|materials?|"
    r"merchandise|boxes|pallets?|units?|pieces?|equipment|supplies|cases?|cartons?|crates?|"
    r"drums?|rest of|stuff|box|chairs?|furniture|sofa|couch|tiles?|fittings?)"
)
MERCANCIA = (
    r"(?:mercancia|mercaderia|pedido|producto|productos|material|materiales|refaccion|"
    r"refacciones|repuestos?|piezas?|equipos?|cajas?|envio|entrega|paquete|pedidos|insumos|"
    r"articulos?|unidades|bultos|resto|mueble|muebles|sofa|sillas?)"
)
