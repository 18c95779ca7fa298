"""Evidence of disputes about the invoice as a document: billing errors and credit notes."""

from __future__ import annotations

from service.disputes.labels import BILLING_ERROR, CREDIT_NOTE
from service.disputes.rules import Rule, rule

# What an invoice says about who is billed for what: the fields customers find wrong.
_FIELD_EN = (
    r"(?:vat|tax|ein|tin|gst|hst|abn|company|registration|po|purchase order|account|customer|"
    r"invoice|billing|legal|business|entity|address|name|quantity|qty|hours|units|location|"
    r"branch|site|job|reference)"
)
_CAMPO_ES = (
    r"(?:rfc|nit|cif|nif|cuit|rut|razon social|direccion|domicilio|uso de cfdi|uso del cfdi|"
    r"regimen|iva|orden de compra|codigo postal|nombre|cantidad|importe|datos fiscales|"
    r"numero de pedido|tipo de factura|sucursal|retencion|numero de proveedor|proveedor|"
    r"numero de (?:orden|contrato|cliente))"
)
_WRONG_ES = (
    r"(?:incorrect[oa]s?|equivocad[oa]s?|errad[oa]s?|mal|errone[oa]s?|no es (?:el|la) "
    r"(?:nuestr|correct|mi)\w*|"
    r"no corresponde|no coincide|mal escrit[oa]|esta mal)"
)


PAPERWORK_RULES: tuple[Rule, ...] = (
    rule(
        "reason.billing_error_en",
        BILLING_ERROR,
        2.0,
        # "send me a duplicate" asks for a copy; "this is a duplicate of 123" disputes.
        r"(?<!send a )(?<!send me a )(?<!need a )(?<!get a )\bduplicate(?! copy)\w*",
        r"\bduplicated\b",
        r"\b(?:billed|charged|invoiced) (?:us |me )?(?:twice|two times|double|2x|x2|2 times)"
        r"(?! the (?:price|rate|amount|cost|quote))",
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
        "reason.billing_error_tax_entity",
        BILLING_ERROR,
        2.0,
        r"\b(?:vat|tax|sales tax|gst|hst|iva|impuesto|igv|retencion)\b[^!?\n]{0,50}\b\d+(?:[.,]\d+"
        r")? ?%",
        r"\b(?:zero[- ]rated|exempt from|re-?bill\w*)\b",
        r"\b(?:separate|different|its own|their own|our own) (?:billing )?(?:account|entity|tax id|"
        r"ein)\b",
        r"\bcorrect (?:legal )?(?:account|entity|company|branch|location|address|name)\b",
        r"\b(?:has|shows|lists|says|uses|with) (?:my|our|the) (?:old|maiden|previous|former|wrong|"
        r"personal|home) (?:name|address|email)\b",
        r"\bupdate (?:it|the invoice|the bill|this) to (?:my|our|the) (?:new|married|correct|legal|"
        r"current) (?:name|address|company)\b",
        r"\b(?:old|previous|former|outdated|maiden) (?:business |company |legal )?(?:name|address|"
        r"entity|"
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
        "reason.billing_general",
        BILLING_ERROR,
        2.0,
        rf"\b{_FIELD_EN} (?:number|no|id|name|#|reg\w*|address)? ?(?:is |was )?(?:missing|wrong|"
        rf"incorrect|invalid|not (?:on|shown|included))\b",
        r"\b(?:po|purchase order|po number)\b (?:\w+ )?(?:is |was |has been )?(?:closed|cancell?ed|"
        r"expired)\b",
        r"\b(?:repeats|repeated|duplicates) (?:the )?(?:same )?(?:charges?|lines?|items?|billing|"
        r"invoice)\b",
        r"\b(?:same charges|charges (?:already|previously) (?:billed|invoiced)|already "
        r"(?:billed|invoiced|charged) (?:on|in|under))\b",
        rf"\b(?:missing|without|no|wrong|incorrect|invalid|different) (?:our |the |a |its )?"
        rf"{_FIELD_EN}"
        rf" (?:number|no|id|#|name|address)\b",
        r"\b(?:totals?|sums?|math|numbers|lines?|line items|figures|calculation)\b[^.!?\n]{0,30}"
        r"\b(?:dont|do not|doesnt|does not) (?:add up|match|tally|reconcile)\b",
        r"\b\d+ ?x ?\$?\d+(?:[.,]\d+)? (?:is|=|comes to|equals) \$?\d",
        r"\b(?:typo|mistake|error) (?:on|in) (?:your|the|this) (?:end|invoice|bill|side)\b",
        r"(?<!at )(?<!to )(?<!in )(?<!on )"
        r"\b(?:different|another|the wrong|someone elses|other) (?:job|location|site|branch|address"
        r"|"
        r"store|customer|account|project)\b",
        r"\b(?:billed|invoiced|addressed|issued|sent) (?:to )?(?:our|the|my) (?:parent|subsidiary|"
        r"holding|sister|other|old|previous|dallas|main|head)\b",
        r"\b(?:void|cancel|credit) (?:it|this|one|the other|the duplicate|one of them)\b",
        r"\b(?:timesheets?|time sheets?|time records|packing slip|log|logs|our records|meter "
        r"readings?)\b[^.!?\n]{0,30}\b(?:show|shows|say|says|state|states|indicate\w*|only)\b",
    ),
    rule(
        "reason.facturacion_general",
        BILLING_ERROR,
        2.0,
        rf"\b{_CAMPO_ES}\b[^.!?\n]{{0,40}}\b{_WRONG_ES}",
        rf"\b(?:tiene|trae|lleva|viene con|vino con|salio con|sale con|aparece con|llego con|"
        rf"esta con) (?:el |la )?(?:\w+ ){{0,2}}{_WRONG_ES}\b",
        rf"\b(?:tiene|trae|lleva|viene con|vino con|salio con|sale con|aparece con) {_WRONG_ES} "
        rf"(?:el |la |los |las )?(?:\w+ ){{0,3}}",
        rf"\b(?:dice|trae|tiene|aparece|sale|viene con|lleva) (?:otra|otro) {_CAMPO_ES}\b",
        rf"\b(?:sin|falta|faltan|no tiene|no trae|no lleva) (?:el |la |los |las )?{_CAMPO_ES}\b",
        r"\b(?:cobr|factur|carg|pasa|pasad|mand|envi|llegar|domicili)\w*\b[^.!?\n]{0,30}\b(?:dos "
        r"veces|por duplicado|doble)\b",
        r"\b(?:2|dos) facturas por (?:el mismo|la misma|lo mismo)\b|\brepetid[oa]s?\b",
        r"\bfactura (?:tipo )?[abc]\b[^.!?\n]{0,40}\b(?:necesit|deberia|correspond|somos)\w*",
        r"\b(?:timbrar|volver a timbrar|cancelar el cfdi|sustituir el cfdi|nota de correccion)\b",
        r"\ba nombre de otra\b",
    ),
    rule(
        # "invoice shows 3 units, we only have 2": a count the customer's records deny.
        "reason.billing_counts",
        BILLING_ERROR,
        1.5,
        r"\b(?:invoice|bill|statement|factura)\b[^.!?\n]{0,15}\b(?:shows|says|lists|has|bills|"
        r"charges|tiene|dice|cobra|trae)\b (?:for )?\d+\b[^.!?\n]{0,40}\b(?:only|just|solo|"
        r"solamente|but|pero)\b",
        r"\b(?:rechazan|rechazaron|rechaza|rechazada|rejected|rejects|bounced) (?:la factura|it|th"
        r"e "
        r"invoice|this invoice)\b|\b(?:nos la|la) rechaza\w*\b",
    ),
    rule(
        "reason.credit_general",
        CREDIT_NOTE,
        2.5,
        r"\bcredit(?! card)\b[^.!?\n]{0,40}\b(?:would|will|was going to|were going to|should|"
        r"was to|to) be (?:issued|applied|given|raised|sent|posted|processed)\b",
        r"\bwheres? (?:the|my|our|that) (?:\w+ )?credit\b",
        r"\b(?:confirm|apply|issue|send|post|raise|net) (?:the|my|our|that|this) (?:\w+ )?credit\b",
        r"\b(?:written off|write off|write-off|writing off)\b",
        r"\b(?:open|outstanding|pending|unapplied|remaining) credit\b",
        r"\b(?:still )?no (?:credit|refund|credit memo|credit note)\b(?! card)",
        r"\b(?:sigo|seguimos|estoy|estamos) sin (?:ver|recibir|tener) (?:el|la|mi|nuestro|nuestra) "
        r"(?:reembolso|abono|nota|credito|devolucion del dinero|bonificacion)\b",
        r"\bstill (?:havent|have not|hasnt|has not|didnt|did not) (?:seen|received|gotten|got) (?:"
        r"the|"
        r"my|our|a|any) (?:refund|credit)\b",
        r"\bcredit (?:reference|ref|number)\b",
        r"\b(?:dijisteis|dijeron|dijo|quedaron|prometieron|prometisteis|iban a|ibais a|iba a|"
        r"ibas a|tenian que|teniais que|tenia que|tienen que|teneis que)\b[^.!?\n]{0,40}"
        r"\b(?:abono|nota de credito|nota credito|credito|acreditar|reembols\w*|devolver el dinero|"
        r"bonific\w*)\b",
        r"\b(?:want|need|where is|wheres|give me|give us|send me|send us) (?:my|our|the|a|that) "
        r"(?:\w+ )?(?:credit|refund)\b(?! card)",
        r"\b(?:hacer|hacernos|hacerme|emitir|emitirnos|generar|aplicar) (?:un|una|el|la) (?:abono|"
        r"nota de credito|nota credito|bonificacion)\b",
        r"\b(?:esperando|espera|pendiente|pendientes|falta|faltan)\b[^.!?\n]{0,30}\b(?:abono|"
        r"nota de credito|nota credito|reembolso|bonificacion)\b",
        r"\b(?:acreditar|acrediten|acreditaran|bonifiquen)\b",
    ),
)
