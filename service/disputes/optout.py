"""Opt-out detection: does the sender ask us to stop writing to them?

Missing an opt-out is a compliance failure (TCPA, carrier rules, GDPR), while a
false alarm only silences one channel for one customer, so the rules lean towards
recall. They still refuse the everyday uses of "stop": "stop by the office",
"we stopped the payment", "it stopped working".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.disputes.optout_words import FILLER as _FILLER
from service.disputes.optout_words import KEYWORDS as _KEYWORDS
from service.disputes.rules import Hit, Rule, rule, run
from service.disputes.text import sentences

OPT_OUT = "opt_out"

_CORE_TWO_WORD = ("opt out", "dar de baja", "darme de baja")

_MEDIA = (
    r"(?:text\w*|txt\w*|messag\w*|msgs?|e-?mail\w*|mails?|call\w*|contact\w*|sms|phone calls?|"
    r"spam\w*|harass\w*|writ\w*|bother\w*|remind\w*|notif\w*|robocall\w*|hound\w*|pester\w*|"
    r"bugg\w*|nagg\w*|hassl\w*|"
    r"send\w*|whatsapp\w*|wsp|collection activit\w*|collection efforts?|collections|"
    r"blowing up|blow up|ringing)"
)
_ES_IMPERATIVE = (
    r"(?:mande|manden|mandes|mandeis|envie|envien|envies|envieis|escriba|escriban|escribas|"
    r"escribais|llame|llamen|llames|llameis|contacte|contacten|contactes|contacteis|"
    r"molesten|moleste|molestes|molesteis|marquen|marque|sigan|siga|sigas|sigais|vuelvan|"
    r"vuelva|vuelvas|volvais|textee|texteen|acosen|hostiguen|esten|anden)"
)
_ES_CHANNEL = (
    r"(?:mensajes?|msjs?|sms|correos?|e-?mails?|mails?|llamadas|avisos|recordatorios|"
    r"notificaciones|whatsapps?|textos|cobranza)"
)
_DOCUMENTS = r"(?:factura|nota|xml|pdf|copia|estado|comprobante|cotizacion|remision|refaccion)"
_INVOICE_NOUNS = r"(?:factura|cfdi|folio|pedido|orden|nota|proveedor|servicio|cargo|partida)"

RULES: tuple[Rule, ...] = (
    rule(
        "opt_out.stop_contact_en",
        OPT_OUT,
        2.0,
        rf"\b(?:stop|quit|cease|cut out|knock off)\b(?! by| in\b| over| at\b| pay)"
        rf"(?: (?:with|all|the|these|those|your|ur|sending|this|that|them|any|me|us|it|of|"
        rf"automated|automatic|fucking|damn|text|sms|email|phone|daily|constant|endless|getting|"
        rf"receiving|"
        rf"annoying|payment|collection|robo)){{0,3}} {_MEDIA}",
    ),
    rule(
        "opt_out.enough_en",
        OPT_OUT,
        2.0,
        rf"\benough (?:with )?(?:the |these |your |all (?:the |these )?)?{_MEDIA}",
        r"\b(?:want|wanna|need) (?:to be )?(?:off|removed from) (?:this|the|your|ur)\b",
        r"\bopt (?:me|us|my (?:number|email|phone)|this number) out\b",
        r"\blose (?:my|this|our) (?:number|email|contact)\b",
        r"\b(?:dont|do not|never) want to hear from (?:you|your company|u)\b",
    ),
    rule(
        "opt_out.keep_contacting_threat_en",
        OPT_OUT,
        2.0,
        # "keep texting me and I'll sue" asks for the texts to end.
        r"\b(?:if you|you) (?:keep|continue|dont stop) (?:on )?(?:calling|texting|emailing|"
        r"messaging|contacting|harassing|bothering)\b",
        r"\bkeep (?:calling|texting|emailing|messaging|contacting|harassing|bothering)"
        r"(?: me| us)? (?:and|or) (?:ill|i will|we will|well|i am|im)\b",
        r"\bone more (?:text|call|email|message)\b",
        r"\bany (?:further|more|other) (?:calls|texts|messages|emails|contact) (?:will|and)\b",
    ),
    rule(
        "opt_out.no_more_en",
        OPT_OUT,
        2.0,
        rf"\bno (?:more|further) (?:\w+ )?{_MEDIA}",
    ),
    rule(
        "opt_out.do_not_contact_en",
        OPT_OUT,
        2.0,
        r"\b(?:do not|dont|never|please dont|pls dont) (?:ever )?(?:text|txt|email|e-mail|message|"
        r"msg|call|contact|write|sms|bother|harass|spam|send (?:me|us) (?:any|more|texts?|"
        r"messages?|emails?|reminders?|notifications?))\b",
    ),
    rule(
        "opt_out.unsubscribe_en",
        OPT_OUT,
        2.0,
        r"\bunsubscrib\w*",
        r"\bopt(?:ed|ing)?[- ]?out\b",
        r"\bopting out\b",
    ),
    rule(
        "opt_out.remove_from_list_en",
        OPT_OUT,
        2.0,
        r"\b(?:take|remove|delete|drop|erase|scrub)\b (?:me|us|my (?:\w+ )?(?:number|name|email|"
        r"phone|contact|info\w*|cell)|this (?:number|email|address|phone)|our (?:number|email))"
        r"(?: \w+){0,3} (?:off|from)\b",
        r"\b(?:remove|delete|erase) (?:my|this|our) (?:phone |cell |mobile |email )?(?:number|"
        r"email|phone|contact info\w*)\b",
    ),
    rule(
        "opt_out.turn_off_en",
        OPT_OUT,
        2.0,
        # "turn off text and email reminders": modifiers may be joined by and / or / &.
        r"\b(?:turn off|switch off|disable|deactivate|cancel|stop)\b (?:all |the |my |these |"
        r"your |sms |text |email |e-mail |automated |reminder |payment |and |or |& )*"
        r"(?:notifications|alerts|"
        r"reminders|texts|messages|sms|emails|e-mails)\b",
    ),
    rule("opt_out.leave_alone_en", OPT_OUT, 2.0, r"\bleave (?:me|us) alone\b"),
    rule(
        "opt_out.dont_want_en",
        OPT_OUT,
        2.0,
        r"\b(?:dont|do not|no longer) (?:want|wish|need) (?:to (?:receive|get|be contacted)|"
        r"(?:(?:any|more|anymore|of|these|those|your|the|text|sms|email|phone) )*"
        r"(?:texts|messages|emails|calls|reminders|notifications|alerts))",
    ),
    rule(
        "opt_out.cease_en",
        OPT_OUT,
        2.0,
        r"\bcease (?:and desist|all|any|further)\b",
        r"\bcease (?:communicat|contact|collect)\w*",
        r"\b(?:collection efforts?|collection activit\w+|communications?|contact|calls) (?:must|"
        r"shall|should|are to|is to|to) (?:cease|stop|end)\b",
    ),
    rule(
        "opt_out.no_me_escriban_es",
        OPT_OUT,
        2.0,
        # "hasta que no me envien la nota" is a condition, not a request to stop.
        rf"(?<!hasta que )(?<!menos que )(?<!sin que )(?<!mientras )(?<!si )(?<!cuando )"
        rf"\bno (?:me |nos |le |les )?(?:\w+ )?"
        rf"{_ES_IMPERATIVE}\b(?! (?:\w+ )?{_DOCUMENTS})",
    ),
    rule(
        "opt_out.no_enviar_es",
        OPT_OUT,
        2.0,
        # "favor de no enviar mas correos": the infinitive form of the request.
        r"\b(?:favor(?: de)?|por favor|porfa|pido|les pido|le pido|solicito|solicitamos|"
        r"agradezco|agradeceria) (?:que )?no (?:me |nos )?(?:enviar|mandar|escribir|llamar|conta"
        r"ctar|"
        r"molestar|textear|marcar)\w*",
        r"\bno (?:enviar|mandar|escribir|llamar|contactar)\w* (?:mas|ningun|ninguna)\b",
        r"\bno (?:me |nos )?(?:vuelvan|volver|vuelva|vuelvas) a (?:contactar|escribir|llamar|"
        r"mandar|enviar|molestar|marcar)\w*",
        r"\bsi (?:me |nos )?(?:siguen|vuelven a|continuan|insisten) (?:\w+ )?(?:molest|llam|escrib|"
        r"mand|textear|envi|acos|hostig)\w*",
    ),
    rule(
        "opt_out.dejen_de_es",
        OPT_OUT,
        2.0,
        r"\b(?:deje|dejen|deja|dejad|dejes|dejeis|paren|parad|dejar) de (?:estar |seguir |andar )?"
        r"(?:mand|envi|escrib|llam|molest|contact|acos|hostig|marc|text|freg|ching|jod)\w*",
    ),
    rule(
        "opt_out.no_quiero_recibir_es",
        OPT_OUT,
        2.0,
        r"\bno (?:quiero|queremos|deseo|deseamos) (?:seguir )?(?:recibir|que me|que nos|mas "
        + _ES_CHANNEL
        + ")",
    ),
    rule(
        "opt_out.baja_es",
        OPT_OUT,
        2.0,
        # "estoy de baja (medica)" is sick leave in Spain, not a request.
        r"(?<!estoy )(?<!esta )(?<!estare )(?<!estamos )(?<!estan )(?<!sigo )(?<!sigue )"
        r"(?<!encuentro )(?<!encuentra )(?<!estuve )(?<!estuvo )"
        r"\b(?:darme|darnos|darse|denme|dame|den|solicito|pido|pedimos|solicitamos|quiero|"
        r"queremos|favor de dar|dar|de) (?:de )?(?:la )?baja\b(?! (?:\w+ ){0,2}"
        + _INVOICE_NOUNS
        + r"|(?: \w+)? (?:medica|laboral|temporal|por (?:maternidad|paternidad|enfermedad|"
        r"incapacidad|accidente)))",
    ),
    rule(
        "opt_out.borren_es",
        OPT_OUT,
        2.0,
        r"\b(?:borren|borre|borrar|eliminen|elimine|eliminar|quiten|quitar|saquen|sacar|remuevan)"
        r"(?:me|nos)? (?:mi|este|esta|nuestro|nuestra|de (?:su|la|sus|esa)|el|la)? ?(?:\w+ )?"
        r"(?:numero|telefono|celular|correo|email|mail|contacto|datos|lista|base)",
    ),
    rule(
        "opt_out.desactivar_es",
        OPT_OUT,
        2.0,
        r"\b(?:desactivar|desactive|desactiven|cancelar|cancelen|cancele|apagar|apaguen|quitar|"
        r"quiten|suspender|suspendan) (?:las |los |mis |sus |todas las |todos los )?" + _ES_CHANNEL,
        r"\bdesuscrib\w*",
        r"\b(?:anular|cancelar) (?:la |mi )?suscripcion",
    ),
    rule(
        "opt_out.no_mas_es",
        OPT_OUT,
        2.0,
        r"\b(?:no|ya no) mas " + _ES_CHANNEL,
        r"\b(?:ya )?basta de " + _ES_CHANNEL,
    ),
    rule(
        "opt_out.general_es",
        OPT_OUT,
        2.0,
        r"\b(?:dejar de|no (?:volver a|seguir)) (?:recibir|recibiendo)\b",
        r"\b(?:absten\w*|abstenerse|abstenganse|abstengase) de (?:enviar|mandar|contactar|llamar|"
        r"escribir|remitir)\w*",
        r"\b(?:ya )?basta (?:ya )?(?:de|con) (?:\w+ )?(?:mensajes|msjs|sms|correos|mails|llamadas|"
        r"avisos|recordatorios|notificaciones|mandar\w*|enviar\w*|llamar\w*|escribir\w*|molestar\w"
        r"*)",
        r"\bno (?:quiero|queremos|deseo|deseamos) (?:que )?(?:me |nos )?(?:lleguen|sigan|manden|"
        r"envien|escriban|llamen|contacten|molesten)\b",
        r"\b(?:dad|da|dale|denos|deme|dame|denme) de baja\b(?! (?:\w+ ){0,2}(?:factura|pedido|"
        r"orden|servicio|cargo))",
        r"\bsi (?:me |nos )?(?:vuelven|vuelve|volveis) a (?:llamar|escribir|mandar|enviar|contacta"
        r"r)",
    ),
    rule(
        # "Baja de este servicio de mensajes": a keyword at the head of a short request.
        "opt_out.keyword_lead",
        OPT_OUT,
        2.0,
        r"^\W*(?:baja|stop|unsubscribe|alto|cancelar|remove)\b[^.!?\n]{0,40}\b(?:mensajes|sms|avis"
        r"os|"
        r"correos|notificaciones|recordatorios|messages|texts|emails|alerts|reminders|lista|list|"
        r"numero|number)\b",
    ),
    rule(
        "opt_out.general_en",
        OPT_OUT,
        2.0,
        r"\b(?:(?:remove|delete|unsubscribe) (?:me|us)|take (?:me|us) (?:off|out))\b(?! (?:as|from"
        r") "
        r"(?:the )?(?:account ?hol"
        r"der|"
        r"owner|guarantor|cosigner|co-signer))",
        r"\bif (?:you|u|yall|you guys) (?:\w+ )?(?:call|text|email|message|contact|write|bother) "
        r"(?:me|us)? ?(?:again|one more time|anymore|any more)\b",
        r"\b(?:sick|tired) of (?:your|these|the|all (?:the|these|your)|getting) (?:\w+ )?(?:texts|"
        r"calls|messages|emails|reminders|notifications|spam)\b",
        r"\bstop (?:bothering|harassing|hounding|pestering|bugging|spamming|contacting) (?:me|us)"
        r"\b",
        r"\b(?:i|we) (?:want|would like|wish|need) (?:you )?to (?:stop|quit) (?:getting|receiving|"
        r"these|your|the)\b",
    ),
    rule(
        "opt_out.cesen_es",
        OPT_OUT,
        2.0,
        r"\b(?:cesen|cese|cesar|suspendan|suspender) (?:de inmediato )?(?:cualquier|todo|toda|el|"
        r"la|todas las)? ?(?:contacto|comunicacion|comunicaciones|llamadas|gestion|gestiones|"
        r"actividad|cobro)",
    ),
)

# Rules about ending messages that a preceding negation turns around:
# "don't stop reminding me", "no dejen de mandarme los avisos".
_NEGATABLE = frozenset(
    {
        "opt_out.stop_contact_en",
        "opt_out.turn_off_en",
        "opt_out.dejen_de_es",
        "opt_out.desactivar_es",
        "opt_out.cesen_es",
    }
)
_NEGATION_BEFORE = re.compile(
    r"(?:\b(?:dont|do not|never|please dont|pls dont|no|nunca|ni) (?:please |pls |por favor )?)$"
)
_SPANISH_STOP = re.compile(
    r"(?:deje|dejen|deja|dejes|dejeis|paren|parad|desactiv|cancel|cese|cesen|suspend)"
)


# Near misses lower the confidence of a "no" answer without flipping it.
_NEAR_MISS = re.compile(r"\b(?:stop|quit|unsub\w*|baja|dejen|remove)\b")
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class OptOutResult:
    """Whether the text asks to stop messages, how sure we are, and why."""

    opt_out: bool
    confidence: float
    hits: tuple[Hit, ...]
    keyword_only: bool


def _is_keyword_sentence(sentence: str) -> bool:
    words = _WORD.findall(sentence)
    if not words or len(words) > 6:
        return False
    has_core = any(word in _KEYWORDS for word in words) or any(
        phrase in sentence for phrase in _CORE_TWO_WORD
    )
    return has_core and all(word in _KEYWORDS or word in _FILLER for word in words)


def _negated(hit: Hit, folded: str) -> bool:
    """True when `hit` asks for messages to go on ("don't stop reminding me")."""
    if hit.rule.name not in _NEGATABLE:
        return False
    before = folded[max(0, hit.start - 24) : hit.start]
    match = _NEGATION_BEFORE.search(before)
    if match is None:
        return False
    # A bare "no" before an English "stop" is an answer ("No stop texting me"); before a
    # Spanish verb it negates it.
    bare_no = match.group(0).strip() in {"no", "ni"}
    return not bare_no or _SPANISH_STOP.match(hit.excerpt) is not None


def detect(folded: str, original: str) -> OptOutResult:
    """Detect an opt-out request in `folded` (see `fold`); `original` keeps the case.

    `keyword_only` is true when the whole message is a carrier keyword such as
    "STOP" or "BAJA por favor"; such messages are opt-outs and nothing else.
    """
    hits = [hit for hit in run(RULES, folded) if not _negated(hit, folded)]
    parts = [part for _, part in sentences(folded)]
    keyword_only = bool(parts) and all(_is_keyword_sentence(part) for part in parts)
    keyword_sentence = any(_is_keyword_sentence(part) for part in parts)
    shouted_stop = re.search(r"\bSTOP\b(?! (?:BY|IN|AT|OVER)\b)", original) is not None
    if keyword_sentence or shouted_stop:
        name = "opt_out.keyword" if keyword_sentence else "opt_out.shouted_stop"
        hits.append(Hit(rule=rule(name, OPT_OUT, 2.0, r"stop"), excerpt="stop", start=0))
    if keyword_only:
        return OptOutResult(opt_out=True, confidence=0.99, hits=tuple(hits), keyword_only=True)
    if hits:
        confidence = 0.97 if len(hits) > 1 else 0.92
        return OptOutResult(
            opt_out=True, confidence=confidence, hits=tuple(hits), keyword_only=False
        )
    confidence = 0.8 if _NEAR_MISS.search(folded) else 0.97
    return OptOutResult(opt_out=False, confidence=confidence, hits=(), keyword_only=False)
