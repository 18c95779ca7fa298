"""Evidence that a customer asks for instalments, more time, or cites hardship."""

from __future__ import annotations

from service.disputes.labels import PAYMENT_PLAN
from service.disputes.rules import Rule, rule

_NUMBER = r"(?:\d+|one|two|three|four|five|six|a few|a couple of|several)"
_PERIOD_EN = r"(?:week|month|two weeks|2 weeks|paycheck|payday|pay period|other week|fortnight)"
_TROUBLE_EN = (
    r"(?:lost my job|lost (?:my |our )?(?:biggest |main )?(?:client|customer|contract)|laid off|"
    r"unemploy\w*|furlough\w*|"
    r"unemployed|out of work|between jobs|hardship|cash ?flow|tight on (?:cash|money)|"
    r"short on (?:cash|money|funds)|money (?:is|has been) tight|tight (?:right now|this month|"
    r"at the moment)|struggling|rough (?:patch|time|month)|(?:business|sales|work) (?:has been|"
    r"is|was) (?:slow|down|bad)|slow (?:season|month)|lost (?:hours|shifts)|hours (?:got )?cut|"
    r"medical (?:bills|emergency|issues|reasons|expenses|condition)|in (?:the )?hospital|"
    r"hospitali[sz]ed|surgery|cancer|passed away|funeral|emergency|divorce|disability|evicted|"
    r"chemo|out sick|been sick|got sick|(?:was|is|am|im) sick(?! of)|waiting (?:on|for) (?:a |"
    r"our |the )?(?:\w+ )?(?:client|customer|receivable|funding|grant|insurance|settlement)|"
    r"delay in (?:funding|payments from)|bills (?:are )?piling up|tight spot|tough spot|in a bind|"
    r"behind on (?:bills|everything))"
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
        r"\b(?:and|then) (?:the )?(?:rest|remainder|remaining|balance|other half)\b(?! of (?:the )"
        r"?(?:order|"
        r"shipment|goods|items|parts|work|job))",
        r"\$?\d[\d,.]*k? (?:a|per|each|every) (?:week|month|paycheck|payday|two weeks|friday|mon"
        r"day|"
        r"other week|quincena|semana|mes)\b",
        rf"\b(?:do|pay|send|give|afford) (?:you )?\$?\d[\d,.]*k? (?:every|each|a|per) "
        rf"(?:other )?{_PERIOD_EN}\b",
        r"\b(?:pay|paying) (?:it )?(?:in|by) (?:parts|chunks|installments|pieces)\b",
        r"\bpay (?:some|part|a portion) (?:\w+ ){0,2}(?:and|then) (?:some|the rest)\b",
        rf"\b(?:break|divide|split) (?:it |this |that |the \w+ )?(?:up )?(?:in|into|over) "
        rf"(?:{_NUMBER} |smaller |monthly |weekly )?(?:payments|parts|pieces|chunks)\b",
        r"\bsmaller (?:payments|amounts|chunks)\b",
        rf"\b{_NUMBER} (?:monthly |weekly |equal |small |separate )?(?:payments|instal?l?ments) of"
        rf"\b",
        r"\b(?:pay|paying) (?:it |this |the balance |the rest )?(?:off )?(?:monthly|weekly|every "
        r"month|every week|each month|by the month)\b",
        r"\b(?:standing order|direct debit|recurring payment|autopay|auto-pay) (?:\w+ ){0,4}"
        r"(?:monthly|weekly|off|each month|every month)\b",
        r"\b(?:monthly|weekly|biweekly|bi-weekly) (?:plan|payments?|instal?l?ments?)\b",
        r"\bwork (?:something|out something|out a (?:plan|deal|arrangement|schedule))\b",
        r"\b(?:set|setup|set up) (?:a |some )?(?:monthly|weekly|regular) (?:payments?|plan)\b",
        rf"\b(?:every|each|per) (?:other )?{_PERIOD_EN}\b",
        r"\bevery \d+ (?:weeks|days)\b",
        r"\b(?:of|each|every) (?:the )?month until\b",
        r"\bpay (?:it |this )?(?:off )?(?:over time|bit by bit|little by little|in pieces)\b",
        r"\b(?:half|\$?\d[\d,.]*) now and (?:the rest|half|the other half|\$?\d[\d,.]*)\b",
        r"\b(?:refinanc\w*|restructure the (?:debt|balance))\b",
        r"\b(?:can|could) only (?:do|pay|afford) \$?\d",
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
        r"\bspread(?:ing)? (?:it|this|the \w+|payments?)? ?(?:over|across|out)\b",
        r"\b(?:give|get|have|until|till|til) (?:me |us )?(?:until|till|til) (?:the )?"
        r"(?:end|next|\w+day|payday)\b",
        r"\b(?:need|needs|request\w*|ask\w*|want|would like) (?:for )?(?:a little |a bit |some )?"
        r"(?:more |extra )?(?:time|extension)\b",
        r"\b(?:push|move|pushing) (?:it|this|the (?:due )?date|the deadline|the payment) "
        r"(?:back|out)\b",
        r"\b(?:a|one|two|three|\d+)[- ](?:week|month|day)s? extension\b",
        r"\b(?:extend|extended|extending) (?:the )?(?:payment )?terms\b",
        r"\bnet \d+ (?:days|terms)\b",
        r"\b(?:could|can|may) (?:we|i) (?:\w+ ){0,4}(?:pay|settle|cover)\b[^.!?\n]{0,40}\b(?:inste"
        r"ad|"
        r"later|next month|in (?:early|mid|late) \w+)\b",
        r"\bover the (?:next|coming|following) (?:quarter|few months|couple of months|months|year|"
        r"\d+ (?:weeks|months))\b",
        r"\b(?:need|needs|need another|need a) (?:a few|some|a couple|a couple of|two|three|\d+|fe"
        r"w) "
        r"(?:more )?(?:weeks|days|months)\b",
        r"\b(?:leave|push|move|hold) (?:it|this|the payment|payment) (?:off )?(?:until|till|to|for"
        r") "
        r"(?:next month|next year|the (?:next|following) month|january|february|march|april|may|"
        r"june|july|august|september|october|november|december)\b",
        r"\b(?:need|needs|needed) (?:\w+ )?(?:until|till|til) (?:the |next )?\w+",
    ),
    rule(
        "plan.hardship_en",
        PAYMENT_PLAN,
        1.5,
        r"\b(?:dont|do not|didnt) have (?:the )?(?:cash|money|funds)\b",
        r"\b(?:cant|cannot|can not|unable to|not able to) (?:afford|pay (?:it |this |the )?"
        r"(?:all|in full|the full|everything|right now|at (?:the|this) moment))",
        rf"\b{_TROUBLE_EN}\b",
        r"\b(?:cant|cannot|can not|unable to|not able to) (?:cover|pay) (?:it |this |the \w+ )?"
        r"(?:all|in full|at once|all at once|the full amount|right now)\b",
        r"\b(?:its|it is|thats) (?:a lot|too much) (?:at once|right now|for me)\b",
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
        r"\b(?:dividir|divid[ia]\w*|partir|fraccionar|prorratear)(?:lo|la|los)? (?:en|a) "
        r"(?:\d+|dos|tres|cuatro|cinco|seis|varios|varias|partes|cuotas|pagos)\b",
        r"\ben (?:dos|tres|cuatro|\d+) veces\b",
        r"\bde a \$?\d",
        r"\b\$?\d[\d,.]* (?:mil )?(?:por|cada|a la|al) (?:semana|mes|quincena)\b",
        r"\b(?:refinanci\w*|reestructur\w* (?:la|el) (?:deuda|saldo))\b",
        r"\b(?:cuotas|abonos)\b",
        r"\bir (?:dando|pagando|abonando|depositando)\b",
        r"\b(?:\$?\d[\d,.]*|la mitad|una parte|algo) (?:ahora|ahorita|hoy|este mes|esta semana) y "
        r"(?:\$?\d[\d,.]*|el resto|la otra mitad|lo demas|otra parte)\b",
        r"\b(?:financiar|financien|financiamiento|financiacion|refinanciar)\w*\b",
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
        r"\b(?:semanita|mesecito|diitas|unos diitas|un par de (?:dias|semanas)) ?(?:mas)?\b",
        r"\b(?:un|una|dos|tres|\d+) (?:dia|dias|semana|semanas|mes|meses) mas\b",
        r"\b(?:mas|mayor|adicional) (?:de )?plazo\b|\bplazo (?:adicional|extra|mayor)\b",
        r"\bampliacion (?:del|de) (?:plazo|termino)\b",
        r"\b(?:congelar|congelen|pausar|pausen|suspender|suspendan|detener) (?:la |el |los |las )?"
        r"(?:deuda|pagos|cobro|cobros|cuenta|intereses)\b",
        r"\b(?:necesito|necesitamos|ocupo|ocupamos) (?:unas|unos|un par de|algunas|algunos|dos|tre"
        r"s|"
        r"\d+|un|una) (?:mas )?(?:semanas|dias|meses|semana|mes)\b",
        r"\b(?:dejar|dejarlo|dejarla|pasar|pasarlo|pasarla|mover|moverlo|correr|correrlo|recorrer|"
        r"recorrerlo)(?:lo|la)? (?:el pago )?(?:para|hasta|al) (?:el (?:mes|otro|proximo|siguiente"
        r")|"
        r"la (?:otra|proxima|siguiente) (?:semana|quincena)|enero|febrero|marzo|abril|mayo|junio|"
        r"julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)\b",
        r"\b(?:dar|darme|darnos|den|deme|denme|dame|dais|dan|das|darias|dejar|esperar|esperarme|"
        r"aguantar|aguantarme)\b (?:\w+ )?hasta\b",
        r"\b(?:me|nos) (?:esperas|esperan|espera|esperais|aguantas|aguantan)\b",
        r"\b(?:podria|podriamos|puedo|podemos) pagar (?:a|en) (?:finales|fin) de\b",
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
        r"falta de liquidez|iliquidez|crisis|no tengo dinero|ahorita no tengo|me despidieron|"
        r"perdi (?:el|mi) (?:trabajo|empleo|chamba|laburo)|erte|no tengo (?:como|con que)|(?:ando|"
        r"estoy|voy|"
        r"estamos|andamos) (?:muy )?(?:cort[oa]s?|apretad[oa]s?|justos?|mal de (?:lana|dinero|"
        r"plata|feria)|complicad[oa]s?|en (?:la|una) mala racha)|flujo de caja|sin flujo|"
        r"no (?:contamos|tenemos|tengo) (?:con )?(?:el )?(?:flujo|liquidez|dinero|plata|lana)|"
        r"retraso en (?:los )?cobros|(?:cliente|clientes) (?:principal )?(?:se atras\w*|no (?:nos )"
        r"?"
        r"ha pagado)|no he podido trabajar|se (?:me|nos) complic\w*|mala racha|"
        r"se (?:me|nos) (?:juntaron|acumularon|vinieron encima) (?:\w+ )?(?:gastos|pagos|deudas|"
        r"cuentas|cosas))\b",
        r"\bno (?:llego|llegamos|me alcanza|nos alcanza|alcanzo) a (?:pagar|cubrir|juntar|fin|fina"
        r"l)\w*",
        r"\b(?:me |nos )?(?:bancas|bancan|banca|bancar|bancais|aguantas|aguantan|aguantais) "
        r"(?:unos|unas|un|una|hasta|el|la|dos|tres)\b",
    ),
)
