"""Second looks at rule hits whose words mean something else in context.

"Send me the invoice, it never arrived" speaks of paperwork, not goods; "the
payment link doesn't work" of our website, not a defective product.
"""

from __future__ import annotations

import re

from service.disputes import labels as lb
from service.disputes.rules import Hit
from service.disputes.text import is_question

_PAPER = re.compile(
    r"\b(?:invoices?|bills?|statement|factura|facturas|xml|pdf|estado de cuenta|w-?9|cfdi)\b"
)
_NOT_WORKING = re.compile(
    r"\b(?:work|working|function\w*|load\w*|open\w*|errors?|errores|fall\w*|funciona\w*|sirve)\b"
)
_WEB = re.compile(
    r"\b(?:link|links|portal|website|web ?site|site|page|app|login|log in|password|button|"
    r"unsubscribe|url|enlace|liga|pagina|contrasena|boton|aplicacion|autopay|card|tarjeta)\b"
)
_GOODS = re.compile(
    r"\b(?:order|goods|items?|parts?|shipment|package|products?|materials?|merchandise|pallets?|"
    r"units?|equipment|mercancia|pedido|productos?|material|refaccion\w*|piezas?|equipos?|"
    r"cajas?|paquete|articulos?|service|servicio|technician|tecnico|install\w*|instalacion|work|"
    r"trabajo|crew)\b"
)


def paper_is_not_goods(hits: list[Hit], folded: str) -> list[Hit]:
    """Drop "not received" evidence that is about a missing invoice, not missing goods.

    "Send me the invoice, it never arrived" asks for a copy; only a mention of
    goods keeps the delivery dispute alive.
    """
    found = {hit.rule.label for hit in hits}
    if lb.DOCUMENT_REQUEST not in found or lb.DELIVERY not in found:
        return hits
    if found & (set(lb.REASONS) - {lb.DELIVERY}) or _GOODS.search(folded):
        return hits
    if not _PAPER.search(folded):
        return hits
    return [hit for hit in hits if hit.rule.label != lb.DELIVERY]


def web_is_not_goods(hits: list[Hit], folded: str) -> list[Hit]:
    """Drop "doesn't work" evidence that is about our website, not the goods.

    "The payment link doesn't work" or "your portal isn't working" is a question
    for collections; a machine that doesn't work is a quality dispute.
    """
    kept: list[Hit] = []
    for hit in hits:
        if hit.rule.label == lb.QUALITY and _NOT_WORKING.search(hit.excerpt):
            if _WEB.search(sentence_at(folded, hit.start)):
                continue
        kept.append(hit)
    return kept


_INTERROGATIVE = re.compile(
    r"(?:^\W*|, )(?:if|do|does|did|can|could|is|are|was|will|would|should|may|what|which|how|when|"
    r"where|"
    r"who|whats|hay|tienen|tiene|teneis|puedo|podemos|puede|pueden|se puede|aceptan|cual|"
    r"cuales|cuando|como|donde|que|quien|existe|ofrecen|manejan|dan)\b"
)
_COMPLAINT = re.compile(
    r"\b(?:not|never|wrong|why|didnt|doesnt|wasnt|isnt|arent|havent|hasnt|missing|"
    r"supposed|instead|por que|porque|no (?:me|nos|se|han|ha|es|era|fue|llego|sirve|funciona)|"
    r"todavia|aun|deberia|si (?:estaba|era|dijeron)|again|otra vez|where (?:is|are)|wheres|"
    r"donde (?:esta|estan|quedo|quedaron)|what happened|que paso)\b"
)
_PARTIAL = re.compile(r"\b(?:half|part|some|a portion|la mitad|parte|una parte|un abono|algo)\b")


# Evidence a plain question cannot carry: a complaint, or a commitment ("if we pay by Friday?").
_ASKABLE = frozenset((*lb.REASONS, lb.DISPUTE_GENERIC, lb.PROMISE))


def questions_are_not_complaints(hits: list[Hit], folded: str) -> list[Hit]:
    """Drop dispute evidence from a plain question ("do you offer a discount for paying early?").

    A question that carries a complaint ("why is this still open?", "¿por qué me
    cobran...?") keeps its evidence.
    """
    kept: list[Hit] = []
    for hit in hits:
        if hit.rule.label in _ASKABLE:
            sentence = sentence_around(folded, hit.start)
            if (
                is_question(sentence)
                and _INTERROGATIVE.search(sentence)
                and not (_COMPLAINT.search(sentence))
            ):
                continue
        kept.append(hit)
    return kept


def partial_payment_is_a_plan(hits: list[Hit], folded: str) -> list[Hit]:
    """Drop "already paid" evidence for part of the debt when the rest is being scheduled.

    "Ya le pagué la mitad, el resto en 15 días" asks for a plan; it contests nothing.
    """
    found = {hit.rule.label for hit in hits}
    if lb.ALREADY_PAID not in found or lb.PAYMENT_PLAN not in found:
        return hits
    paid = [hit for hit in hits if hit.rule.label == lb.ALREADY_PAID]
    if not all(_PARTIAL.search(sentence_around(folded, hit.start)) for hit in paid):
        return hits
    return [hit for hit in hits if hit.rule.label != lb.ALREADY_PAID]


def sentence_around(folded: str, position: int) -> str:
    """The sentence of `folded` around `position`, with its closing mark."""
    start = max(folded.rfind(mark, 0, position) for mark in (".", "!", "?", "\n", "¿")) + 1
    ends = [index for index in (folded.find(mark, position) for mark in ".!?\n") if index >= 0]
    end = min(ends, default=len(folded))
    return folded[start : end + 1].strip()


def sentence_at(folded: str, position: int) -> str:
    """The sentence of `folded` around `position`."""
    start = max(folded.rfind(mark, 0, position) for mark in (".", "!", "?", "\n")) + 1
    ends = [index for index in (folded.find(mark, position) for mark in ".!?\n") if index >= 0]
    return folded[start : min(ends, default=len(folded))]
