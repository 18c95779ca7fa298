"""Evidence of disputes about the goods or service themselves: delivery and quality."""

from __future__ import annotations

from service.disputes.labels import DELIVERY, QUALITY
from service.disputes.lexicon import GOODS, MERCANCIA, NOT_PAPER
from service.disputes.rules import Rule, rule

# Who was supposed to come and do the work.
_WORKER_EN = (
    r"(?:engineer|technician|tech|plumber|electrician|crew|installer|installers|driver|courier|"
    r"landscapers?|cleaners?|contractor|painter|painters|mechanic|someone|anyone|nobody|no one|"
    r"they|he|she|you|your (?:guys|team|people|tech|crew|staff|man|guy))"
)
_WORKER_ES = (
    r"(?:tecnicos?|plomero|electricista|instalador(?:es)?|repartidor|chofer|nadie|el personal|"
    r"ustedes|la cuadrilla|los trabajadores|el trabajador|el pintor|el mecanico|la gente)"
)
_DEVICE_VERB_EN = (
    r"(?:work|working|function\w*|turn on|start|starting|fit|power on|charge|charging|cool|"
    r"cooling|heat|heating|spin|spinning|print|printing|drain|draining|run|running|close|lock|"
    r"flush|boot|connect|hold|seal|stick|flow)"
)
_DEFECT_EN = (
    r"(?:damaged|defective|defect|defects|broken|broke|faulty|cracked|chipped|dented|scratched|"
    r"leaking|leaks|leaky|spoiled|rotten|moldy|mouldy|torn|ripped|shattered|crushed|smashed|"
    r"squashed|melted|warped|bent|stained|frayed|peeling|misprint\w*|mislabel\w*|misaligned|"
    r"malfunction\w*|dead pixels?|unusable|doa|dead on arrival|expired|stale|rancid|"
    r"contaminated|infested|moth-eaten|faded)"
)
_DEFECTO_ES = (
    r"(?:danad[oa]s?|defectuos[oa]s?|defectos?|rot[oa]s?|quebrad[oa]s?|golpead[oa]s?|"
    r"rayad[oa]s?|abollad[oa]s?|estropead[oa]s?|caducad[oa]s?|vencid[oa]s?|podrid[oa]s?|"
    r"manchad[oa]s?|descompuest[oa]s?|averiad[oa]s?|fall[oa]s? de fabrica|en mal estado|"
    r"mal estado|mala calidad|desperfecto\w*|aplastad[oa]s?|derretid[oa]s?|deficiente|"
    r"mal servicio|mala atencion|fuga|gotea|goteando|pierde (?:agua|aceite|aire)|rajad[oa]s?|"
    r"descosid[oa]s?|despegad[oa]s?|oxidad[oa]s?|deformad[oa]s?|roid[oa]s?|pesim[oa]s?|"
    r"desastre|chafa|una porqueria|un asco|fatal|sucio|sucia|sucios|sucias|con mal olor|huele mal|"
    r"olia mal|apestaba|descuadrad[oa]s?|desnivelad[oa]s?|torcid[oa]s?|chuec[oa]s?)"
)


GOODS_RULES: tuple[Rule, ...] = (
    rule(
        "reason.delivery_en",
        DELIVERY,
        2.0,
        r"\b(?:never|not|havent|have not|hasnt|has not|didnt|did not|still not|still havent|"
        r"wasnt|was not|werent|were not|yet to be|havent yet) (?:\w+ )?(?:received|receive|arrived|"
        r"arrive|delivered|showed up|show up|shipped|gotten|got)\b" + NOT_PAPER,
        r"\bshort[- ]?(?:shipped|shipment|ship|delivered|delivery)\b",
        rf"\b(?:missing|lost) (?:\w+ )?{GOODS}\b",
        rf"\b{GOODS} (?:\w+ )?(?:missing|lost)\b",
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
        rf"any|all the|all of the) {GOODS}\b",
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
        + NOT_PAPER,
        r"\bno (?:hemos|he) recibido\b" + NOT_PAPER,
        r"\bno (?:recibimos|recibi|hemos recibido)\b" + NOT_PAPER,
        r"\b(?:nobody|no one|noone|nadie) (?:ever )?(?:showed|came|arrived|show|vino|llego|se "
        r"presento)\b",
        r"\b(?:todavia|aun|aun no|y|hasta ahora|a la fecha|al dia de hoy|hasta hoy) no (?:nos |me "
        r")?"
        r"(?:llega|llegan|ha llegado|han llegado)\b" + NOT_PAPER,
        r"\bnunca (?:me |nos )?(?:llego|llegaron|"
        r"entregaron|recibimos|recibi)\b" + NOT_PAPER,
        r"\bno (?:me |nos )?(?:llego|llegaron|entregaron|surtieron)\b" + NOT_PAPER,
        r"\bsolo (?:me |nos |se )?(?:llegaron|llego|entregaron|recibimos|recibi|mandaron|enviaron|"
        r"dejaron)\b",
        r"\b(?:faltan?|faltaron|falto) (?:\d+|una?|unas|unos|dos|tres|piezas|productos|cajas|"
        r"articulos|material)\b",
        r"\bfaltantes?\b",
        r"\b(?:pedido|envio|entrega) incomplet[oa]\b",
        r"\b(?:sigo|seguimos|estoy|estamos) esperando (?:el |la |los |las )?" + MERCANCIA,
        r"\bno (?:se |nos |me )?(?:realizo|hizo|presto|termino|instalo|vino|vinieron|"
        r"se presento)\b(?! (?:el |la |un |una )?(?:pago|transferencia|deposito|abono|cargo|nota))",
        r"\b(?:productos?|modelos?|piezas?|articulos?|mercancia|material|talla|color|refaccion|"
        r"pedido)(?: \w+)? equivocad[oa]s?\b",
        r"\b(?:otro modelo|otra talla|otro color)\b",
        r"\b(?:servicio|trabajo|instalacion|mantenimiento) (?:no|nunca) (?:se )?(?:realizo|hizo|"
        r"presto|termino|completo)\b",
        r"\bpendiente de (?:entrega|envio)\b",
        r"\bno hemos recibido (?:el|la|los|las)? ?" + MERCANCIA,
        r"\b(?:llegaron|llego|recibimos|recibi|entregaron|mandaron|enviaron) (?:solo |solamente )?"
        r"\d+\b[^.!?\n]{0,40}\b(?:facturaron|cobraron|factura|facturan|cobran|nos cobran)\b",
        r"\b(?:cancelad[oa]|suspendid[oa]) por (?:ustedes|su parte|parte de ustedes)\b",
        r"\bnunca se (?:reprogramo|realizo|presto|entrego|instalo|hizo)\b",
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
        "reason.quality_en",
        QUALITY,
        2.0,
        rf"\b{_DEFECT_EN}\b",
        # A broken payment link is a portal problem, not a defective product.
        r"(?<!link )(?<!portal )(?<!website )(?<!site )(?<!page )(?<!card )(?<!login )"
        r"\b(?:doesnt|does not|didnt|did not|isnt|wont|stopped|its not|it is not|arent|never) "
        r"(?:\w+ )?(?:work|working|function\w*|turn on|start|fit|power on)\b",
        r"\b(?:rma|return authori[sz]ation|warranty|(?<!my )(?<!his )(?<!her )(?<!new )"
        r"replacements?(?! for (?:me|him|her)| (?:check|cheque|payment|card|wire)))\b",
        r"\b(?:returning|returned|return|sent back|shipping back|send back)\b(?: \w+){0,4} "
        r"(?:units?|items?|parts?|monitors?|products?|goods|them|it|merchandise|boxes|cases)\b",
        r"\b(?:poor|bad|terrible|low|unacceptable|subpar|sloppy|shoddy) (?:quality|workmanship|"
        r"job|work|service)\b",
        r"\b(?:not |un|dis)(?:satisfied|happy|pleased|acceptable)\b",
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
        r"\b(?:pintura|piso|azulejos?|baldosas?|papel|yeso|techo|pared)\b[^.!?\n]{0,20}\b(?:levant"
        r"ando|"
        r"despegando|cayendo|cuarteando|agrietando|cuarteada|agrietada|levantada)\b",
        r"\b(?:vengan|vengais|venga|vengas) a (?:arreglar|reparar|terminar|cambiar|corregir)\w*",
        r"\b(?:filtracion\w*|humedad|humedades|grietas?|goteras?|se (?:rompio|rompieron|desprendio|"
        r"despego|cayo|descoso))\b",
        r"\b(?:descosid|despegad|desteñid|destenid|oxidad|vencid|caducad)[oa]s?\b(?! (?:la |el )?"
        r"(?:factura|plazo|pago))",
        r"\bno quedo bien\b",
        r"\b(?:no estamos|no estoy|inconformes?|insatisfech[oa]s?|no conformes?)(?: \w+)? con (?:e"
        r"l|"
        r"la) (?:servicio|trabajo|calidad|producto|instalacion|reparacion)\b",
    ),
    rule(
        "reason.quality_workmanship",
        QUALITY,
        2.0,
        r"\b(?:send|sending) (?:out )?(?:someone|somebody|a tech\w*|an engineer|a plumber|a crew|"
        r"your (?:guy|tech|crew))\b",
        r"\bcome (?:back )?(?:out )?(?:and |to )fix\b",
        r"\bfix the (?:damage|problem|leak|issue)\b",
        r"\bhasta que (?:no )?quede bien\b",
    ),
    rule(
        "reason.delivery_not_rendered",
        DELIVERY,
        2.0,
        rf"\b{_WORKER_EN}\b[^.!?\n]{{0,20}}\b(?:didnt|did not|never|failed to|doesnt|havent|"
        rf"hasnt|wont) (?:\w+ )?(?:attend|show|come|arrive|turn up|make it|visit|start|install)\b",
        r"\b(?:no|nothing|none of the) (?:service|work|job|visit|visits|repair|cleaning|delivery)\b"
        r"[^.!?\n]{0,15}\b(?:was|were|has been|got) (?:provided|performed|done|rendered|delivered|"
        r"completed|made)\b",
        r"\b(?:wasnt|was not|werent|were not|never|hasnt been|has not been|not|never been) "
        r"(?:\w+ )?(?:provided|performed|rendered|attended|carried out|took place|taken place)\b",
        r"\b(?:cancell?ed|called off|rescheduled|missed) (?:my |our |the |your )?(?:appt|"
        r"appointment|visit|session|training|class|booking|delivery|installation|install|"
        r"service call)\b",
        r"\b(?:hasnt|has not|havent|have not|never|not) (?:even )?(?:started|begun|been started)\b",
        r"\b(?:got|received|delivered|arrived|came|counted)\b (?:only )?\d+ (?:of|out of) (?:the )?"
        r"\d+\b",
        r"\b\d+ (?:of|out of) (?:the )?\d+ (?:\w+ )?(?:arrived|came|were delivered|showed up)\b",
        r"\bnever ordered (?:this|these|that|it|them|the)\b",
        r"\b(?:you|u|they) (?:sent|shipped|delivered|gave) (?:us |me )?(?:the )?(?:wrong|"
        r"different|incorrect)\b",
        r"\b(?:ordered|asked for|wanted) (?:\w+ ){1,3}(?:got|received|sent|came)\b",
        rf"\b(?:rest|remainder|balance|second half|other half) of (?:the |my |our )?{GOODS}\b",
        rf"\b(?:still|yet to|never) (?:\w+ )?(?:missing|waiting for|waiting on) (?:\w+ )?(?:\d+ )?"
        rf"(?:\w+ )?{GOODS}",
        r"\b(?:hasnt|has not|havent|have not|didnt|did not) (?:turned up|arrived|come|shown up)\b"
        r"(?! through)",
        r"\b(?:got|received|only got|only received|were sent|delivered) \d+ (?:\w+ )?(?:not|instea"
        r"d "
        r"of|but (?:ordered|paid for|were billed for)) \d+\b",
        r"\btracking (?:shows|says|number)\b",
        r"\bonly (?:\w+ ){0,4}(?:one|two|three|\d+) of (?:the )?(?:two|three|four|five|six|seven|"
        r"\d+)\b",
        r"\bonly \d+ (?:hours?|visits?|sessions?|days?|units?)\b[^.!?\n]{0,20}\b(?:were|was)? ?"
        r"(?:performed|provided|delivered|worked|done|rendered|completed)\b",
        r"\bonly (?:did|delivered|sent|worked|stayed|provided|performed|cleaned|came for|showed up"
        r" for|"
        r"was here for|were here for) (?:\w+ ){0,2}\d+\b",
        r"\buntil (?:you|they|your (?:guys|team|crew)) (?:\w+ )?(?:finish|complete|deliver|install|"
        r"come back and finish|show up)\b",
    ),
    rule(
        "reason.entrega_no_realizada",
        DELIVERY,
        2.0,
        rf"\b{_WORKER_ES}\b[^.!?\n]{{0,20}}\bno (?:se )?(?:ha |han )?(?:presentado|presento|"
        rf"presentaron|vino|vinieron|llego|llegaron|asistio|asistieron|aparecio|aparecieron|venido)"
        rf"\b",
        r"\bnunca (?:me |nos )?(?:vino|vinieron|aparecio|aparecieron|se presento|se presentaron|"
        r"instalaron|hicieron)\b",
        r"\bse (?:paro|detuvo|suspendio|cancelo|freno) (?:la |el )?(?:obra|trabajo|servicio|"
        r"proyecto|instalacion)\b",
        r"\b(?:mandaron|enviaron|entregaron|surtieron|trajeron|mandasteis|enviasteis) (?:mal|"
        r"equivocad[oa]|incomplet[oa]) (?:el|la|los|las)?\b",
        r"\bped(?:i|imos)\b[^.!?\n]{0,30}\by (?:vino|vinieron|llego|llegaron|mandaron|enviaron|me "
        r"dieron|nos dieron|trajeron)\b",
        r"\b(?:otra|otro|otras|otros) (?:referencia|cosa|producto|articulo|modelo|talla|color|"
        r"talle|medida|marca|pedido)\b",
        r"\b(?:yo |nosotros )?no (?:pedi|pedimos|ordene|ordenamos|solicite|solicitamos|encargue|"
        r"encargamos|compre|compramos) (?:eso|esto|esa|ese|esas|esos)\b",
        r"\bdiferente a (?:la|lo|las|los) que (?:pedimos|pedi|ordenamos|solicitamos)\b",
        r"\b(?:recibimos|recibi|llegaron|llego|entregaron|nos dejaron|me dejaron) (?:solo |"
        r"solamente )?\d+ de (?:los |las )?\d+\b",
        r"\b(?:los|las) (?:otr[oa]s|demas|restantes) (?:\d+ )?(?:\w+ )?no (?:aparecen|llegaron|"
        r"estan|vinieron|llegan)\b",
        r"\bfalta(?:n)? (?:por|de) (?:entregar|enviar|surtir|llegar|instalar)\b",
        r"\b(?:no (?:han|ha) (?:entregado|enviado|instalado|surtido|terminado|empezado|comenzado)|"
        r"no (?:lo |la |los |las )?(?:han )?(?:entregado|instalado) todavia)\b",
        r"\btodavia no (?:me |nos )?(?:llega|llegan|entregan|instalan|traen)\b",
        r"\bsolo (?:se )?(?:prestaron|realizaron|hicieron|trabajaron|vinieron|entregaron|dieron|"
        r"cumplieron|hubo) \d+",
        r"\bhasta que (?:\w+ ){0,3}(?:terminen|termine|acaben|completen|instalen|entreguen|lleguen|"
        r"llegue|traigan|terminar|acabar|completar|instalar|entregar)\b",
    ),
    rule(
        "reason.quality_general",
        QUALITY,
        2.0,
        rf"\b(?:stopped|quit|stops|wont|doesnt|does not|didnt|did not|cant|isnt|not|never|barely) "
        rf"(?:\w+ )?{_DEVICE_VERB_EN}\b(?! (?:for you|for me|out|with (?:my|our) (?:schedule|"
        rf"budget)))",
        r"\b(?:died|conked out|gave out|burned out|burnt out|blew up|fried|fell apart|came apart)\b"
        r"(?! (?:in|last) )",
        r"\b(?:installed|done|fitted|built|made|assembled|mounted|wired|painted|fixed|repaired|cut|"
        r"sewn|printed|hung|laid) (?:\w+ )?(?:incorrectly|wrong|wrongly|badly|poorly|improperly|"
        r"sloppily)\b",
        r"\bstill\b[^.!?\n]{0,40}\b(?:after|since) (?:the |your |their )?(?:repair|fix|visit|"
        r"service|engineer|technician|tech|guys?)\b",
        r"\bstill (?:leaks|leaking|broken|not working|making (?:the same|a) noise|doing the same|"
        r"not (?:heating|cooling|fixed))\b",
        r"\b(?:shambles|garbage|rubbish|junk|crap|a mess|a disaster|amateur\w*|half-assed|"
        r"disappointing|disappointed)\b",
        r"\b(?:sent|send|sending|shipped|shipping|mailed|brought|took|taking|bringing|returned) "
        r"(?:\w+ ){0,3}back\b",
        r"\b(?:replace(?:d)? or refund(?:ed)?|refund(?:ed)? or replace(?:d)?|want (?:a|my) refund|"
        r"money back)\b",
        r"\b(?:worse than (?:before|it was)|made it worse)\b",
        r"\b(?:came|arrived|delivered|showed up|come|arrives) with (?:a |an |some )?(?:\w+ ){0,2}("
        r"?:tear|"
        r"hole|crack|dent|scratch|stain|rip|chip|break|leak|damage|defect|mold|bugs)s?\b",
        r"\b(?:streak\w*|smudge\w*|residue|hardly worth|not worth (?:paying|the money|it)|"
        r"waste of money|no vale (?:la pena|lo que))\b",
        r"\b(?:making|makes|made|has|have|making) (?:a |an |this |that |the same )?(?:\w+ )?(?:noi"
        r"se|"
        r"noises|sound|rattle|squeak|smell|odor|odour)\b",
        r"\b(?:undercooked|inedible|(?:was|were|arrived|came) (?:\w+ )?(?:cold|raw|burnt))\b",
    ),
    rule(
        "reason.calidad_general",
        QUALITY,
        2.0,
        rf"\b{_DEFECTO_ES}\b",
        r"\b(?:no|ya no|sin) (?:\w+ )?(?:(?:enfria|calienta|carga|arranca|prende|jala|sirve|funcio"
        r"na|"
        r"enciende|cierra|imprime|abre|gira|seca|lava|encaja|sella|ajusta)n?|enfriar|calentar|carg"
        r"ar|"
        r"arrancar|prender|jalar|servir|funcionar|encender|cerrar|imprimir|abrir|girar|secar|lavar"
        r")\b"
        r"(?! (?:el |la )?(?:pago|tarjeta|link|enlace|portal|pagina))",
        r"\b(?:hace|hacen|hacia|sigue haciendo) (?:un |mucho |el mismo )?ruido\b",
        r"\b(?:sigue|siguen|continua|continuan) (?:\w+ )?(?:fallando|goteando|igual|sin funcionar|c"
        r"on "
        r"(?:el|la|los|las) (?:mismo|misma|mismos|mismas|falla|problema))\b",
        r"\b(?:sigue|siguen|continua|continuan)\b[^.!?\n]{0,50}\b(?:despues de|tras) (?:la |el |su "
        r")?"
        r"(?:reparacion|arreglo|visita|servicio|mantenimiento)\b",
        r"\bno (?:fue|quedo|ha quedado|esta) (?:bien )?(?:arreglad|reparad|resuelt)[oa]\b",
        r"\b(?:quedo|quedaron|salio|salieron|vino|vinieron|venia|venian|llego|llegaron|esta|estan) "
        r"(?:muy )?"
        r"(?:mal|fatal|horrible|pesim[oa]s?|chuec[oa]s?|sucio|sucia)\b",
        r"\b(?:se metio|entra|se filtra|se sale) (?:el )?agua\b",
        r"\b(?:los|las|lo|la|nos|me) (?:\w+ )?(?:cambien|reemplacen|repongan|reparen|arreglen)\b",
        r"\b(?:vamos a|voy a|queremos|quiero|los vamos a|las vamos a|hay que) (?:regresar|devolver|"
        r"cambiar)(?:lo|la|los|las)?\b",
        r"\b(?:ya )?(?:lo |la |los |las )?(?:regrese|regresamos|devolvi|devolvimos)\b",
        r"\b(?:manden|envien|mande|envie) a alguien\b",
        r"\b(?:se )?(?:destin|destenid|decolor|encog|deshil|despint|descascar)\w*\b",
        r"\b(?:dando|da|dan|tira|tiran|marca|marcan) (?:\w+ )?(?:errores|error|fallas|problemas)\b",
        r"\bhasta que (?:no )?(?:\w+ )?(?:funcione|funcionen|quede|queden|sirva|sirvan|arreglen|"
        r"reparen|lo arreglen|lo reparen)\b",
        r"\b(?:peor que antes|quedo peor|anda peor|esta peor|funciona peor|quedo para atras)\b",
        r"\b(?:dejaron|dejo) (?:todo )?(?:sucio|peor|mal)\b",
    ),
)
