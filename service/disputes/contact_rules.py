"""Evidence of a request for documents or bank details, and of a wrong or outdated contact."""

from __future__ import annotations

from service.disputes.labels import DOCUMENT_REQUEST, WRONG_CONTACT
from service.disputes.rules import Rule, rule

# Where money is sent: what a customer asks for so as to pay.
_BANK_EN = (
    r"(?:routing|account|iban|swift|bic|sort code|aba|bank|banking|wire|ach|remit(?:tance)?|"
    r"remit-to|mailing|zelle|venmo|paypal|cash ?app|payment)"
)
_BANK_ES = (
    r"(?:numero de cuenta|cuenta bancaria|cuenta|clabe|cbu|cvu|alias|iban|datos bancarios|"
    r"datos|banco|swift)"
)
# Whoever the sender is, they are not who the reminder was meant for.
_ROLE_EN = (
    r"(?:assistant|receptionist|secretary|intern|temp|employee|tenant|driver|front desk|cleaner|"
    r"janitor|cashier|clerk|handyman|landlord|caretaker|"
    r"office assistant|nanny|neighbor|neighbour|roommate|babysitter)"
)


DOCUMENT_RULES: tuple[Rule, ...] = (
    rule(
        "document.copy_en",
        DOCUMENT_REQUEST,
        2.0,
        r"\b(?:send|email|e-mail|resend|re-send|forward|provide|share|upload|attach|mail|give|get|"
        r"need|want|request|requesting|see|fax|text|confirm|verify|find|download|access|obtain|"
        r"require|requires|required)\b"
        r"(?: \w+){0,4} "
        # "send all invoices to our AP team" redirects; it does not ask for a copy.
        r"(?<!all )(?<!future )(?:(?:a|an) )?(?:copy|copies|duplicate|bank account|bill|bills|"
        r"invoice|invoices|statement|pdf|w-?9|w ?8|1099|proof of delivery|pod|bill of lading|bol|"
        r"receipt|itemized|itemised|backup|back-up|documentation|timesheet|time sheet|service "
        r"report|signed|delivery (?:receipt|note|ticket)|packing slip|bank (?:details|info\w*|"
        r"letter)|banking (?:details|info\w*)|remittance (?:details|info\w*|address)|wire "
        r"(?:instructions|details|info\w*)|ach (?:details|info\w*|form)|account number|routing "
        r"(?:number|no)|tax (?:form|id|certificate)|certificate of insurance|coi|contract|"
        r"iban|work order|delivery note|timesheets|insurance certificate|proof of insurance)\b"
        r"(?! to (?:our|the|this|my) (?:new |updated |correct |central )?(?:ap|inbox|address|"
        r"team|accounts|department|portal)| to \S+@| there\b| instead\b| directly\b| going "
        r"forward| from now on| through (?:our|the)| via (?:our|the))",
        r"\b(?:whats|what is|where is|send me|do you have|is there) (?:the|your|a|an) (?:account|"
        r"routing|bank|remit\w*|remit-to|mailing|payment|lockbox) (?:number|details|address|"
        r"info\w*)\b",
        r"\bremit[- ]?to (?:address|details|info\w*)\b",
        r"\b(?:zelle|venmo|paypal|cash ?app) (?:info\w*|details|account|email|number|handle)\b",
        r"\b(?:can you |could you |pls |please )(?:re-?send|resend|forward) (?:it|that|this)\b",
        r"\bwhere (?:do|should|can) (?:i|we) (?:send|mail) (?:the |a )?(?:check|payment)\b",
        r"\b(?:copy|copies) of (?:the |my |our |your )?(?:invoice|statement|receipt|bill|contract)",
        r"\b(?:never|didnt|did not|havent|have not|dont|do not) (?:\w+ )?(?:received|get|got|have)"
        r" (?:the|an|any|your|this|that) (?:\w+ )?(?:invoice|bill|statement)\b",
    ),
    rule(
        "document.bank_details_en",
        DOCUMENT_REQUEST,
        2.0,
        rf"\b(?:whats|what is|what are|what|which|where is|send|need|give|get|have|provide|share|"
        rf"confirm|"
        rf"text|email|tell)\b[^.!?\n]{{0,40}}\b{_BANK_EN}\b(?: and \w+)? (?:number|numbers|no|#|"
        rf"details|info\w*|instructions|address|account|email|handle|information)(?!\w)",
        r"\b(?:what|which|whats the|what is the) (?:\w+ )?(?:address|account|email|number|bank)\b"
        r"[^.!?\n]{0,30}\b(?:send|mail|pay|wire|transfer|deposit)\b",
        r"\baddress (?:where|to which) (?:i|we) (?:can |should )?(?:mail|send)\b",
        r"\b(?:is there|do you have|can you send|send me|need|whats|resend) (?:a |the |your )?"
        r"(?:payment |pay )?(?:link|portal link|url)\b",
        r"\bwhere(?:s| is| are) (?:the|my|our|your|this) (?:invoice|invoices|bill|statement|receip"
        r"t)\b",
        r"\b(?:do you have|have you got|is there|do you guys have|got) (?:a |an )?(?:venmo|zelle|p"
        r"aypal|"
        r"cash ?app|bank account|account|iban|address|apple pay)\b[^.!?\n]{0,30}\b(?:send|pay|wire"
        r"|mail|"
        r"transfer|deposit)\b",
        r"\bwhere (?:do|should|can|to) (?:i|we)? ?(?:mail|send|wire|pay)\b",
        r"\b(?:how|where) (?:do|can|should) (?:i|we) (?:pay|send) (?:you|it|this|the payment)\b"
        r"(?! (?:by|with) card)",
    ),
    rule(
        "document.copia_es",
        DOCUMENT_REQUEST,
        2.0,
        # "las facturas deben enviarse a pagos@..." redirects; the reflexive form never asks.
        r"\b(?:mand(?!\w*se\b)\w*|envi(?!\w*se\b)\w*|reenvi\w*|compart\w*|adjunt\w*|facilit\w*|"
        r"proporcion\w*|"
        r"solicito|solicitamos|necesito|necesitamos|requiero|requerimos|pasa\w*|remit\w*|hacer "
        r"llegar|hagan llegar|haga llegar|regal\w*|pued\w* (?:mandar|enviar|pasar|reenviar))"
        r"(?: \w+){0,5} (?:(?:la|el|las|los|una|un|su|sus|tus|mi) )?(?:"
        r"factura|facturas|estado de cuenta|estados de cuenta|xml|pdf|copia|comprobante fiscal|"
        r"cfdi|albaran|remision|constancia|rut|certificad\w*|certificacion\w*|datos bancarios|"
        r"complemento de pago|complementos de pago|"
        r"numero de cuenta|cuenta bancaria|clabe|orden de compra|opinion de cumplimiento|camara "
        r"de comercio|soporte|soportes|acta|documentacion|documentos|detalle|desglose|nota de "
        r"entrega|guia|recibo|cotizacion|duplicado|invoice|statement|remito|remitos|iban|cbu|cvu|"
        r"alias|extracto|titularidad|datos|comprobantes? fiscales?|factura electronica|cae|"
        r"liga(?: de pago)?|link(?: de pago)?|enlace(?: de pago)?|paz y salvo)\b",
        r"\bduplicado de (?:la|las|su) factura",
        r"\b(?:tus|sus|los|sus) datos (?:para|de) (?:la |el )?(?:transferencia|deposito|pago|"
        r"consignacion)\b",
        r"\bun duplicado\b",
        r"\b(?:cual|cuales|cual es) (?:es )?(?:el|la|los|su)? ?(?:numero de cuenta|cuenta|clabe|"
        r"datos|banco)\b",
        r"\bdonde (?:deposito|pago|transfiero|consigno|le deposito)\b",
        rf"\b(?:a|en) (?:que|cual) (?:{_BANK_ES}) (?:le |les |te |os )?(?:deposito|pago|transfiero|"
        rf"consigno|depositamos|pagamos|transferimos|consignamos)\b",
        rf"\b(?:cual|cuales|que) (?:es|son) (?:el|la|los|las|su|tu|vuestro|vuestra)? ?{_BANK_ES}\b",
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
        r"\b(?:dont|do not) know (?:any ?one|who|anybody|what company|you|yall|your company|this "
        r"company|who you are)\b",
        r"\bno (?:te|los|les|lo|la|las) conozco\b|\bno se quien(?:es)? (?:es|son)\b",
        r"\bnever (?:heard of|done business|ordered anything|did business)\b",
        r"\bno (?:one|body) (?:here )?(?:by|named|with that name)\b",
        r"\bnot (?:a |the )?customer\b",
        r"\bnew (?:owner of|number|phone)\b",
        r"\b(?:got|have had|had|bought|was given|inherited|received) (?:this|the|that) (?:phone|"
        r"number|cell|line|email|address)\b",
        r"\b(?:changed|change|switched) (?:his|her|their|numbers|phones)\b",
        r"\b(?:used to|must have|probably) (?:have|had|belong|own|use|changed)\b[^.!?\n]{0,30}"
        r"\b(?:number|phone|email|address)\b",
        r"\b(?:number|phone|email|address|line) (?:belongs|belonged|used to belong) to\b",
        r"\bbelongs? to (?:a |an )?(?:different|another|other|someone)\b",
        r"\b(?:moved|moved out|(?:doesnt|does not|dont|do not) (?:even )?live|no longer lives?) "
        r"(?:\w+ )?(?:here|away|there|at)\b",
        r"^(?:not me|thats not me|this is not me|not mine)\b",
        r"\bnot (?:the|an?) (?:account ?holder|owner|customer|debtor|person you|right one)\b",
        r"\bno (?!one\b|body\b|problem|issue|money|payment|worries|way|need)[a-z]+ (?:here|lives "
        r"here|works here|at this number)\b",
        r"\b(?:location|store|branch|office|restaurant|shop|business|site|franchise) (?:\w+ )?"
        r"(?:closed|shut down|is closed|has closed|was sold)\b",
        r"\b(?:can be reached|may be reached|is reachable) (?:at|on|by)\b",
        r"\b(?:wound down|dissolved|closed down|no longer trading|out of business|closed years ago)"
        r"\b",
        r"\b(?:not|no longer) (?:affiliated|associated|involved|connected) with\b",
        r"\bsold (?:my|our|his|her) (?:share|stake|part|interest|half)\b",
        r"\b(?:personal (?:number|phone|cell|email|address|line)|private (?:number|individual|pers"
        r"on))\b",
        r"\bnew (?:\w+ )?(?:contact|email|e-mail|mailbox|inbox|email address) (?:is|will be|for)\b",
        r"\b(?:inbox|mailbox|address|email|account) (?:will be|is being|is going to be) (?:shut do"
        r"wn|"
        r"closed|deactivated|retired|discontinued|deleted)\b",
    ),
    rule(
        # "no soy Marcelo", "this isn't tony": a name that is not the sender's.
        "wrong_contact.not_that_person",
        WRONG_CONTACT,
        1.5,
        r"\b(?:no soy|yo no soy) (?!(?:de|el|la|yo|quien|ningun|ninguna|responsable|cliente|tan|mu"
        r"y|"
        r"un|una|su|tu|mas|nada|capaz|moroso|morosa|deudor|deudora)\b)[a-z]+(?=\s*(?:[,.!;]|$))",
        r"\b(?:no hay (?:ningun|ninguna|nadie)|aqui no (?:hay|vive|trabaja)) (?:\w+ )?(?:aqui|aca|"
        r"con "
        r"ese nombre|llamad[oa])?",
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
        r"\b(?:not|isnt|is not|arent|wrong) (?:the|a) (?:right|correct|appropriate|"
        r"proper) (?:person|contact|email|address|department|number|one)\b",
        rf"\b(?:im|i am|this is) (?:just |only )?(?:the |a |an )?(?:\w+ )?{_ROLE_EN}\b",
        r"\b(?:you need to|youll need to|you should|you have to|please|pls|try|better) "
        r"(?:talk|speak|reach out|write|go|contact|calling|emailing|contacting|call|email) (?:to|w"
        r"ith)?"
        r" ?(?:our |the |my |his |her )?"
        r"(?:accounting|accounts|ap|billing|finance|office|manager|boss|owner|husband|wife|"
        r"bookkeeper|accountant|payables|controller)\b",
        r"\btry (?:our |the |my )?(?:\w+ ){0,3}(?:at )?\S+@",
        r"\b(?:i|we) (?:dont|do not|no longer) (?:handle|deal with|manage|process) (?:the )?"
        r"(?:invoices|billing|payments|bills|ap|accounts|that)\b",
        r"\b(?:send|submit|direct|address|forward|email|route) (?:all |any |future |the |your )?"
        r"(?:invoices|statements|bills|billing|correspondence|reminders|communications?|"
        r"notices)\b[^.!?\n]{0,50}\b(?:to|through|via) (?:our|the|this|\S+@)",
        r"\b(?:moved|switched|changed|migrated|moving) (?:our |all |the )?(?:ap|payables|"
        r"accounts payable|billing|invoicing|invoices|payments) (?:to|over|function)\b",
        r"\bno longer (?:checked|read|used|in service)\b",
        r"\b(?:payables|payments|billing|invoices|accounts payable|ap|this account|your account)\b"
        r"[^.!?\n]{0,20}\b(?:is|are) (?:now )?(?:handled|managed|processed|taken care of|dealt wit"
        r"h|"
        r"covered) by\b",
        r"\b(?:moved|transferred|switched) (?:over )?to (?:the|another|a different|a new) (?:\w+ )?"
        r"(?:team|department|role|position|company|job|office)\b",
        r"\b(?:please |kindly )?(?:contact|email|direct|send|forward|reach out to|write to|address)"
        r"(?! me\b| us\b)(?:\s+\S+){0,8}\s+(?:instead|going forward|from now on|moving forward|"
        r"directly)\b",
        r"\b(?:should|must|need to|needs to) (?:be )?(?:sent|addressed|directed|emailed) (?:\w+ "
        r")?to "
        r"\S+@",
        r"\bhandles? (?:\w+ )?(?:payments|payables|ap|accounts payable|billing|invoices) now\b",
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
        r"\b(?:forwarding|forwarded|fwd|passing|passed) (?:this |it )?(?:on )?to (?:my |our )?"
        r"(?:replacement|successor|new)\b",
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
        r"\bsomos (?:otra|una) (?:empresa|compania|sociedad|firma|persona|razon social)\b",
        r"\bno (?:corresponde|pertenece) a (?:la|esta|nuestra|esa) (?:empresa|persona|compania|"
        r"firma)\b",
        r"\bno tengo nada que ver\b",
        r"\b(?:telefono|numero|celular|correo|mail) (?:es|era) de (?:mi|un|una) (?:madre|padre|mam"
        r"a|"
        r"papa|hijo|hija|esposa|esposo|hermano|hermana|abuela|abuelo|tia|tio|vecino|vecina|amigo|"
        r"amiga|particular)\b",
        r"\b(?:negocio|empresa|local|tienda|compania|sociedad)\b[^.!?\n]{0,40}\b(?:ya no existe|"
        r"cerro|dejo de existir|ya no opera|esta cerrad[oa])\b",
        r"\b(?:de uso personal|es (?:mi )?(?:numero|correo|telefono|celular) personal)\b",
        r"\bactualic\w* (?:sus|los|vuestros) (?:datos|registros|contactos)\b",
        r"\b(?:le |les |se |me )?(?:erraron|erro|errado|equivocaron) de (?:numero|persona|mail|cor"
        r"reo|"
        r"contacto|telefono)\b",
        r"\b(?:yo )?no (?:he )?(?:compre|compramos|pedi|pedimos|contrate|contratamos|ordene) nada"
        r"\b",
        r"\b(?:no soy|yo no soy) (?:el|la) (?:dueno|duena|titular|propietari[oa])\b",
        r"\b(?:negocio|empresa|local|tienda|compania) (?:ya )?(?:cerro|no existe|dejo de existir)"
        r"\b",
        r"\b(?:cambio|cambiaron) de (?:numero|telefono|celular|correo)\b",
        r"\b(?:este|ese) (?:numero|telefono|celular|correo) (?:es|era) (?:de )?(?:otra|otro|mio)\b",
        r"\b(?:anterior|antiguo|nuevo|antigua|nueva) (?:dueno|duena|propietari[oa]|titular)\b",
        r"\b(?:este|ese) (?:numero|telefono|celular|correo) (?:ahora )?es mio\b",
    ),
    rule(
        "wrong_contact.ya_no_es",
        WRONG_CONTACT,
        2.0,
        r"\b(?:busquen|busque|hablen con|hable con|pregunten|preguntenle) (?:a|al|a la|con)? ?(?:e"
        r"l |la )?"
        r"(?:inquilino|dueno|duena|propietari[oa]|encargad[oa]|nuevo|nueva|contador|contadora|"
        r"gerente|administrador|administradora|jefe|jefa|oficina)\b",
        r"\bya no (?:manejo|maneja|administro|administra|atiendo|atiende|me encargo|se encarga|veo|"
        r"llevo) (?:\w+ )?(?:las |los |la |el )?(?:cuentas|pagos|facturas|cobros|compras|contabili"
        r"dad)\b",
        r"\bya no (?:trabajo|laboro|trabaja|labora|estoy|esta|soy|es|vive|vivo|vivimos|viven|"
        r"pertenezco|pertenece|"
        r"llevo|veo)\b",
        r"\b(?:dirig\w*|contact\w*|escrib\w*|comuni\w*|envi\w*|mand\w*)(?: \w+){0,5} "
        r"(?:directamente|en adelante|a partir de ahora|en lo sucesivo)\b",
        r"(?<!no )(?<!me )(?<!nos )"
        r"\b(?:escribid|escriban|dirijanse|diriganse|contacten|comuniquense) (?:a|con|al)\b",
        r"\b(?:le|les|te) (?:reenvio|reenviamos|turno)\b",
        r"\bno (?:es|soy) (?:el|la) (?:indicad[oa]|encargad[oa]|correct[oa]|responsable|persona "
        r"(?:indicada|encargada|correcta))\b",
        r"\bno (?:soy|estoy) (?:a cargo|encargad[oa]) de\b",
        r"\bya no (?:estoy|esta|estamos) a cargo\b",
        r"\bcorreo no es el (?:indicado|correcto)\b",
        r"\bahora (?:\w+ ){0,3}(?:lo |la |los |las )?(?:lleva|llevan|maneja|manejan|ve|ven|atiende|"
        r"atienden)\b",
        r"\b(?:administracion|gerencia|direccion|duenos|dueno|propietarios|empresa) anterior(?:es)"
        r"?\b",
        r"\b(?:deben|debe|deberan|tienen que) (?:enviarse|dirigirse|mandarse|remitirse|enviarlas|"
        r"enviarla|enviar(?:se)? (?:las|la)?) ?(?:\w+ )?(?:a|al) \S+@",
        r"\b(?:buzon|correo|cuenta) (?:ya )?no (?:se revisa|es revisad[oa]|esta activ[oa]|se "
        r"monitorea|es monitoread[oa])\b",
        r"\b(?:mi|nuestro|nuestra) (?:companer[oa]|colega|contador[a]?|jefe|jefa|socio|socia) "
        r"(?:\w+ )?(?:ve|lleva|maneja|atiende|se encarga)\b",
    ),
)
