"""Evidence that a customer commits to pay on a date or soon."""

from __future__ import annotations

from service.disputes.labels import PROMISE
from service.disputes.lexicon import CUANDO, PAY_EN, PAY_ES, PAY_ES_FUTURE, WHEN
from service.disputes.rules import Rule, rule

_PAY_NOUN_ES = (
    r"(?:el pago|la transferencia|el deposito|la consignacion|el ingreso|el abono|el giro|"
    r"el cheque|la factura|el importe|el saldo|el total)"
)
_PRONOUN_ES = r"(?:(?:le|les|te|os|se) )?(?:(?:lo|la|los|las) )?"

PROMISE_RULES: tuple[Rule, ...] = (
    rule(
        "promise.will_pay_en",
        PROMISE,
        2.0,
        # "is there a late fee if I pay next week?" asks; it does not commit.
        rf"(?<!if )(?<!when )(?<!before )(?<!unless )"
        rf"\b(?:i|we|ill|well|i will|we will|i am|we are|im|were|going to|gonna|will|i can|we can|"
        rf"i should|we should|i plan to|we plan to|hope to|expect to|intend to)\b"
        rf"(?: \w+){{0,2}} {PAY_EN}\b[^!?\n]{{0,60}}\b{WHEN}",
        r"(?<!not )(?<!never )\b(?:ill|well|i will|we will|will|going to|gonna|plan to) (?:\w+ )?"
        r"(?:pay|send|mail|wire|remit|settle|process|make|release|issue|get|have|deposit|transfer|"
        r"drop off|zelle|venmo|cover|clear) (?:the |a |this |"
        r"it |you |that |our )?(?:full |remaining |outstanding |total |entire )?(?:payment|check|"
        r"cheque|balance|invoice|amount|funds|wire|ach|transfer|it|this|paid|you|in full|off)\b",
        rf"\b(?:making|sending|resending|re-sending|mailing|wiring|paying|submitting|processing|"
        rf"dropping off|releasing|"
        rf"transferring)\b[^!?\n]{{0,40}}\b{WHEN}",
        r"\b(?:payment|check|cheque|wire|ach|transfer|funds)\b[^!?\n]{0,50}\b(?:will|should|is "
        r"going to|is set to|is scheduled to) (?:go|be|arrive|hit|reach|clear|post|land)\b",
        rf"\bpaying (?:it |this |you |the balance )?{WHEN}",
        r"\bpayment\b[^!?\n]{0,60}\b(?:is|will be|has been) (?:scheduled|set up|queued|approved)",
        r"\bpayment (?:will be|is being|is going to be|should be|is) (?:sent|made|processed|"
        r"released|issued|scheduled|mailed|going out|submitted|remitted|initiated|approved)\b",
        r"\b(?:scheduled|queued|approved|set up) (?:for|in) (?:payment|our next|the next)\b",
        r"\b(?:next|upcoming) (?:check|payment|ach|pay) run\b",
        r"\bcheck (?:is|was) in the mail\b",
        r"\b(?:payment|check|cheque|pago|cheque) (?:is|esta|va) (?:on (?:its|the) way|en camino)\b",
        r"\b(?:check|cheque|payment) (?:is|will be) (?:ready|waiting|signed)\b",
        r"\bpick up (?:the|a|your) (?:check|cheque|payment)\b",
        r"\b(?:stop|come|swing|drop) by\b[^!?\n]{0,40}\b(?:pay|drop off|with (?:a|the) check)\b",
        r"\bwill (?:remit|settle|clear|take care of)\b",
        r"\b(?:ill|i will|we will|well)\b[^.!?\n]{0,60}\band (?:pay|send|mail|wire)\b",
        r"\btake care of (?:it|this) (?:today|"
        r"tomorrow|on|by|this|next)\b",
        r"\bwill be paid\b",
        # Colombian usage: "cancelar la factura" is to pay it.
        r"\b(?:going to|gonna|will|ill|we will|well) cancel (?:the |this |that |your )?(?:invoice|"
        r"bill|balance|amount)\b",
        r"(?<!not )(?<!never )\b(?:ill|well|i will|we will|will|gonna|going to|can) pay (?:you |"
        r"it |"
        r"this |the balance |in full )?(?:as soon as|once|when (?:i|we) get|the moment|right away|"
        r"asap)\b",
        r"\b(?:payment|check|cheque|wire|ach|transfer|funds|it)\b[^!?\n]{0,30}\b(?:goes|go|is go"
        r"ing|"
        r"ships|leaves|is leaving|gets sent) out\b",
        r"\bget (?:it|this) paid\b",
        r"\b(?:i|we|ill|well|will|can|gonna|going to)\b(?: \w+){0,2} (?:have|get) (?:the |you the |"
        r"you |your )?(?:money|funds|payment|cash|check|cheque)\b",
        r"\b(?:ill|well|i will|we will|will|gonna|going to) (?:sort|sort out|take care of|cover|"
        r"clear|handle) (?:the |this |that |your )?(?:payment|balance|bill|invoice|it|this)\b",
        r"\bon (?:my|our) way to (?:the bank|pay|drop|you|your office|the office)\b",
        r"\b(?:lo |la |los |las )?(?:dejo|dejamos|dejare|dejaremos|queda|quedara) (?:ya )?(?:pagad|"
        r"liquidad|saldad|cubiert)[oa]s?\b",
        r"\b(?:itll|it will|thatll|theyll|check will|payment will|cheque will|funds will)\b (?:\w+"
        r" )?"
        r"be (?:mailed|sent|paid|released|processed|wired|transferred|issued|cut|signed)\b",
        r"\b(?:sign|signs|signing|cut|cutting|write|writing) (?:the|a|your) (?:check|cheque)\b",
        r"\b(?:ill|well|i will|we will) (?:\w+ )?(?:call|come|stop|swing|drop) (?:in|by|over)\b"
        r"[^.!?\n]{0,40}\b(?:pay|payment|check|card)\b",
    ),
    rule(
        "promise.pago_es",
        PROMISE,
        2.0,
        rf"\b{CUANDO}\b(?: \w+){{0,4}} (?:le |les |te |se lo |se la |os )?{PAY_ES}\b",
        # "el pago se realizo el 5" reports a payment; the noun is not the verb "pago".
        rf"(?<!se )(?<!ya )(?<!no )(?<!el )(?<!mi )(?<!su )(?<!un )(?<!del )(?<!nuestro )"
        rf"\b(?:le |les |te |os |se lo |se la )?{PAY_ES}\b[^!?\n]{{0,30}}? "
        rf"{CUANDO}",
        r"(?<!no )\b(?:voy|vamos|va) a (?:pagar|depositar|transferir|consignar|abonar|liquidar|cub"
        r"rir|"
        r"realizar el pago|hacer el pago|hacer la transferencia|mandar el pago|enviar el pago)",
        r"\b(?:pagare|pagaremos|depositare|depositaremos|transferire|transferiremos|"
        r"realizaremos el pago|efectuaremos el pago|procederemos (?:al|con el) pago|"
        r"haremos (?:el pago|la transferencia))\b",
        r"\b(?:sera|seran) (?:pagad|cancelad|liquidad|transferid|abonad|cubiert|consignad)[oa]s?\b",
        r"(?<!ya )(?<!no )\b(?:cancelamos|cancelo|cancelaremos|cancelare|vamos a cancelar|voy a "
        r"cancelar) (?:la |el |las |los )?(?:factura|saldo|deuda|total|cuenta|valor|pendiente)",
        r"\bse (?:abonara|pagara|liquidara|transferira|depositara|cubrira|cancelara|realizara (?"
        r":el pago|"
        r"la transferencia)|efectuara (?:el pago|la transferencia))\b",
        r"\b(?:el pago|la transferencia|el deposito) (?:se realizara|saldra|queda programad[oa]|"
        r"esta programad[oa]|se hara|se efectuara|sale)\b",
        r"\bprogramad[oa] (?:el pago |la transferencia |el deposito )?para\b",
        r"\ben cuanto (?:me|nos) (?:paguen|depositen|caiga|llegue)\b",
        r"\bsin falta\b",
        r"\bpara (?:el|este) (?:lunes|martes|miercoles|jueves|viernes|\d+) (?:queda|esta|tiene)\b",
        r"\b(?:paso|pasare|pasamos|voy|iremos|ire) a (?:\w+ ){0,3}(?:pagar|dejar el cheque|liquida"
        r"r|"
        r"depositar)\b",
        rf"(?<!no )(?<!nunca )\b{PAY_ES_FUTURE}\b",
        rf"\bse {_PRONOUN_ES}(?:pagara|pagaran|transferira|transferiran|depositara|depositaran|"
        rf"abonara|abonaran|realizara|realizaran|hara|haran|efectuara|efectuaran|enviara|enviaran|"
        rf"girara|giraran|consignara|consignaran|cancelara|cancelaran|liquidara|liquidaran|"
        rf"cubrira|estara pagando|va a (?:pagar|realizar|hacer|transferir|depositar))\b",
        rf"\b{_PAY_NOUN_ES}\b[^.!?\n]{{0,60}}\b(?:se realizara|se hara|se efectuara|se enviara|"
        rf"saldra|sale|va a salir|queda(?:ra)? programad[oa]|quedo programad[oa]|esta "
        rf"(?:programad|previst|agendad|calendarizad)[oa]|se va a (?:realizar|hacer|enviar))\b",
        r"\b(?:previsto|programado|agendado) para (?:el|la|este|esta|fin|finales|principios)\b",
        rf"\b(?:te|le|les|os) {_PRONOUN_ES}?(?:pago|deposito|transfiero|giro|abono|consigno|"
        rf"cancelo|mando|paso|liquido|cubro|hago)\b[^.!?\n]{{0,40}}\b{CUANDO}",
    ),
    rule(
        "promise.payment_run",
        PROMISE,
        2.0,
        r"\b(?:payment|check|cheque|ach|pay|wire) (?:run|cycle|batch)\b",
        r"\b(?:approved for payment|has been approved|is approved|been released for payment)\b",
        r"\b(?:remesa|ciclo|corrida|programacion|calendario|corte|lote|relacion) de pagos?\b",
        r"\b(?:os|le|les|te) llegara\b",
        r"\bquedaria pagad[oa]\b",
        r"\bse (?:estaria|estara|estaran|estarian) (?:pagando|liquidando|transfiriendo|"
        r"cancelando|abonando)\b",
        r"\ben la (?:remesa|corrida|programacion) (?:de pagos )?del?\b",
        r"\b(?:esta|fue|ya esta) (?:aprobad[oa]|autorizad[oa]|programad[oa])\b",
    ),
    rule(
        # Assurance words make a named day a commitment: "definitely next friday".
        "promise.assurance",
        PROMISE,
        1.0,
        r"\b(?:definitely|for sure|i promise|promise|guaranteed|without fail|no matter what|seguro|"
        r"de seguro|te lo prometo|se lo prometo|le prometo|palabra)\b",
    ),
    rule(
        "promise.soon_en",
        PROMISE,
        1.0,
        r"\b(?:as soon as|once) (?:i|we) (?:get paid|can|receive|have)\b",
        r"\bshortly\b",
        r"\bby (?:end of|eod|eom|cob|close of business)\b",
        r"\bwill do\b",
    ),
    rule(
        "promise.pronto_es",
        PROMISE,
        1.0,
        r"\b(?:a la brevedad|lo antes posible|en breve|pronto|en estos dias|esta semana) (?:le |le"
        r"s "
        r"|te )?(?:pago|pagamos|pagaremos|deposito|quedara|transfiero|se (?:paga|realiza))\b",
        r"\b(?:ya|ahorita) (?:le |les |te )?(?:deposito|pago|transfiero)\b(?! \w+ (?:el|la) "
        r"(?:semana|mes) pasad)",
    ),
)
