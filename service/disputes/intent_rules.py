"""Evidence for the intents of TAXONOMY.md, in English and Spanish (Mexico, Spain, Colombia).

Weights: 2.0 is a phrase that settles the intent on its own ("filed for chapter 11",
"numero equivocado"); 1.0 a strong hint; 0.5 a hint that only counts alongside
others. Dispute reasons live in `reason_rules`.
"""

from __future__ import annotations

from service.disputes.rules import Rule, rule

LEGAL = "legal"
PAYMENT_PLAN = "payment_plan"
PROMISE = "promise_to_pay"
DOCUMENT_REQUEST = "document_request"
WRONG_CONTACT = "wrong_contact"
AUTO_REPLY = "auto_reply"
OTHER = "other"
DISPUTE = "dispute"

# Verbs of paying, in the forms customers use for a commitment.
_PAY_EN = (
    r"(?:pay|paying|send|sending|resend|resending|mail|mailing|wire|wiring|transfer|remit|"
    r"remitting|settle|"
    r"cover|drop off|make|process|submit|release|get|zelle|venmo|deposit)"
)
_PAY_ES = (
    r"(?:pago|pagamos|pagare|pagaremos|deposito|depositamos|depositare|transfiero|transferimos|"
    r"cancelo|cancelamos|cancelare|cancelaremos|"
    r"consigno|consignamos|abono|abonamos|liquido|liquidamos|cubro|cubrimos|hago (?:el|un|la) "
    r"(?:pago|deposito|transferencia|consignacion|abono)|hago bizum|(?:mando|envio|paso) "
    r"(?:el|un|la) (?:pago|deposito|cheque|payment|check|transferencia|dinero|efectivo)|"
    r"realizo el pago|hacemos (?:el|la) "
    r"(?:pago|transferencia))"
)
_WHEN = (
    r"(?:today|tonight|tomorrow|tmrw|tmr|tmw|tomorow|tommorow|tommorrow|2moro|2morrow|2mrw|rn|"
    r"right now|now|this (?:afternoon|evening|"
    r"week|month|morning)|first thing|"
    r"on (?:the )?\d|by (?:the )?\d|(?:this |next |on |by )?(?:monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|mon|tue|tues|thu|thurs|fri)\b|end of (?:the )?(?:month|week|day)"
    r"|eod|eom|asap|next week|in \d+ days|the \d+(?:st|nd|rd|th)?\b)"
)
_CUANDO = (
    r"(?:hoy|manana|mnn|ahorita|ahora|esta (?:tarde|noche|semana)|en la semana|a mas tardar|"
    r"el (?:lunes|martes|miercoles|jueves|"
    r"viernes|sabado|domingo|proximo|dia|\d+|monday|tuesday|wednesday|thursday|friday|saturday)|"
    r"(?:a |al |para )?fin(?:al)?(?:es)? de(?:l)? mes|la "
    r"(?:proxima|otra|siguiente) semana|en (?:cuanto|cuando)|el dia|sin falta|el 1ro|pasado manana"
    r"|en \d+ dias|(?:este|el proximo) (?:lunes|martes|miercoles|jueves|viernes)|(?:en |la |esta |"
    r"para la |el dia de )?quincena)"
)

LEGAL_RULES: tuple[Rule, ...] = (
    rule(
        "legal.bankruptcy_en",
        LEGAL,
        2.0,
        r"\bbankrupt\w*",
        r"\bchapter (?:7|11|13|seven|eleven|thirteen)\b",
        r"\binsolven\w*",
        r"\b(?:entered|in|into) (?:administration|receivership|liquidation)\b",
        r"\b(?:administrators?|trustee|receiver|liquidator)s? (?:have been|has been|was|were) "
        r"appointed\b",
        r"\bproof of claim\b",
        r"\bautomatic stay\b",
        r"\bcreditors? meeting\b",
        r"\bwinding[- ]up\b",
    ),
    rule(
        "legal.attorney_en",
        LEGAL,
        2.0,
        r"\b(?:my|our|an|the|a|to|with) (?:attorney|lawyer|solicitor|counsel|legal (?:team|depar"
        r"tment|"
        r"counsel|representative))\b",
        r"\bretained (?:counsel|an attorney|a lawyer)\b",
        r"\bthis (?:office|firm) represents\b",
        r"\btalk to my lawyer\b",
        r"\blegal (?:action|proceedings)\b",
        r"\b(?:law firm|law office|law group)\b",
    ),
    rule(
        "legal.sue_en",
        LEGAL,
        2.0,
        r"\b(?:sue|suing|sued|lawsuit|file suit|take you to court|see you in court|small claims)\b",
        r"\b(?:report\w*|complaint|complain)\b[^.!?\n]{0,50}\b(?:cfpb|ftc|bbb|"
        r"attorney general|better business bureau|consumer protection|consumer financial)\b",
    ),
    rule(
        "legal.cease_desist_en",
        LEGAL,
        2.0,
        r"\bcease and desist\b",
        r"\bfdcpa\b",
        r"\b1692[a-z]?\b",
        r"\bu\.?s\.?c\.? ?1692",
        r"\bfair debt collection\b",
    ),
    rule(
        "legal.harassment_en",
        LEGAL,
        0.75,
        r"\bharass(?:ment|ing)\b",
    ),
    rule(
        "legal.concurso_es",
        LEGAL,
        2.0,
        r"\bconcurso (?:de acreedores|mercantil)\b",
        r"\b(?:quiebra|bancarrota|insolvencia)\b",
        r"\bliquidacion (?:judicial|obligatoria|forzosa)\b",
        r"\ben (?:proceso de )?liquidacion\b",
        r"\breorganizacion empresarial\b",
        r"\bley 1116\b",
        r"\badministracion(?:es)? concursal",
        r"\badministrador(?:a|es)? concursal",
        r"\bconcurso (?:voluntario|necesario|preventivo)\b",
        r"\bpreconcurso\b",
        r"\bsuperintendencia de sociedades\b",
        r"\bacreedores\b",
        r"\bley de concursos\b",
    ),
    rule(
        "legal.abogado_es",
        LEGAL,
        2.0,
        r"\b(?:mi|nuestro|nuestra|el|un|al) (?:abogad[oa]|apoderad[oa]|despacho (?:juridico|de "
        r"abogados)|area juridica|departamento (?:juridico|legal))\b",
        r"\babogad[oa]s?\b",
        r"\b(?:acciones|accion|via|instancias|medidas) legal(?:es)?\b",
        r"\basesor(?:ia)? (?:juridic|legal)\w*",
    ),
    rule(
        "legal.demanda_es",
        LEGAL,
        2.0,
        r"\b(?:demandar|demandare|demandaremos|demanda|demandarlos|demandarles|denunciar|denuncia|"
        r"juzgado|tribunal)\w*\b",
        r"\bjuicio (?:mercantil|ejecutivo|civil|oral)\b",
        r"\b(?:profeco|condusef)\b",
    ),
    rule("legal.acoso_es", LEGAL, 0.75, r"\b(?:acoso|hostigamiento|acosando|hostigando)\b"),
)

PLAN_RULES: tuple[Rule, ...] = (
    rule(
        "plan.instalments_en",
        PAYMENT_PLAN,
        2.0,
        r"\bpayment (?:plan|arrangement|schedule)\b",
        r"\binstal?l?ments?\b",
        r"\bsplit (?:it|this|that|the (?:\w+ )?(?:balance|payment|bill|invoice|amount)|them|"
        r"payments?)?\b",
        r"\b(?:in|into) (?:\d+|two|three|four|five|six|a few|several) "
        r"(?:payments|parts|chunks|installments|instalments)\b",
        r"\b(?:half|part|some) (?:now|today|this week)\b",
        r"\bpartial payments?\b",
        r"\b(?:a|per|each|every) (?:week|month|two weeks|paycheck|payday)\b.{0,30}"
        r"(?:until|till|til)\b",
        r"\b(?:weekly|monthly|biweekly) payments\b",
        r"\bpay (?:it |this |the balance )?(?:off )?(?:in|over) (?:\w+ ){0,3}(?:months|weeks|"
        r"payments)\b",
        r"\bpay (?:you |it )?(?:half|part|some)\b",
        r"\bthe rest (?:on|by|next|in)\b",
        r"\$?\d[\d,.]*k? (?:a|per|each|every) (?:week|month|paycheck|payday|two weeks|friday|mon"
        r"day|"
        r"other week|quincena|semana|mes)\b",
        r"\b(?:do|pay|send|give|afford) (?:you )?\$?\d[\d,.]*k? (?:every|each|a|per) \w+",
        r"\b(?:pay|paying) (?:it )?(?:in|by) (?:parts|chunks|installments|pieces)\b",
        r"\bpay (?:some|part|a portion) (?:\w+ ){0,2}(?:and|then) (?:some|the rest)\b",
    ),
    rule(
        "plan.more_time_en",
        PAYMENT_PLAN,
        2.0,
        r"\b(?:more|extra|additional|another) (?:\d+ |few |couple of )?(?:time|days|weeks|"
        r"months)\b",
        r"\bextension\b",
        r"\bextend (?:the|my|our)? ?(?:due date|deadline|terms)\b",
        r"\b(?:push|move) (?:back )?(?:the|my) (?:due )?date\b",
        r"\b(?:defer|postpone|delay) (?:the |my |our )?payment\b",
        r"\bnet ?(?:45|60|75|90|120)\b",
        r"\bgive (?:me|us) (?:until|till|a few|a couple|some)\b",
        r"\bgrace period\b",
        r"\b(?:can|could|may) (?:i|we) (?:have|get) (?:until|till|til|another|a few|some more|more|"
        r"a couple)\b",
        r"\b(?:offer|do|have) (?:any )?financing\b",
        r"\bhold off (?:for |on (?:\w+ ){0,2})?(?:a few|a couple|two|three|\d+|another|one|a) "
        r"(?:more )?(?:days?|weeks?|months?)\b",
        r"\b(?:a few|a couple of?|two|three|\d+) more (?:days|weeks|months)\b",
        r"\b(?:can|could) (?:you|we) (?:wait|hold)\b",
        r"\bspread(?:ing)? (?:it|this|the \w+|payments?)? ?(?:over|across)\b",
    ),
    rule(
        "plan.hardship_en",
        PAYMENT_PLAN,
        1.5,
        r"\b(?:dont|do not|didnt) have (?:the )?(?:cash|money|funds)\b",
        r"\b(?:cant|cannot|can not|unable to|not able to) (?:afford|pay (?:it |this |the )?"
        r"(?:all|in full|the full|everything|right now|at (?:the|this) moment))",
        r"\b(?:lost my job|laid off|unemployed|out of work|between jobs|hardship|"
        r"cash ?flow|tight on (?:cash|money)|short on (?:cash|money|funds)|medical (?:bills|emerge"
        r"ncy|"
        r"issues|reasons|expenses|condition)|in (?:the )?hospital|hospitali[sz]ed|"
        r"surgery|cancer|passed away|funeral|emergency|divorce|disability|evicted|chemo)\b",
    ),
    rule(
        "plan.plan_es",
        PAYMENT_PLAN,
        2.0,
        r"\b(?:plan|acuerdo|convenio|calendario) de pagos?\b",
        r"\bparcialidades\b",
        r"\b(?:en|a) (?:\d+|dos|tres|cuatro|cinco|seis|varios|varias) (?:pagos|partes|cuotas|"
        r"mensualidades|plazos|abonos|quincenas|meses)\b",
        r"\bpagos? (?:parciales|diferidos)\b",
        r"\bpoco a poco\b",
        r"(?<!de )\bcada (?:semana|quincena|mes|viernes|lunes|sabado|15 dias)\b",
        r"\b(?:la|una) mitad\b",
        r"\bde golpe\b",
        r"\bfraccion\w*\b",
        r"\b(?:en|a|por|con) abonos\b",
        r"\b(?:pagar|pagarle|pagarles|liquidar) (?:en|por) (?:partes|cuotas|plazos|abonos)\b",
        r"\b(?:un|hago un|hacer un|dar un|doy un) abono (?:de|ahora|hoy)\b",
        r"\bir (?:pagando|abonando)",
        r"\b(?:abonos|cuotas) (?:semanales|quincenales|mensuales)\b",
        r"\bmensualidades\b",
        r"\b(?:el|lo) (?:resto|demas|restante)\b",
    ),
    rule(
        "plan.mas_tiempo_es",
        PAYMENT_PLAN,
        2.0,
        r"\bprorroga\b",
        r"\b(?:mas|un poco de|un poco mas de) (?:tiempo|plazo|dias|margen)\b",
        r"\baplaza\w*",
        r"\bcuentas (?:bloqueadas|embargadas|congeladas)\b",
        r"\b(?:dar|de|den|darme|darnos|deme|denme) (?:chance|oportunidad|plazo|tiempo|unos dias)\b",
        r"\b(?:me|nos) (?:puede|pueden|podria|podrian|podeis) esperar\b",
        r"\bplazo (?:hasta|de|para)\b",
        r"\bampliar? (?:el )?plazo\b",
        r"\besperar unas?\b",
        r"\b(?:\d+|unos|unas|dos|tres|quince) (?:dias|semanas|meses) (?:mas|de gracia)\b",
        r"\bposponer\b",
        r"\bdiferir\b",
    ),
    rule(
        "plan.dificultad_es",
        PAYMENT_PLAN,
        1.5,
        r"\bno (?:puedo|podemos|alcanzo|me alcanza|nos alcanza|tengo para) (?:pagar(?:le|les)? )?"
        r"(?:todo|completo|el total|la totalidad|ahorita|en este momento|ahora)",
        r"\b(?:sin trabajo|desemplead\w*|me quede sin|nos quedamos sin|enferm\w*|en el hospital|"
        r"hospitalizad[oa]|"
        r"accidente|operacion|cirugia|fallecio|fallecimiento|incapacidad|situacion (?:dificil|"
        r"complicada|economica)|problemas? (?:economicos?|financieros?|de salud|de liquidez)|"
        r"falta de liquidez|iliquidez|crisis|no tengo dinero|ahorita no tengo|me despidieron)\b",
        r"\bse me juntaron\b",
    ),
)

PROMISE_RULES: tuple[Rule, ...] = (
    rule(
        "promise.will_pay_en",
        PROMISE,
        2.0,
        # "is there a late fee if I pay next week?" asks; it does not commit.
        rf"(?<!if )(?<!when )(?<!before )(?<!unless )"
        rf"\b(?:i|we|ill|well|i will|we will|i am|we are|im|were|going to|gonna|will|i can|we can|"
        rf"i should|we should|i plan to|we plan to|hope to|expect to|intend to)\b"
        rf"(?: \w+){{0,2}} {_PAY_EN}\b[^!?\n]{{0,60}}\b{_WHEN}",
        r"(?<!not )(?<!never )\b(?:ill|well|i will|we will|will|going to|gonna|plan to) (?:\w+ )?"
        r"(?:pay|send|mail|wire|remit|settle|process|make|release|issue|get|have) (?:the |a |this |"
        r"it |you |that |our )?(?:full |remaining |outstanding |total |entire )?(?:payment|check|"
        r"cheque|balance|invoice|amount|funds|wire|ach|transfer|it|this|paid|you|in full|off)\b",
        rf"\b(?:making|sending|resending|re-sending|mailing|wiring|paying|submitting|processing|"
        rf"dropping off|releasing|"
        rf"transferring)\b[^!?\n]{{0,40}}\b{_WHEN}",
        r"\b(?:payment|check|cheque|wire|ach|transfer|funds)\b[^!?\n]{0,50}\b(?:will|should|is "
        r"going to|is set to|is scheduled to) (?:go|be|arrive|hit|reach|clear|post|land)\b",
        rf"\bpaying (?:it |this |you |the balance )?{_WHEN}",
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
    ),
    rule(
        "promise.pago_es",
        PROMISE,
        2.0,
        rf"\b{_CUANDO}\b(?: \w+){{0,4}} (?:le |les |te |se lo |se la |os )?{_PAY_ES}\b",
        # "el pago se realizo el 5" reports a payment; the noun is not the verb "pago".
        rf"(?<!se )(?<!ya )(?<!no )(?<!el )(?<!mi )(?<!su )(?<!un )(?<!del )(?<!nuestro )"
        rf"\b(?:le |les |te |os |se lo |se la )?{_PAY_ES}\b(?: \w+){{0,4}} "
        rf"{_CUANDO}",
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

DOCUMENT_RULES: tuple[Rule, ...] = (
    rule(
        "document.copy_en",
        DOCUMENT_REQUEST,
        2.0,
        r"\b(?:send|email|e-mail|resend|re-send|forward|provide|share|upload|attach|mail|give|get|"
        r"need|want|request|requesting|see|fax|text|confirm|verify|find|download|access|obtain)\b"
        r"(?: \w+){0,4} "
        # "send all invoices to our AP team" redirects; it does not ask for a copy.
        r"(?<!all )(?<!future )(?:(?:a|an) )?(?:copy|copies|duplicate|bank account|"
        r"invoice|invoices|statement|pdf|w-?9|w ?8|1099|proof of delivery|pod|bill of lading|bol|"
        r"receipt|itemized|itemised|backup|back-up|documentation|timesheet|time sheet|service "
        r"report|signed|delivery (?:receipt|note|ticket)|packing slip|bank (?:details|info\w*|"
        r"letter)|banking (?:details|info\w*)|remittance (?:details|info\w*|address)|wire "
        r"(?:instructions|details|info\w*)|ach (?:details|info\w*|form)|account number|routing "
        r"(?:number|no)|tax (?:form|id|certificate)|certificate of insurance|coi|contract)\b"
        r"(?! to (?:our|the|this|my) (?:new |updated |correct |central )?(?:ap|inbox|address|"
        r"team|accounts|department|portal)| to \S+@)",
        r"\b(?:whats|what is|where is|send me|do you have|is there) (?:the|your|a|an) (?:account|"
        r"routing|bank|remit\w*|remit-to|mailing|payment|lockbox) (?:number|details|address|"
        r"info\w*)\b",
        r"\bremit[- ]?to (?:address|details|info\w*)\b",
        r"\b(?:zelle|venmo|paypal|cash ?app) (?:info\w*|details|account|email|number|handle)\b",
        r"\b(?:can you |could you |pls |please )(?:re-?send|resend|forward) (?:it|that|this)\b",
        r"\bwhere (?:do|should|can) (?:i|we) (?:send|mail) (?:the |a )?(?:check|payment)\b",
        r"\b(?:copy|copies) of (?:the |my |our |your )?(?:invoice|statement|receipt|bill|contract)",
        r"\b(?:never|didnt|did not|havent|have not|dont|do not) (?:\w+ )?(?:received|get|got|have)"
        r" (?:the|an|any|your|this|that) (?:invoice|bill|statement)\b",
    ),
    rule(
        "document.copia_es",
        DOCUMENT_REQUEST,
        2.0,
        # "las facturas deben enviarse a pagos@..." redirects; the reflexive form never asks.
        r"\b(?:mand(?!\w*se\b)\w*|envi(?!\w*se\b)\w*|reenvi\w*|compart\w*|adjunt\w*|facilit\w*|"
        r"proporcion\w*|"
        r"solicito|solicitamos|necesito|necesitamos|requiero|requerimos|pasa\w*|remit\w*|hacer "
        r"llegar|hagan llegar|haga llegar)(?: \w+){0,5} (?:(?:la|el|las|los|una|un|su) )?(?:"
        r"factura|facturas|estado de cuenta|estados de cuenta|xml|pdf|copia|comprobante fiscal|"
        r"cfdi|albaran|remision|constancia|rut|certificad\w*|certificacion\w*|datos bancarios|"
        r"complemento de pago|complementos de pago|"
        r"numero de cuenta|cuenta bancaria|clabe|orden de compra|opinion de cumplimiento|camara "
        r"de comercio|soporte|soportes|acta|documentacion|documentos|detalle|desglose|nota de "
        r"entrega|guia|recibo|cotizacion|duplicado|invoice|statement)\b",
        r"\bduplicado de (?:la|las|su) factura",
        r"\b(?:tus|sus|los|sus) datos (?:para|de) (?:la |el )?(?:transferencia|deposito|pago|"
        r"consignacion)\b",
        r"\bun duplicado\b",
        r"\b(?:cual|cuales|cual es) (?:es )?(?:el|la|los|su)? ?(?:numero de cuenta|cuenta|clabe|"
        r"datos|banco)\b",
        r"\bdonde (?:deposito|pago|transfiero|consigno|le deposito)\b",
        r"\bno (?:me |nos )?(?:ha |han |a )?(?:llegado|llego|llegaron) (?:la|el|las|los) "
        r"(?:factura|facturas|xml|pdf|correo|estado)\b",
        r"\bcopia de (?:la|las|el|su) (?:factura|facturas|estado|recibo|contrato)",
    ),
)

WRONG_CONTACT_RULES: tuple[Rule, ...] = (
    rule(
        "wrong_contact.wrong_en",
        WRONG_CONTACT,
        2.0,
        r"\bwrong (?:number|#|no|num|person|company|business|customer|guy|lady|email|contact|"
        r"individual|department)",
        r"\b(?:you have|youve got|you got|got) the wrong\b",
        r"\b(?:dont|do not|never) (?:have|had) (?:an|any) (?:account|business|dealings|contract) "
        r"with (?:you|your|this)\b",
        r"\b(?:doesnt|does not|no longer|dont|do not) (?:have|use|own) (?:this|that|the) "
        r"(?:phone|number|cell|email|line)\b",
        r"\b(?:new|previous|former|old) owners?\b",
        r"\b(?:sold|closed) (?:the|our|his|her|their) (?:business|company|practice|shop|store)\b",
        r"\b(?:we are|were|we re) (?:a )?(?:different|another|separate) (?:company|business|"
        r"entity)\b",
        r"\b(?:isnt|is not|no longer|aint|not my) (?:\w+ )?(?:phone|number|cell|email|line)\b",
        r"\b(?:dont|do not) know (?:any ?one|who|anybody|what company)\b",
        r"\bnever (?:heard of|done business|ordered anything|did business)\b",
        r"\bno (?:one|body) (?:here )?(?:by|named|with that name)\b",
        r"\bnot (?:a |the )?customer\b",
        r"\bi got this number\b",
        r"\bnew (?:owner of|number)\b",
        r"\bmoved out\b",
    ),
    rule(
        "wrong_contact.left_en",
        WRONG_CONTACT,
        2.0,
        r"\bno longer (?:work|working|employed|with|at|handling|handle|handles|responsible|in "
        r"charge)\b",
        r"\b(?:i|im|she|he|they)(?: am| is| are|s|re)? not (?:working|employed) "
        r"(?:at|for|with)\b",
        r"\b(?:i|he|she|they) (?:have |has |had )?(?:left|quit|retired "
        r"from) (?:the company|the firm|\w+(?: \w+){0,3} (?:in|last|on|back|a while|years|"
        r"months))\b",
        r"\bretired\b",
        r"\bnot (?:the|a) (?:right|correct|appropriate|"
        r"proper) (?:person|contact|email|address|department)\b",
        r"\b(?:please |kindly )?(?:contact|email|direct|send|forward|reach out to|write to|address)"
        r"(?! me\b| us\b)(?:\s+\S+){0,8}\s+(?:instead|going forward|from now on|moving forward|"
        r"directly)\b",
        r"\b(?:should|must|need to|needs to) (?:be )?(?:sent|addressed|directed|emailed) (?:\w+ "
        r")?to "
        r"\S+@",
        r"\bhandles? (?:\w+ )?(?:payments|payables|ap|accounts payable|billing|invoices) now\b",
        r"\b(?:forwarding|forwarded|fwd) (?:this |it )?to\b",
        r"\bupdate your (?:records|contact)",
        r"\b(?:contact|email|e-mail|write to|reach out to|reach|cc|copy|use) \S+@\S+",
        r"\b(?:my|our|an|the) (?:old|former|previous|outdated) (?:work )?(?:email|e-mail|"
        r"address|number|contact|phone)\b",
        r"\b(?:im|i am|we are|were) not (?:in|with|part of|on) (?:the )?(?:ap|accounts payable|"
        r"billing|accounting|finance|payables)\b",
        r"\bupdate (?:the|your|our) (?:billing |ap |payables |invoice |primary )?(?:contact|email|"
        r"recipient)",
        r"\b(?:handles?|manages?|takes? care of|is in charge of|looks? after) (?:these|this|them"
        r"|it|"
        r"our (?:\w+ )?(?:bills|invoices|payments|payables)) now\b",
        r"\b(?:not|no longer) (?:authori[sz]ed|responsible|the one|in charge) (?:to|for) "
        r"(?:approve|make|handle|pay|process)\b",
        r"\bcopying (?:him|her|them|\w+) (?:here|in|on)\b",
        r"\bretiring\b",
        r"\bno longer (?:monitored|in use|active|valid)\b",
    ),
    rule(
        "wrong_contact.equivocado_es",
        WRONG_CONTACT,
        2.0,
        r"\b(?:numero|telefono|correo|persona|empresa) equivocad[oa]\b",
        r"\b(?:se|os|te|les?) (?:han |ha )?equivoc\w*",
        r"\bequivocad[oa]s? de\b",
        r"\bno soy (?:yo|el|la|quien|ningun|ninguna)\b",
        r"\bno conozco\b",
        r"\b(?:aqui no|no) vive\b",
        r"\bno (?:es|era) (?:de|mi|el|la) (?:\w+ )?(?:numero|telefono|"
        r"correo|empresa|negocio)\b",
        r"\bya no es (?:el|mi|su) (?:telefono|numero|correo)\b",
        r"\bnunca (?:hemos|he) (?:comprado|tenido|trabajado)\b",
        r"\b(?:somos|es) (?:otra|una) (?:empresa|compania|persona|sociedad) (?:distinta|diferente|"
        r"con (?:nombre|razon social) (?:parecid|similar))",
        r"\bsomos otra (?:empresa|compania|sociedad)\b",
        r"\b(?:anterior|antiguo|nuevo|antigua|nueva) (?:dueno|duena|propietari[oa]|titular)\b",
        r"\b(?:este|ese) (?:numero|telefono|celular|correo) (?:ahora )?es mio\b",
    ),
    rule(
        "wrong_contact.ya_no_es",
        WRONG_CONTACT,
        2.0,
        r"\bya no (?:trabajo|laboro|trabaja|labora|estoy|esta|soy|es|vive|pertenezco|pertenece|"
        r"llevo|veo)\b",
        r"\b(?:dirig\w*|contact\w*|escrib\w*|comuni\w*|envi\w*|mand\w*)(?: \w+){0,5} "
        r"(?:directamente|en adelante|a partir de ahora|en lo sucesivo)\b",
        r"(?<!no )(?<!me )(?<!nos )"
        r"\b(?:escribid|escriban|dirijanse|diriganse|contacten|comuniquense) (?:a|con|al)\b",
        r"\b(?:le|les|te) (?:reenvio|reenviamos|paso|turno)\b",
        r"\bno (?:es|soy) (?:el|la) (?:indicad[oa]|encargad[oa]|correct[oa]|responsable)\b",
        r"\bcorreo no es el (?:indicado|correcto)\b",
        r"\bahora (?:lo |la |los )?(?:lleva|maneja|ve|atiende)\b",
        r"\b(?:deben|debe|deberan|tienen que) (?:enviarse|dirigirse|mandarse|remitirse|enviarlas|"
        r"enviarla|enviar(?:se)? (?:las|la)?) ?(?:\w+ )?(?:a|al) \S+@",
        r"\b(?:buzon|correo|cuenta) (?:ya )?no (?:se revisa|es revisad[oa]|esta activ[oa]|se "
        r"monitorea|es monitoread[oa])\b",
        r"\b(?:mi|nuestro|nuestra) (?:companer[oa]|colega|contador[a]?|jefe|jefa|socio|socia) "
        r"(?:\w+ )?(?:ve|lleva|maneja|atiende|se encarga)\b",
    ),
)

AUTO_REPLY_RULES: tuple[Rule, ...] = (
    rule(
        "auto_reply.automated_en",
        AUTO_REPLY,
        3.0,
        r"\b(?:this is an? |an? )?(?:automated|automatic|auto-generated|autogenerated) (?:message|"
        r"response|reply|email|notification|acknowledg\w*)\b",
        r"\bauto[- ]?reply\b",
        r"\bplease do not reply\b",
        r"\bdo not reply to this\b",
        r"\bno[- ]reply\b",
        r"\bticket (?:#|number|no)",
        r"\byour (?:message|email|request) has been received\b",
        r"\bwe (?:have )?received your (?:message|email|request)\b",
        r"\b(?:successfully )?(?:submitted|received|uploaded|routed) (?:to|via|through|in|on) (?"
        r":the "
        r")?(?:coupa|ariba|tungsten|basware|taulia|supplier portal|vendor portal|proveedores)\b",
        r"\b(?:system|computer|automatically)[- ]generated\b",
        r"\bthis (?:mailbox|inbox) is (?:not|no longer) (?:monitored|attended)\b",
    ),
    rule(
        "auto_reply.out_of_office_en",
        AUTO_REPLY,
        2.0,
        r"\b(?:i am|im|i will be|ill be|currently|i am currently|im currently) (?:\w+ )?out of "
        r"(?:the )?office\b",
        r"\b(?:i am|im|i will be|ill be) (?:currently )?away (?:from (?:my desk|the office)|until|"
        r"on|through|till)\b",
        r"\b(?:back|returning) (?:in|to) the office (?:on|from)\b",
        r"\bout of (?:the )?office (?:until|from|through|till|on)\b",
        r"\b(?:on|currently on) (?:vacation|holiday|annual leave|leave|maternity leave|paternity "
        r"leave|pto|sick leave|medical leave)\b",
        r"\b(?:limited|no) access to (?:my )?e-?mail\b",
        r"\bwill (?:return|be back) (?:on|to the office)\b",
        r"\bwill not be forwarded\b",
        r"\b(?:our )?(?:office is|we are|were) (?:currently )?closed\b",
        r"\bour hours are\b",
        r"\bi(?:m| am) driving\b",
        r"\bwill (?:reply|respond|get back to you) (?:on|when|upon|as)\b",
        r"\bwithin \d+(?:-\d+)? business days\b",
        r"\bnext working day\b",
    ),
    rule(
        "auto_reply.automatico_es",
        AUTO_REPLY,
        3.0,
        r"\b(?:mensaje|respuesta|correo|contestacion) (?:generad[oa] )?automatic[oa]\b",
        r"\bgenerad[oa] automaticamente\b",
        r"\bno responda\b",
        r"\bacuse de recibo\b",
        r"\bhemos recibido su (?:correo|mensaje|solicitud)\b",
        r"\bsu (?:correo|mensaje|solicitud) (?:ha sido|fue) recibid[oa]\b",
        r"\bsera atendid[oa]\b",
        r"\bnotificacion automatica\b",
        r"\b(?:su|tu) (?:solicitud|mensaje|correo|caso|factura|peticion) (?:ha sido|fue|quedo) "
        r"(?:registrad|recibid|radicad)[oa]\b",
        r"\b(?:numero de (?:caso|ticket|radicado)|caso (?:#|no|numero))\b",
        r"\b(?:buzon|correo) (?:no (?:es )?monitoreado|no atendido|desatendido)\b",
        r"\ben breve (?:te|le|les) (?:atendemos|atenderemos|contactamos)\b",
    ),
    rule(
        "auto_reply.fuera_oficina_es",
        AUTO_REPLY,
        2.0,
        r"\bfuera de (?:la )?oficina\b",
        r"\b(?:estoy|me encuentro|estare) de (?:vacaciones|"
        r"permiso|licencia|baja)\b",
        r"\b(?:me encuentro|estoy) en (?:incapacidad|licencia|"
        r"vacaciones)\b",
        r"\b(?:estare|estamos) fuera\b",
        r"\bacceso limitado al correo\b",
        r"\ba mi regreso\b",
        r"\bno sera reenviado\b",
        r"\bnuestro horario (?:es|de atencion)\b",
        r"\ben este momento no (?:puedo|podemos) atender\b",
        r"\bte contesto en cuanto pueda\b",
        r"\b(?:estare|estoy|me encuentro) ausente\b",
        r"\bme reincorporo (?:el|a partir)\b",
    ),
)

# Subject lines written by mail servers, not people.
AUTO_REPLY_SUBJECT = rule(
    "auto_reply.subject",
    AUTO_REPLY,
    3.0,
    r"^(?:automatic reply|auto(?:matic)?[- ]?(?:reply|response)|out of (?:the )?office|ooo|"
    r"respuesta automatica|fuera de (?:la )?oficina|acuse de recibo|autoreply|"
    r"thank you for contacting|we have received|your (?:message|request|email) has been "
    r"received|hemos recibido|reponse automatique|abwesenheit)",
)

OTHER_RULES: tuple[Rule, ...] = (
    rule(
        "other.thanks",
        OTHER,
        0.5,
        r"^(?:ok|okay|k|thanks?|thank you|thx|ty|got it|noted|received|gracias|muchas gracias|"
        r"ok gracias|recibido|enterado|bueno|vale|va|sale|listo|de acuerdo|ya vi)\b",
    ),
    rule(
        "other.question",
        OTHER,
        0.5,
        r"\?",
        r"^(?:who|what|how|why|where|can i|do you|is this|que|quien|como|donde|cual|por que)\b",
    ),
)

INTENT_RULES: tuple[Rule, ...] = (
    LEGAL_RULES
    + PLAN_RULES
    + PROMISE_RULES
    + DOCUMENT_RULES
    + WRONG_CONTACT_RULES
    + AUTO_REPLY_RULES
    + OTHER_RULES
)
