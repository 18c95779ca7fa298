"""Evidence of disputes about money: already paid, and price or terms."""

from __future__ import annotations

from service.disputes.labels import ALREADY_PAID, PRICING
from service.disputes.rules import Rule, rule

# How money moved: the channels customers name when they say it already did.
_CHANNEL_EN = (
    r"(?:ach|wire|check|cheque|card|credit card|debit card|bank transfer|transfer|bacs|chaps|"
    r"faps|zelle|venmo|paypal|cash ?app|apple pay|the portal|online|phone|cash|money order)"
)
_PAST_WHEN_EN = (
    r"(?:yesterday|last (?:night|week|month|friday|monday|tuesday|wednesday|thursday|saturday|"
    r"sunday|time)|\w+ ago|already|in full|this morning|earlier today|on (?:the )?\d|"
    r"on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|\w+ \d)|"
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b)"
)
_PAGADO = r"(?:pagad|cancelad|liquidad|saldad|abonad|cubiert|transferid|depositad|consignad)[oa]s?"
_PAGUE = (
    r"(?:pague|pagamos|deposite|depositamos|transferi|transferimos|consigne|consignamos|"
    r"cancele|cancelamos|abone|abonamos|liquide|liquidamos|cubri|cubrimos|gire|giramos|page|"
    r"transfirio|deposito el|"
    r"hice (?:el|la|un|una) (?:pago|transferencia|deposito|consignacion|bizum|ingreso)|"
    r"hicimos (?:el|la|un|una) (?:pago|transferencia|deposito|consignacion|ingreso))"
)
_PRONOMBRES = r"(?:(?:se|te|le|les|os|me|nos) )?(?:(?:lo|la|los|las) )?"


MONEY_RULES: tuple[Rule, ...] = (
    rule(
        "reason.already_paid_en",
        ALREADY_PAID,
        2.0,
        r"\b(?:already|alredy|allready|alrdy|alr) (?:been )?(?:paid|sent|mailed|wired|settled|"
        r"made (?:the|this|a|our) payment|submitted|processed|remitted|took care)",
        r"\b(?:i|we|they) (?:already |just |have |had |fully |have already |had already )?(?:paid|"
        r"payed)\b",
        r"(?<!be )(?<!will )(?<!get )(?<!until )(?<!til )(?<!till )(?<!when )(?<!once )(?<!after )"
        r"\b(?:was|were|has been|have been|had been|its been|is|its) "
        r"(?:already |fully |all )?(?:settled|taken care of|paid off)\b",
        r"\b(?:money|funds|payment|amount) (?:\w+ )?(?:left|came out of|was (?:debited|taken|"
        r"withdrawn) from) (?:our|my) (?:account|bank)",
        r"\b(?:zelled|venmoed|venmod|cashapped)\b",
        r"\b(?:paid|sent|mailed|wired|made|transferred|submitted) (?:it|this|that|the payment|"
        r"payment|the check|them) already\b",
        r"\b(?:shows?|showing|marked|appears|listed|recorded) as paid\b",
        r"\b(?:we|i) (?:show|have) (?:it|this|that|the invoice|this invoice) (?:as )?paid\b",
        # "$50 a week until its paid off" is a plan, not a payment already made.
        r"(?<!until )(?<!til )(?<!till )(?<!when )(?<!once )(?<!after )"
        r"\b(?:was|were|has been|have been|had been|its been|it was|it has been|this was|is|its)"
        r" (?:already |fully |just )?paid (?:it|this|that|in full|off|the|on|via|by|through|with|"
        r"last|yesterday|online|already|today|back|for)\b",
        # "it will be paid by Friday" and "when I get paid" are promises, not payments.
        r"(?<!be )(?<!get )(?<!gets )(?<!getting )(?<!got )(?<!will )\bpaid (?:it|this|that|in "
        r"full|via|through|online|with zelle|last|yesterday|already)\b",
        r"\b(?:payment|check|cheque|wire|ach|transfer) (?:was|has been|went|cleared|got|already)"
        r" (?:\w+ )?(?:sent|made|processed|issued|mailed|cashed|out|through|deposited|cleared|"
        r"debited|submitted|completed)",
        r"\bremittance (?:advice )?(?:is )?attached\b",
        r"\bproof of payment (?:is )?attached\b",
        r"\battached (?:is )?(?:the |our )?"
        r"(?:remittance|proof of payment|payment confirmation|receipt)\b",
        r"\b(?:payment|it) (?:is )?(?:not|isnt|hasnt been) (?:showing|applied|posted|reflected|"
        r"credited)\b",
        r"\bapplied (?:\w+ ){0,4}to (?:the wrong|another|a different|someone elses)\b",
        r"\bcleared (?:our|my|the) bank\b",
        r"\b(?:confirmation|transaction) (?:number|no|#|code)\b",
        r"\bcashed (?:the|our|my) check\b",
        r"\b(?:sent|mailed|wired) (?:the |a |our )?"
        r"(?:payment|check|cheque|wire) (?:last|on|yesterday|back|\w+ ago)\b",
        r"\bwhy (?:is|does) (?:this|it) (?:still )?(?:showing|show|open|outstanding|overdue|unpaid)"
        r"\b",
        r"\bstill (?:showing|shows|shown) (?:as )?(?:open|outstanding|overdue|unpaid|due)\b",
    ),
    rule(
        "reason.already_paid_es",
        ALREADY_PAID,
        2.0,
        r"\bya (?:esta|estaba|quedo|queda|se encuentra|fue|fueron) (?:\w+ )?(?:pagad[oa]s?|"
        r"liquidad[oa]s?|cubiert[oa]s?|cancelad[oa]s?|saldad[oa]s?|abonad[oa]s?)\b",
        r"\bya (?:se )?(?:lo |la |les |le |los |las |te |os )?(?:pague|pagamos|deposite|cancele|"
        r"cancelamos|"
        r"depositamos|transferi|transferimos|consigne|consignamos|liquide|liquidamos|cubri|"
        r"abone|abonamos|hice el pago|hicimos el pago|realice|realizamos|efectuamos|envie|"
        r"enviamos|mande|mandamos|hice la transferencia|hicimos la transferencia|hice el deposito"
        r"|hicimos el deposito|se pago|se les pago|se realizo|se hizo|hizo el pago|hizo la "
        r"transferencia|hizo el deposito|realizo el pago)\b",
        r"(?<!quedaria )(?<!quedara )(?<!seria )(?<!sera )(?<!estara )(?<!estaria )"
        r"\b(?:pagad[oa]|liquidad[oa]|cancelad[oa]) (?:desde|el|hace|en)\b",
        r"\b(?:adjunto|anexo|adjuntamos|anexamos|aqui esta|"
        r"ahi va|foto)(?: \w+){0,3} (?:comprobante|soporte|justificante|ficha|ticket|voucher|"
        r"recibo|captura)\b",
        r"\bpago (?:no )?(?:aplicado|reflejado|registrado)\b",
        r"\bno (?:aparece|se refleja|se ve|ven|han aplicado|aplicaron|registraron) (?:\w+ )?"
        r"(?:el |mi |nuestro )?(?:pago|deposito|transferencia)\b",
        r"\b(?:aplicaron|aplicado) (?:el pago )?a (?:otra|la otra) factura\b",
        r"\b(?:hice|hicimos|realice|realizamos|efectue) (?:el|un|la) (?:pago|deposito|"
        r"transferencia)\b",
        r"\b(?:se|les|le) (?:pago|transfirio|deposito) el (?:dia )?\d",
        r"\b(?:pago|transferencia|deposito|consignacion|abono) se (?:realizo|hizo|efectuo|envio|"
        r"aplico|registro)\b",
    ),
    rule(
        "reason.already_paid_misapplied",
        ALREADY_PAID,
        2.0,
        r"^(?:already )?paid\b",
        r"\breallocat\w*",
        r"\bmis-?applied\b",
        r"\bapplied (?:the |our |it |this |that |the whole amount |the full amount |the payment )?"
        r"(?:\w+ )?to (?:the wrong|another|invoice|#?\d)",
        r"\bcancell?ed check\b",
        r"\b(?:we|i) (?:sent|mailed|wired) (?:one |a |the |our |you )?(?:payment|check|cheque|wire"
        r")\b",
        r"\b(?:check|cheque|payment|wire|ach|transfer)(?: #?\w+)? (?:cleared|was cashed|"
        r"was deposited|went through)\b",
        r"^(?:ya )?(?:esta )?pagad[oa]\b",
        r"\bse pago (?:el|mediante|con|por|via|desde|hace|en|la|ya)\b",
        r"\bya esta cargad[oa]\b",
        # Direct debit: the customer's bank pays without them doing anything.
        r"\b(?:esta|lo tengo|lo tenemos|tengo|tenemos|es por|se cobra por|via|by|through|on) "
        r"(?:ya )?(?:domiciliad[oa]|domiciliacion|debito automatico|cargo automatico|autopay|"
        r"auto-pay|direct debit)\b",
        r"\b(?:transferencia|pago|deposito|consignacion|spei) realizad[oa] el\b",
        r"\b(?:les|le|te|os) comparto (?:el |la )?(?:comprobante|soporte|justificante|captura)\b",
        r"\b(?:sigue|siguen) (?:apareciendo|saliendo|figurando) (?:como )?(?:pendiente|vencid|"
        r"abiert|en mora)",
        r"\bpor que (?:sigue|aparece|me siguen)\b",
    ),
    rule(
        "reason.pricing_en",
        PRICING,
        2.0,
        r"\b(?:wrong|incorrect|higher|different) (?:price|pricing|rate|amount than quoted)\b",
        r"\b(?:price|pricing|rate|unit price) (?:is |was |seems )?(?:wrong|incorrect|off|higher|"
        r"too high)\b",
        r"\bover-?charg\w*",
        r"\bcharged (?:us |me )?(?:more|too much|extra)\b",
        r"\b(?:the|your|our|original|written|signed) (?:estimate|quote|proposal|bid)\b",
        r"\b(?:quoted|quotation)\b",
        r"\b(?:agreed|negotiated|contract|contracted|promised|special|original) (?:price|rate|"
        r"pricing|amount|terms)\b",
        r"\b(?:discount|rebate|promo\w*|coupon)\b",
        r"\b(?:supposed|meant) to be (?:\$|free|included|waived|\d)",
        r"\bwaived?\b",
        r"\b(?:told|said|promised) (?:me|us) (?:it |it would be |would be )?(?:\$|free|\d)",
        r"\b(?:price|rate) increase\b",
        r"\b(?:raised|increased|hiked|jacked up|bumped up) (?:the |your |our )?(?:price|rate|fee)",
        r"\b(?:price|rate|fee)s? (?:went up|increased|doubled|jumped)\b",
        r"\b(?:surcharge|markup|mark-up|price change)\b",
        r"\b(?:cash|list|retail|sticker|wholesale|member|contract|quoted|advertised|online|"
        r"promotional|sale|introductory|intro) (?:price|rate)\b",
        r"\bshould (?:be|have been|only be) \$?\d",
        r"\b(?:was|were|is) (?:supposed to be |meant to be )?(?:free|included|no charge)\b",
        r"\bper (?:our|the) (?:contract|agreement)\b",
        r"\b(?:billed|charged) (?:at|us) \$?\d",
        r"\bnot (?:what we|the) agreed\b",
        r"\b(?:never|didnt|did not|dont|do not) (?:agree|agreed|approve|approved|authorize|"
        r"authorized|sign off) (?:to|on)\b",
        r"\b(?:sow|statement of work|msa|master agreement)\b",
        r"\bincluded in (?:the|our|my) (?:contract|price|quote|package|plan|service|agreement)\b",
        r"\b(?:cancell?ed|terminated|ended) (?:the |our |my )?(?:subscription|contract|service|p"
        r"lan|"
        r"membership|account|agreement|lease)\b",
        r"\b(?:kept|keep|still|continued to|continue to|keep on) (?:being )?(?:billing|charging|"
        r"invoicing|billed|charged|invoiced)\b",
        r"\b(?:isnt|is not|not|wasnt) (?:yet )?due (?:yet|until)\b",
        r"\bpayable (?:net|within) \d+",
        r"\b(?:our|the|payment) terms (?:are|say|were) ",
    ),
    rule(
        "reason.pricing_es",
        PRICING,
        2.0,
        r"\bprecio\w* (?:\w+ )?(?:incorrect|equivocad|mal|distint|diferente|no es|acordad|pactad|"
        r"cotizad|de lista|convenid|anterior|mas alto)\w*",
        r"\b(?:cotizacion|cotizaron|cotizado|cotice|presupuesto|presupuestado|propuesta)\b",
        r"\bdescuento\w*\b",
        r"\b(?:cobraron|cobran|cobro|cobrado|cobrando|cobraste|cobrasteis|"
        r"facturaron|facturado) (?:\w+ )?(?:de mas|mas de lo|mas caro|el doble de|un cargo|"
        r"extra|el (?:envio|flete|delivery|servicio|transporte|domicilio)|por (?:el|la) )",
        r"\bcobro (?:indebido|excesivo|de mas)\b",
        r"\btarifa\w*\b",
        r"\b(?:no es|no respeta\w*|diferente a|distinto a|contrario a|segun|no corresponde a) lo "
        r"(?:acordado|pactado|convenido|cotizado|negociado)\b",
        r"\b(?:contrato|convenio) (?:dice|establece|estipula|indica|marca|firmado)\b",
        r"\b(?:era|iba a ser|seria|es) (?:gratis|sin costo|sin cargo|incluid[oa])\b",
        r"\b(?:cargo|costo|cobro) (?:extra|adicional|no autorizado|que no)\b",
        r"\b(?:recargo|sobreprecio|sobrecosto|incremento|aumento de precio|subieron el precio)\b",
        r"\bprecio (?:subio|aumento|se duplico|cambio)\b",
        r"\bprecio (?:viejo|nuevo|antiguo|actual|anterior)\b",
        r"\b(?:incluid[oa]s?|contemplad[oa]s?) en (?:el|la|nuestro|nuestra) (?:contrato|precio|"
        r"cotizacion|paquete|servicio|propuesta|presupuesto)\b",
        r"\bno (?:acordamos|aceptamos|autorizamos|aprobamos)\b",
        r"\b(?:cancelamos|dimos de baja|terminamos|rescindimos) (?:el |la )?(?:contrato|suscripc"
        r"ion|"
        r"servicio|plan|membresia)\b",
        r"\b(?:siguen|seguian|continuan) (?:cobrando|facturando)\b",
        r"\b(?:aun )?no (?:esta|estaba) vencid[oa]\b",
        r"\b(?:me|nos) dijeron que (?:era|eran|costaba|seria|iba)\b",
    ),
    rule(
        "reason.pricing_agreed_terms",
        PRICING,
        2.0,
        r"\bquote (?:said|says|was|is|stated)\b",
        r"\bagreed (?:a |on |to )?(?:a )?(?:fixed |flat )?(?:fee|price|rate|amount|cost)\b",
        r"\b(?:fixed|flat) (?:fee|price|rate)\b",
        r"\b(?:billed|charged|invoiced) (?:us |me )?(?:by the hour|hourly|per hour|by hour|for "
        r"(?:extra|more|additional) hours)\b",
        r"\b(?:price|pricing) (?:reduction|decrease|change|list|sheet|agreement)\b",
        r"\b(?:new|old|current|previous|contract|agreed) pric(?:ing|es?)\b",
        r"\bsupposed to (?:drop|go down|decrease|be reduced)\b",
        r"\bstill being (?:billed|charged)\b",
        r"\bshould not be (?:there|on|charged|billed)\b",
        r"\bincluded in the (?:unit )?price\b",
        r"\b(?:contract|agreement) (?:is|says|states|specifies|calls for)\b",
        r"\b(?:acordamos|pactamos|quedamos en|habiamos quedado|se acordo|se pacto|convinimos)\b",
        r"\blista de precios\b",
        r"\b(?:me|nos) (?:estan|siguen) cobrando\b",
        r"\b(?:contrato|convenio)(?: \w+)? (?:dice|establece|estipula|indica|marca)\b",
    ),
    rule(
        "reason.paid_general_en",
        ALREADY_PAID,
        2.0,
        r"\b(?:was|been|got|has been|had been|its been|it was) (?:already |all )?(?:handled|taken "
        r"care "
        r"of|dealt with|sorted|covered|squared away|paid up)\b(?! (?:by|when|once|after|on (?:the "
        r")?"
        r"(?:\d|mon|tue|wed|thu|fri)))",
        r"\b(?:were|we are|were all|we re|im|i am|all) (?:square|squared up|even|paid up)\b",
        rf"(?<!be )(?<!will )(?<!get )(?<!to )\b(?:paid|wired|transferred|remitted|settled|zelled|"
        rf"venmoed|deposited)\b[^.!?\n]{{0,40}}\b(?:{_PAST_WHEN_EN}|(?:via|through|by|with|"
        rf"using|over) (?:the )?{_CHANNEL_EN})",
        rf"(?<!be )(?<!will )\b(?:sent|mailed|made|dropped off|gave you|handed)\b (?:you |u )?"
        rf"(?:the |a |our |my |that )?(?:money|payment|check|cheque|funds|wire|transfer|ach|cash)"
        rf"\b[^.!?\n]{{0,40}}\b(?:{_PAST_WHEN_EN}|(?:via|through|by|with|over) {_CHANNEL_EN})",
        r"(?<!will )(?<!would )\b(?:has|have|had) (?:already )?been (?:fully )?(?:paid|settled|"
        r"cleared|cashed|processed|remitted|taken care of)\b",
        r"\b(?:check|cheque|payment|wire|transfer|ach|money|funds)\b[^.!?\n]{0,40}\b(?:cashed|"
        r"cleared|debited|went through|left (?:our|my) (?:account|bank)|came out of|was taken|"
        r"was sent|was made|was mailed|was reissued|was re-issued|was issued|was cut|hit (?:your|"
        r"their) account)\b",
        r"\b(?:sitting )?unapplied\b",
        r"\b(?:its|it is|it was|this is|thats) (?:on|in) (?:my|our) (?:card|bank|credit card) "
        r"statement\b",
        r"\b(?:i|we) (?:paid|payed) (?:you|u|yall|you guys|it|this|that|the bill|the balance)\b",
        r"(?<!to )(?<!can )(?<!will )(?<!get )\bpaid (?:this|that|it|in full|the balance|the bill|"
        r"the invoice)\b",
    ),
    rule(
        "reason.pagado_general_es",
        ALREADY_PAID,
        2.0,
        rf"\bya (?!mero\b|casi\b|mismo\b)(?:\w+ )?{_PRONOMBRES}{_PAGUE}\b",
        rf"\b(?:la|lo|las|los) (?:tengo|tenemos) (?:ya )?{_PAGADO}\b",
        rf"(?<!quedaria )(?<!quedara )(?<!sera )(?<!estara )(?<!seran )(?<!estaran )"
        rf"\b(?:esta|estan|quedo|quedaron|fue|fueron|se encuentra|se encuentran) (?:ya )?"
        rf"(?:totalmente |completamente )?{_PAGADO}\b",
        rf"\b{_PAGUE}\b[^.!?\n]{{0,40}}\b(?:ayer|hace (?:\w+ )?(?:dias|semanas|meses|rato|un mes|un"
        rf"a "
        rf"semana)|pasad[oa]|antier|anteayer)\b",
        r"\b(?:por|con|via|mediante|desde) (?:mercado pago|pse|spei|bizum|zelle|nequi|daviplata|"
        r"transferencia|deposito|tarjeta|efectivo)\b[^.!?\n]{0,40}\b(?:ya|el (?:dia )?\d|pasad[oa]|"
        r"ayer|hace)\b",
        r"\b(?:revisen|revisad|revise|chequen|cheque|checa|fijate|fijense|mirad|miren|verifiquen)\b"
        r"[^.!?\n]{0,30}\b(?:cuenta|cuentas|sistema|registros|banco|pagos|conciliacion)\b",
        r"\b(?:tengo|tenemos) el (?:recibo|comprobante|ticket|voucher|soporte)\b",
        r"\b(?:lo|la) (?:tienen|teneis|tiene|tienes) (?:ya )?(?:cobrad|pagad|recibid)[oa]\b",
        r"\b(?:ya )?fue (?:cobrad|pagad|depositad|liquidad|cancelad)[oa]\b|\bse liquido con\b|"
        r"\b(?:cobraron|cobro|cobrasteis) (?:el|nuestro|mi) cheque\b",
        r"\bimput\w* (?:el|del) pago\b|\bimputen\b",
    ),
    rule(
        "reason.already_paid_check_records",
        ALREADY_PAID,
        1.0,
        r"\b(?:check|look at|look again|review|recheck) (?:your|ur|the) (?:records|account|system|"
        r"books|bank|ledger|statement)\b",
        r"\bplease (?:research|reconcile|look into it)\b",
    ),
    rule(
        "reason.pricing_general",
        PRICING,
        2.0,
        r"\bcharged (?:us |me )?(?:the |a |an )?(?:\w+ ){0,2}(?:rate|price|pricing|fee|tariff)\b",
        r"\b(?:twice|double|triple) the (?:price|rate|amount|cost|quote)\b",
        r"\b(?:premium|pro|plus|gold|platinum|basic|standard|business|enterprise|family|unlimited) "
        r"(?:plan|tier|package|rate|membership|subscription)\b",
        r"\b(?:supposed|meant) to (?:be|have been) (?:a |an )?(?:free|included|waived|no charge|"
        r"complimentary)\b",
        r"\b(?:never|not|wasnt|was not|werent|were not|didnt|did not) (?:\w+ )?(?:agreed|approved|"
        r"authori[sz]ed|quoted|discussed|mentioned|signed up)\b",
        r"\b(?:without|w/o|with no|no) (?:any )?(?:notice|warning|heads up)\b",
        r"\b(?:told|said|quoted|promised|gave) (?:me|us)\b[^.!?\n]{0,30}\$?\d",
        r"\b(?:charg|bill|invoic)\w*\b[^.!?\n]{0,40}\b(?:but|when|instead of|not)\b[^.!?\n]{0,30}"
        r"\b(?:quoted|agreed|told|said|contracted|signed(?! (?:timesheets?|time sheets?|delivery|"
        r"work order|packing))|estimate|quote)\b",
        r"\b(?:more|higher|way more) than (?:the |what (?:we|i) (?:were|was) )?(?:estimate|quote|"
        r"quoted|agreed|told)\b",
        r"\b(?:not|wont|refuse to|no|never) (?:\w+ )?(?:pay|paying) (?:for )?the (?:diff|difference"
        r"|"
        r"extra|overage|upcharge|increase)\b",
    ),
    rule(
        "reason.precio_general",
        PRICING,
        2.0,
        r"\b(?:cobr|factur)\w+\b[^.!?\n]{0,60}\b(?:contrate|contratamos|contratado|pedi|pedimos|"
        r"firmamos|firme|acordamos|quedamos|cotizaron|cotizado|dijeron|era de|eran)\b",
        r"\b(?:cobr|factur)\w+\b[^.!?\n]{0,80}\b(?:gratis|gratuit[oa]s?|sin costo|sin cargo|"
        r"incluid[oa]s?)\b",
        r"\b(?:gratis|gratuit[oa]s?|sin costo|sin cargo|incluid[oa]s?)\b[^.!?\n]{0,60}\b(?:cobr|"
        r"factur)\w+\b",
        r"\b(?:dijeron|dijo|dijisteis|aseguraron|prometieron|quedaron)\b[^.!?\n]{0,40}\bno (?:me |"
        r"nos )?(?:lo |la |los )?(?:iban|iba|ibais|van|va) a cobrar\b",
        r"\b(?:cargo|recargo|cobro|concepto)\b(?: de \w+)? (?:no va|no corresponde|no procede|"
        r"indebido|que no (?:pedi|pedimos|autorice|autorizamos|acordamos))\b",
        r"\b(?:cobr|factur)\w+\b[^.!?\n]{0,40}\b(?:lo|la) (?:cancele|cancelamos|di de baja|dimos d"
        r"e "
        r"baja|termine|terminamos)\b",
        r"\b(?:cancele|cancelamos|di de baja|dimos de baja) (?:el |la )?(?:servicio|suscripcion|"
        r"contrato|plan|membresia|cuenta)\b",
        r"\b(?:caro|cara|caros|muy caro|mas caro|carisimo)\b",
        r"\bno (?:\w+ )?(?:pago|pagamos|pagar\w*|voy a pagar|vamos a pagar) la diferencia\b",
        r"\bno respet\w+ (?:el|la|los) (?:precio|tarifa|descuento|promocion|cotizacion)\b",
    ),
)
