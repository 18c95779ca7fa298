"""Evidence for the dispute reasons of TAXONOMY.md, in English and Spanish.

Each reason rule is also evidence that the reply is a dispute at all; the
`dispute.*` rules carry the generic "we contest this" wording that names no reason.
"""

from __future__ import annotations

from service.disputes.rules import Rule, rule

PRICING = "pricing"
DELIVERY = "delivery"
QUALITY = "quality"
BILLING_ERROR = "billing_error"
ALREADY_PAID = "already_paid"
CREDIT_NOTE = "credit_note"
REASONS = (PRICING, DELIVERY, QUALITY, BILLING_ERROR, ALREADY_PAID, CREDIT_NOTE)
DISPUTE_GENERIC = "dispute"

# Paperwork is not merchandise: "we never received the invoice" asks for a copy.
_NOT_PAPER = (
    r"(?! (?:the |an |your |this |any |a )?(?:invoice|bill|statement|email|copy|pdf|credit|"
    r"factura|estado|correo|xml|pdf|nota|recibo|pago|payment|check|cheque|remittance|w-?9|"
    r"response|reply|answer|call|update|confirmation|notice|link|code|respuesta|contestacion|"
    r"informacion|info))"
)
_GOODS = (
    r"(?:order|goods|items?|parts?|shipment|delivery|package|products?|materials?|merchandise|"
    r"boxes|pallets?|units?|pieces?|equipment|supplies|cases?|cartons?|rest of)"
)
_MERCANCIA = (
    r"(?:mercancia|mercaderia|pedido|producto|productos|material|materiales|refaccion|"
    r"refacciones|repuestos?|piezas?|equipos?|cajas?|envio|entrega|paquete|pedidos|insumos|"
    r"articulos?|unidades|bultos|resto)"
)

REASON_RULES: tuple[Rule, ...] = (
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
        r"\b(?:why is|still) (?:this |it )?(?:still )?(?:showing|shows|open|outstanding|overdue)\b",
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
        "reason.delivery_en",
        DELIVERY,
        2.0,
        r"\b(?:never|not|havent|have not|hasnt|has not|didnt|did not|still not|still havent|"
        r"wasnt|was not|werent|were not|yet to be|havent yet) (?:\w+ )?(?:received|receive|arrived|"
        r"arrive|delivered|showed up|show up|shipped|gotten|got)\b" + _NOT_PAPER,
        r"\bshort[- ]?(?:shipped|shipment|ship|delivered|delivery)\b",
        rf"\b(?:missing|lost) (?:\w+ )?{_GOODS}\b",
        rf"\b{_GOODS} (?:\w+ )?(?:missing|lost)\b",
        r"\bonly (?:received|got|delivered|arrived|came)\b",
        r"\bonly \d+ (?:of|out of)\b",
        r"\b(?:wrong|incorrect) (?:item|items|parts?|products?|size|color|colour|model|material|"
        r"order|shipment)\b",
        r"\bsent (?:us |me )?the wrong\b",
        r"\b(?:service|work|job|repair|installation|install) (?:\w+ )?(?:was |were )?(?:never|not)"
        r" (?:performed|rendered|completed|done|finished|started)\b",
        r"\b(?:never|didnt|did not) (?:show|come|came|showed)\b",
        r"\bno[- ]show\b",
        r"\bback[- ]?order\w*",
        r"\bstill waiting (?:for|on) (?:the |our )?(?:order|delivery|"
        r"parts|shipment|items|rest|goods|materials)\b",
        r"\btracking (?:shows|says)\b",
        r"\bnot (?:yet )?(?:been )?delivered\b",
        rf"\b(?:still )?(?:dont|do not|didnt|did not|never) (?:have|got|get) (?:the|our|my|any o"
        rf"f the|"
        rf"any|all the|all of the) {_GOODS}\b",
        r"\b(?:says|shows|marked|listed as) delivered\b",
        r"\bnothing (?:was |has )?(?:here|arrived|came|showed up|delivered)\b",
        r"\b(?:cancell?ed|called off) (?:by|on) (?:your|the vendors?|their) (?:side|end|team|"
        r"company)\b",
        r"\bnever (?:rescheduled|performed|delivered|completed|finished|installed|shipped)\b",
        r"\b(?:received|got|delivered|counted) (?:only )?\d+\b[^.!?\n]{0,40}\b(?:billed|invoiced|"
        r"charged)(?: us| me)?(?: for)? \d+",
    ),
    rule(
        "reason.delivery_es",
        DELIVERY,
        2.0,
        r"\bno (?:me |nos |les )?(?:ha|han|a) (?:llegado|entregado|recibido|enviado|surtido)\b"
        + _NOT_PAPER,
        r"\bno (?:hemos|he) recibido\b" + _NOT_PAPER,
        r"\bno (?:recibimos|recibi|hemos recibido)\b" + _NOT_PAPER,
        r"\b(?:nobody|no one|noone|nadie) (?:ever )?(?:showed|came|arrived|show|vino|llego|se "
        r"presento)\b",
        r"\b(?:todavia|aun|aun no|y) no (?:nos |me )?(?:llega|llegan|ha llegado|han llegado)\b"
        + _NOT_PAPER,
        r"\bnunca (?:me |nos )?(?:llego|llegaron|"
        r"entregaron|recibimos|recibi)\b" + _NOT_PAPER,
        r"\bno (?:me |nos )?(?:llego|llegaron|entregaron|surtieron)\b" + _NOT_PAPER,
        r"\bsolo (?:me |nos |se )?(?:llegaron|llego|entregaron|recibimos|recibi|mandaron|enviaron|"
        r"dejaron)\b",
        r"\b(?:faltan?|faltaron|falto) (?:\d+|una?|unas|unos|dos|tres|piezas|productos|cajas|"
        r"articulos|material)\b",
        r"\bfaltantes?\b",
        r"\b(?:pedido|envio|entrega) incomplet[oa]\b",
        r"\b(?:sigo|seguimos|estoy|estamos) esperando (?:el |la |los |las )?" + _MERCANCIA,
        r"\bno (?:se |nos |me )?(?:realizo|hizo|presto|termino|instalo|vino|vinieron|"
        r"se presento)\b(?! (?:el |la |un |una )?(?:pago|transferencia|deposito|abono|cargo|nota))",
        r"\b(?:productos?|modelos?|piezas?|articulos?|mercancia|material|talla|color|refaccion|"
        r"pedido)(?: \w+)? equivocad[oa]s?\b",
        r"\b(?:otro modelo|otra talla|otro color)\b",
        r"\b(?:servicio|trabajo|instalacion|mantenimiento) (?:no|nunca) (?:se )?(?:realizo|hizo|"
        r"presto|termino|completo)\b",
        r"\bpendiente de (?:entrega|envio)\b",
        r"\bno hemos recibido (?:el|la|los|las)? ?" + _MERCANCIA,
        r"\b(?:llegaron|llego|recibimos|recibi|entregaron|mandaron|enviaron) (?:solo |solamente )?"
        r"\d+\b[^.!?\n]{0,40}\b(?:facturaron|cobraron|factura|facturan|cobran|nos cobran)\b",
        r"\b(?:cancelad[oa]|suspendid[oa]) por (?:ustedes|su parte|parte de ustedes)\b",
        r"\bnunca se (?:reprogramo|realizo|presto|entrego|instalo|hizo)\b",
    ),
    rule(
        "reason.quality_en",
        QUALITY,
        2.0,
        r"\b(?:damaged|defective|defect|defects|broken|faulty|cracked|dented|scratched|leaking|lea"
        r"ks|"
        r"spoiled|rotten|moldy|torn|shattered|crushed|malfunction\w*|dead pixels?|"
        r"unusable|doa|dead on arrival)\b",
        # A broken payment link is a portal problem, not a defective product.
        r"(?<!link )(?<!portal )(?<!website )(?<!site )(?<!page )(?<!card )(?<!login )"
        r"\b(?:doesnt|does not|didnt|did not|isnt|wont|stopped|its not|it is not|arent|never) "
        r"(?:\w+ )?(?:work|working|function\w*|turn on|start|fit|power on)\b",
        r"\b(?:rma|return authori[sz]ation|warranty|replacement)\b",
        r"\b(?:returning|returned|return|sent back|shipping back|send back)\b(?: \w+){0,4} "
        r"(?:units?|items?|parts?|monitors?|products?|goods|them|it|merchandise|boxes|cases)\b",
        r"\b(?:poor|bad|terrible|low|unacceptable|subpar|sloppy|shoddy) (?:quality|workmanship|"
        r"job|work|service)\b",
        r"\b(?:not|un)(?:satisfied|happy|acceptable) with\b",
        r"\b(?:redo|re-do|fix) (?:the|this|it|their) (?:work|job)\b",
        r"\b(?:not up to|below) (?:code|spec|standard|par)\b",
        r"\b(?:was|were|arrived|came|already|is|are) (?:\w+ )?(?:expired|spoiled|stale|rancid|"
        r"mislabeled)\b",
        r"\bexpired (?:product|goods|items|food|stock|batch|lot)\b",
        r"\b(?:terrible|awful|horrible|lousy|poor|bad|botched|incomplete|half-done) (?:\w+ )?"
        r"(?:cleaning|job|work|service|installation|install|repair|paint\w*|quality)\b",
        r"\b(?:cleaning|job|work|service|installation|repair|quality) (?:was|is) "
        r"(?:\w+ )?(?:terrible|awful|horrible|lousy|poor|bad|unacceptable|sloppy)\b",
        r"\bskipped (?:half|most|some|several|two|three)\b",
        r"\b(?:stopped|quit|stops) (?:working|cooling|heating|running|charging|printing|"
        r"responding)\b",
        r"\b(?:returning|sending back|shipping back|devolviendo|vamos a devolver)\b",
        r"\b(?:ra|rma) (?:number|#|no)\b",
    ),
    rule(
        "reason.quality_es",
        QUALITY,
        2.0,
        r"\b(?:danad[oa]s?|defectuos[oa]s?|defecto|rot[oa]s?|quebrad[oa]s?|golpead[oa]s?|"
        r"rayad[oa]s?|abollad[oa]s?|estropead[oa]s?|caducad[oa]s?|podrid[oa]s?|manchad[oa]s?|"
        r"descompuest[oa]s?|averiad[oa]s?|fall[oa]s? de fabrica|en mal estado|mal estado|mala "
        r"calidad|desperfecto\w*|aplastad[oa]s?|derretid[oa]s?|deficiente|mal servicio|mala "
        r"atencion|fuga|gotea|pierde (?:agua|aceite|aire))\b",
        r"(?<!link )(?<!enlace )(?<!pagina )(?<!portal )(?<!liga )(?<!tarjeta )"
        r"\b(?:no|ya no|dejo de|dejaron de) (?:\w+ )?(?:funciona|funcionan|prende|prenden|enciende|"
        r"encienden|funcionar|arranca)\b",
        r"\b(?:devolucion|devolver|devolvimos|devolvi|devuelto|garantia|reembolso|cambio de "
        r"(?:producto|mercancia)|nos la cambien|me la cambien|me lo cambien|nos lo cambien)\b",
        r"\bmal (?:hech[oa]s?|instalad[oa]s?|terminad[oa]s?|reparad[oa]s?|pintad[oa]s?)\b",
        r"\b(?:no sirven?|salio mal[oa]?|salieron mal[oa]s|vinieron mal|vino mal|se descompuso|"
        r"se averio|(?:esta|estan) fallando|(?:tiene|tienen|presenta|presentan) (?:una |varias )?"
        r"fallas?)\b",
        r"\b(?:filtracion\w*|humedad|grietas?|goteras?|se (?:rompio|rompieron|desprendio|"
        r"despego|cayo|descoso))\b",
        r"\b(?:descosid|despegad|desteñid|destenid|oxidad|vencid|caducad)[oa]s?\b(?! (?:la |el )?"
        r"(?:factura|plazo|pago))",
        r"\bno quedo bien\b",
        r"\b(?:no estamos|no estoy|inconformes?|insatisfech[oa]s?|no conformes?)(?: \w+)? con (?:e"
        r"l|"
        r"la) (?:servicio|trabajo|calidad|producto|instalacion|reparacion)\b",
    ),
    rule(
        "reason.pricing_en",
        PRICING,
        2.0,
        r"\b(?:wrong|incorrect|higher|different) (?:price|pricing|rate|amount than quoted)\b",
        r"\b(?:price|pricing|rate|unit price) (?:is |was |seems )?(?:wrong|incorrect|off|higher|"
        r"too high)\b",
        r"\bover-?charg\w*",
        r"\bcharged (?:us |me )?(?:more|too much|extra|for)\b",
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
        r"\bcash price\b",
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
        "reason.billing_error_en",
        BILLING_ERROR,
        2.0,
        # "send me a duplicate" asks for a copy; "this is a duplicate of 123" disputes.
        r"(?<!send a )(?<!send me a )(?<!need a )(?<!get a )\bduplicate(?! copy)\w*",
        r"\bduplicated\b",
        r"\b(?:billed|charged|invoiced) (?:us |me )?(?:twice|two times|double|2x|x2|2 times)",
        r"\bdouble[- ](?:billed|charged|billing|invoiced)\b",
        r"\bsame invoice\b",
        r"\b(?:wrong|incorrect|invalid) (?:ship|bill)[- ]to\b",
        # "left at the wrong address" is a delivery problem, not an invoice one.
        r"(?<!at the )(?<!to the )(?<!at a )(?<!to a )"
        r"\b(?:wrong|incorrect|missing|invalid) (?:sales )?(?:tax|vat|gst|hst|address|billing "
        r"address|entity|legal entity|company name|po|po number|purchase order|branch|location|"
        r"quantity|qty|total|invoice number|ein|tax id|bill to|ship to|name)\b",
        r"\btax[- ]exempt\w*",
        r"\bexemption certificate\b",
        r"\b(?:resale|exempt) certificate\b",
        r"\b(?:math|arithmetic|calculation|total|subtotal|sum)\b.{0,30}\b(?:off|wrong|incorrect|"
        r"doesnt add up|mistake|error)\b",
        r"\bdoesnt add up\b",
        r"\breference (?:a |the |our )?"
        r"(?:valid )?po\b",
        r"\b(?:without|missing) (?:a |the |our )?po\b",
        r"\bpo (?:number|#|no)\b",
        r"\bre-?issue\b",
        r"\b(?:corrected|revised) invoice\b",
        r"\b(?:addressed|billed|invoiced) to (?:the wrong|a different|our old|[a-z]+ [a-z]+ (?:llc"
        r"|inc|ltd))\b",
        r"\bbilling error\b",
        r"\b(?:wrong|incorrect) (?:invoice )?amount\b",
        r"\binvoice (?:is |was )?(?:wrong|incorrect)\b",
    ),
    rule(
        "reason.billing_error_es",
        BILLING_ERROR,
        2.0,
        r"(?<!un )\bduplicad[oa]s?\b",
        r"\b(?:doble (?:cobro|factura|facturacion)|facturaron dos veces|"
        r"cobraron dos veces|facturada dos veces|la misma factura (?:con otro|dos veces|que ya))\b",
        r"\b(?:rfc|nit|cif|nif|razon social|direccion fiscal|domicilio fiscal|regimen fiscal|"
        r"uso (?:de )?cfdi|codigo postal|iva|retencion|retenciones|ieps|irpf|orden de compra|oc|"
        r"numero de pedido|clave de producto|forma de pago|metodo de pago|cantidad|cantidades|"
        r"importe|datos fiscales)\b(?: \w+){0,3} (?:incorrect|equivocad|mal|errone|no es|no "
        r"coincide|no corresponde|viej|anterior|distint|esta mal|no aparece|falta)\w*",
        r"\brefactur\w*",
        r"\b(?:corregir|corrijan|corrija|sustituir|sustituyan|cancelar y "
        r"(?:volver a )?emitir|reemitir|volver a emitir|emitir de nuevo|emitan de nuevo|"
        r"rectificar|rectifiquen)\b(?: \w+){0,2} (?:la |el )?(?:factura|cfdi|comprobante)",
        r"\b(?:error|errores) (?:en|de) (?:la|el) (?:factura|calculo|suma|iva|importe|cfdi)\b",
        r"\bmal (?:calculad[oa]|facturad[oa]|sumad[oa])\b",
        r"\bla suma (?:esta|no)\b",
        r"\bsin (?:la |el )?(?:orden de compra|oc|numero de pedido)\b",
        r"\b(?:falta|faltan|sin) (?:el |la )?(?:numero de )?(?:orden de compra|oc|pedido)\b",
        r"\b(?:otra|otro) (?:razon social|rfc|nit|cif|nif|sociedad)\b",
        r"\b(?:a nombre de|facturad[oa] a|emitid[oa] a|a) (?:otra|otro) (?:empresa|compania)\b",
        r"\b(?:mal|equivocad[oa]s?|incorrect[oa]s?|errone[oa]s?) (?:el|la|los|las|nuestro|nuestra) "
        r"(?:rfc|nit|cif|nif|razon social|direccion|domicilio|iva|orden de compra|oc|codigo postal|"
        r"cantidad|importe|datos fiscales|regimen)\b",
        r"\b(?:el|la) (?:rfc|nit|cif|nif|razon social) (?:que aparece |que viene |que trae )?no es "
        r"(?:el|la) (?:nuestr|correct)",
        r"\bfactura (?:esta )?mal\b",
        r"\bfactura (?:equivocada|incorrecta|erronea)\b",
        r"\b(?:vuelvan|volver|vuelva|volverla) a (?:emitir|facturar|timbrar)\b",
        r"\bes de otra (?:empresa|razon social|sociedad|compania)\b",
        r"\b(?:estamos|somos|soy|es|esta) exent[oa]s?\b",
        r"\bexencion\b",
        r"\b(?:monto|valor|total) (?:esta )?(?:incorrect|equivocad|errone)[oa]\b",
    ),
    rule(
        "reason.credit_note_en",
        CREDIT_NOTE,
        2.5,
        r"(?<!got the )(?<!received the )\bcredit (?:note|memo|memos|notes)\b",
        r"\bcm-?\s?\d",
        r"\bcredit (?:for|on) (?:the|our)"
        r" (?:return\w*|damaged|rejected|shortage|overcharge)\b",
        r"\b(?:waiting|wait|still waiting) (?:for|on) (?:the|a|our|that) credit\b",
        r"\bcredit (?:was |has |hasnt |has not |wasnt )?(?:not )?(?:been )?(?:applied|issued)\b",
        r"(?<!a )\bcredit(?! card)\b[^.!?\n]{0,30}\b(?:should|needs to|has to|must|to) be "
        r"(?:applied|issued|posted)\b",
        r"\buntil (?:the|our|a) credit\b",
        r"\bapply (?:the|our|that) credit\b",
        r"\b(?:waiting|wait|still waiting) (?:for|on) (?:the|a|our|my|that) refund\b",
        r"\bcredit balance\b",
    ),
    rule(
        "reason.credit_note_es",
        CREDIT_NOTE,
        2.5,
        # "ya recibimos la nota credito" closes the matter instead of opening one.
        r"(?<!recibimos la )(?<!recibi la )(?<!llego la )\bnotas? (?:de )?credito\b",
        r"\bnc-?\s?\d",
        r"\bfactura de abono\b",
        r"\bsaldo a (?:nuestro )?favor\b",
        r"\babono (?:pendiente|por la devolucion)\b",
        r"\b(?:esperando|pendientes?|falta|faltan|no (?:han|ha) (?:aplicado|emitido|enviado|"
        r"llegado)) (?:\w+ )?(?:el|la|los) (?:factura |nota (?:de )?)?(?:abonos?|notas?|rectific"
        r"ativas?)\b",
    ),
    rule(
        "dispute.contest_en",
        DISPUTE_GENERIC,
        1.5,
        r"(?<!not )(?<!no )(?<!arent )(?<!nothing to )\bdisput\w*",
        r"\bcontest(?:ed|ing)?\b",
        r"\b(?:dont|do not|we dont|we do not) owe\b",
        r"\b(?:wont|will not|refuse to|not going to|not|im not|were not) (?:be )?pay(?:ing)? "
        r"(?:\w+ ){0,4}(?:until|till|til|unless|for (?:something|what|items))\b",
        r"\bhold (?:collections|payment)\b",
        r"\bnot (?:ours|our invoice|responsible for)\b",
        r"\bplease (?:correct|fix) (?:and|the)\b",
    ),
    rule(
        "dispute.reclamo_es",
        DISPUTE_GENERIC,
        1.5,
        r"\b(?:reclamo|reclamacion|inconformidad|disputa|impugna\w*|objecion)\b",
        r"\bno (?:vamos a|voy a|podemos|pienso) pagar (?:\w+ ){0,4}(?:hasta|mientras|si no|lo que"
        r" no)\b",
        r"\bno (?:reconocemos|reconozco|corresponde|procede|debemos|debo)\b",
        r"\bno (?:le |les )?(?:voy|vamos) a pagar\b",
        r"\bhasta que (?:no )?(?:me |nos )?"
        r"(?:cambien|corrijan|repongan|resuelvan|reemplacen)\b",
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
        r"\bdomiciliad[oa]\b",
        r"\b(?:transferencia|pago|deposito|consignacion|spei) realizad[oa] el\b",
        r"\b(?:les|le|te|os) comparto (?:el |la )?(?:comprobante|soporte|justificante|captura)\b",
        r"\b(?:sigue|siguen) (?:apareciendo|saliendo|figurando) (?:como )?(?:pendiente|vencid|"
        r"abiert|en mora)",
        r"\bpor que (?:sigue|aparece|me siguen)\b",
    ),
    rule(
        "reason.delivery_short_or_undone",
        DELIVERY,
        2.0,
        r"\bonly (?:\d+|one|two|three|four|five|half|part)\b(?: \w+){0,3} (?:was|were|got|came|"
        r"arrived|delivered|received|showed)\b",
        r"\bordered\b[^!?\n]{0,60}\b(?:received|got|delivered|shipped|sent|came)(?: us)?(?: only)?"
        r" \d+",
        r"\b(?:ship|send) the (?:remaining|rest|missing)\b",
        r"\bnot (?:been )?(?:done|completed|performed|installed|finished|rendered)(?: yet)?\b",
        r"\b(?:once|until|when) the (?:install\w*|work|job|service|repair)s? (?:is|are|has been) "
        r"(?:done|completed|finished|performed)\b",
        r"\bswap (?:them|it) out\b",
        r"\bno (?:lo |la |los |las )?(?:instalaron|entregaron|terminaron|conectaron|armaron|"
        r"montaron|surtieron)\b",
        r"\bnadie (?:viene|vino|ha venido|se presento)\b",
        r"\b(?:pedimos|solicitamos|ordenamos)\b[^!?\n]{0,80}\b(?:llegaron|llego|recibimos|"
        r"entregaron|mandaron|enviaron)\b",
        r"\bno corresponden? a lo (?:solicitado|pedido)\b",
        r"\blo que (?:se )?(?:entrego|recibio|recibimos|llego)\b",
        r"\bno se ha (?:realizado|impartido|prestado|reprogramado|entregado|instalado)\b",
        r"\bhasta que se (?:imparta|realice|entregue|instale|preste|complete|termine)\b",
    ),
    rule(
        "reason.quality_workmanship",
        QUALITY,
        2.0,
        r"\bsend someone to fix\b",
        r"\bcome (?:back )?(?:out )?(?:and |to )fix\b",
        r"\bfix the (?:damage|problem|leak|issue)\b",
        r"\bhasta que (?:no )?quede bien\b",
    ),
    rule(
        "reason.pricing_agreed_terms",
        PRICING,
        2.0,
        r"\bquote (?:said|says|was|is|stated)\b",
        r"\bagreed (?:a |on |to )?(?:a )?(?:fixed |flat )?(?:fee|price|rate|amount|cost)\b",
        r"\b(?:fixed|flat) (?:fee|price|rate)\b",
        r"\bbilled hourly\b",
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
        "reason.billing_error_tax_entity",
        BILLING_ERROR,
        2.0,
        r"\b(?:vat|tax|sales tax|gst|hst|iva|impuesto|igv|retencion)\b[^!?\n]{0,50}\b\d+(?:[.,]\d+"
        r")? ?%",
        r"\b(?:zero[- ]rated|exempt from|re-?bill\w*)\b",
        r"\bseparate billing account\b",
        r"\bcorrect (?:legal )?(?:account|entity|company|branch|location|address|name)\b",
        r"\b(?:old|previous|former|outdated) (?:business |company |legal )?(?:name|address|entity|"
        r"tax id)\b",
        r"\b(?:two|2) invoices for the same\b",
        r"\b(?:are|were|is) (?:identical|the same invoice)\b",
        r"\bvoid (?:one|the other|it|this|the duplicate)\b",
        r"\b(?:billed|invoiced|addressed|issued) to (?:our|the) (?:parent|holding|sister|other|"
        r"correct|right)\b",
        r"\b(?:reemit\w*|reexpedi\w*|reexpid\w*|emit\w* de nuevo|emitid la factura|anular y)\b",
        r"\ba nombre de (?:la|otra|otro|nuestra|mi|la persona)\b",
        r"\b(?:sociedad|empresa|razon social|entidad|cuenta) correct[oa]\b",
        r"\b(?:falta|faltan|sin) (?:el |la |nuestro |nuestra |su )?(?:rfc|nit|nif|cif|razon social"
        r")\b",
        r"\bno cuadra\w*",
        r"\b(?:la suma|el total|el calculo)\b[^!?\n]{0,40}\b(?:da|dan|es de)\b",
        r"\b(?:\d|dos) facturas (?:iguales|por el mismo|del mismo|de la misma)\b",
    ),
    rule(
        # The corrective invoice of Spain: a credit when it follows a return, the fix of a
        # billing error when the invoice was wrong; weaker than either.
        "reason.rectificativa",
        CREDIT_NOTE,
        1.5,
        r"\bfactura rectificativa\b",
        r"\brectificativa\b",
        r"\b(?:abono|credito|nota de credito)\b(?: \S+){0,5} (?:devuelt|devolucion|retornad)\w*",
    ),
    rule(
        "reason.credit_promised",
        CREDIT_NOTE,
        2.5,
        r"\b(?:get|give|owe|issue|promised) (?:me |us )?a credit\b",
        r"\bwhere is (?:the|my|our) credit\b",
        r"\b(?:dar|aplicar|hacer|emitir) (?:un|el|una) (?:credito|nota)\b",
        r"\bun credito (?:por|a|de)\b",
        r"\b(?:enviar|emitir|mandar|hacer)(?:nos|me|les)? (?:un|el) abono por\b",
    ),
    rule(
        "dispute.not_agreed_es",
        DISPUTE_GENERIC,
        1.5,
        r"\b(?:no estamos|no estoy|estamos inconformes|estoy inconforme) (?:de acuerdo|conformes?)"
        r"\b",
        r"\b(?:isnt|is not|not) payable\b",
    ),
)
