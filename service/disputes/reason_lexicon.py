"""Word-level cues for dispute reasons, for replies no phrase rule recognises.

The phrase rules of `reason_rules` are precise but only know the wordings they
were written for. Customers describe the same problems in endless ways ("the
paint is peeling", "el servicio fue pésimo"), so this lexicon scores families of
words instead: each family that appears adds its weight to one reason. A reply
that matches nothing else and carries enough of this evidence, or some of it
together with the wording of a complaint ("not", "never", "wrong", "why"), is a
dispute that a person should confirm: the classifier gives it a low confidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from service.disputes import reason_rules as rr
from service.disputes.rules import Hit, Rule, rule, run, scores

# Two families, or one with the wording of a complaint, make a dispute.
_ENOUGH = 1.5
_ENOUGH_WITH_COMPLAINT = 1.0

CUES: tuple[Rule, ...] = (
    rule(
        "lexicon.quality_damage",
        rr.QUALITY,
        1.0,
        r"\b(?:damag\w*|broke|broken|crack\w*|peel\w*|wobbl\w*|leak\w*|stain\w*|scratch\w*|"
        r"dented|rust\w*|mold\w*|mould\w*|torn|ripped|bent|chipped|faded|defect\w*|spoil\w*|"
        r"rott\w*|danad[oa]s?|dano|rot[oa]s?|quebrad[oa]s?|rayad[oa]s?|manchad[oa]s?|oxidad[oa]s?|"
        r"despegad[oa]s?|fugas?|goteras?|podrid[oa]s?|sucio|sucia|sucios|sucias)\b",
    ),
    rule(
        "lexicon.quality_poor",
        rr.QUALITY,
        1.0,
        r"\b(?:pesim[oa]s?|malisim[oa]s?|terrible|awful|horrible|lousy|sloppy|shoddy|"
        r"unacceptable|poor|worst|inaceptable|deficiente|fatal|chafa|unprofessional)\b",
    ),
    rule(
        "lexicon.quality_function",
        rr.QUALITY,
        1.0,
        r"\b(?:not working|doesnt work|dont work|dont fit|doesnt fit|quit working|stopped (?:wor"
        r"king|"
        r"running|cooling|heating|charging|printing|responding|draining)|"
        r"no funciona\w*|no sirven?|se (?:esta )?(?:cayendo|cae|despega|despegando)|"
        r"no prende|no enciende|fallas?|fallando|glitch\w*|crash\w*|freez\w*|overheat\w*)\b",
    ),
    rule(
        "lexicon.quality_remedy",
        rr.QUALITY,
        0.5,
        r"\b(?:return|returns|returned|replace\w*|repair\w*|fix|fixed|redo|warranty|garantia|"
        r"devol\w*|devuelt\w*|reponer|reemplaz\w*|arregl\w*|repar\w*|rehacer)\b",
    ),
    rule(
        "lexicon.delivery_missing",
        rr.DELIVERY,
        1.0,
        r"\b(?:missing|incomplet[oea]s?|falt\w*|half of|second half|rest of|remaining|partial|"
        r"only \d+|solo \d+|nobody|nadie|no show|never came|never arrived|not here|lost|"
        r"(?:was|were) here for|no (?:han|ha) venido|no vinieron|no vino)\b",
    ),
    rule(
        "lexicon.delivery_arrival",
        rr.DELIVERY,
        1.0,
        r"\b(?:deliver\w*|shipp?\w*|arriv\w*|showed up|show up|came|recib\w*|lleg\w*|entreg\w*|"
        r"surti\w*|wrong (?:\w+ )?(?:mix|items?|colou?r|size|model|products?|parts?|type|kind|"
        r"brand|ones?))\b",
    ),
    rule(
        "lexicon.delivery_goods",
        rr.DELIVERY,
        0.5,
        r"\b(?:order|orders|pedido|pedidos|shipment|package|paquete|delivery|entrega|materials?|"
        r"materiales|mercancia|goods|items|boxes|cajas|bags|bolsas|pallets?|tarimas?)\b",
    ),
    rule(
        "lexicon.delivery_waiting",
        rr.DELIVERY,
        0.5,
        r"\b(?:still waiting|waiting on|waiting for|esperando|todavia no|aun no|yet to)\b",
    ),
    rule(
        "lexicon.pricing_price",
        rr.PRICING,
        1.0,
        r"\b(?:prices?|pricing|rates?|fees?|precios?|tarifas?|costo|coste|overcharg\w*|caro|"
        r"expensive|pricier)\b",
    ),
    rule(
        "lexicon.pricing_terms",
        rr.PRICING,
        1.0,
        r"\b(?:agreed|agreement|contract\w*|quote\w*|estimate\w*|acord\w*|pactad\w*|contrato|"
        r"cotiz\w*|presupuest\w*|propuesta|included|incluid[oa]s?|discount\w*|descuento\w*|"
        r"promo\w*|negotiat\w*|negociad\w*)\b",
    ),
    rule(
        "lexicon.billing_fiscal",
        rr.BILLING_ERROR,
        1.0,
        r"\b(?:rfc|nit|cif|nif|iva|vat|tax|taxes|impuestos?|exent[oa]s?|exempt\w*|razon social|"
        r"entity|legal name|fiscal|po|purchase order|orden de compra|oc)\b",
    ),
    rule(
        "lexicon.billing_document",
        rr.BILLING_ERROR,
        1.0,
        r"\b(?:reissue|re-issue|corrected|corrig\w*|reemit\w*|refactur\w*|duplicat\w*|duplicad[o"
        r"a]s?|"
        r"twice|two invoices|dos facturas|wrong invoice|math|arithmetic|miscalculat\w*|calculo)\b",
    ),
    rule(
        "lexicon.paid",
        rr.ALREADY_PAID,
        1.0,
        r"\b(?:paid|payed|pagad[oa]s?|pague|pagamos|cancele|cancelamos|settled|remitted|cleared|"
        r"cashed|went through|transferimos|depositamos|consignamos)\b",
    ),
    rule(
        "lexicon.paid_proof",
        rr.ALREADY_PAID,
        0.5,
        r"\b(?:receipt|confirmation|remittance|proof|comprobante|soporte|voucher|captura|"
        r"screenshot|bank statement|extracto|applied|aplicad[oa]s?|aplicaron|posted)\b",
    ),
    rule(
        "lexicon.credit",
        rr.CREDIT_NOTE,
        1.0,
        r"\b(?:credit(?! card)|credito|nota credito|abono|rectificativa|refund|reembolso|memo)\b",
    ),
)

_COMPLAINT = re.compile(
    r"\b(?:not|never|wrong|why|por que|didnt|doesnt|wasnt|werent|isnt|arent|havent|hasnt|dont|"
    r"wont|nunca|still|todavia|should|shouldnt|deberia|supposed|instead|only|solo|but|pero|"
    r"incorrect\w*|no (?:es|son|era|fue|esta|estan|vino|llego|sirve|funciona|pienso|vamos|voy)|"
    r"not paying|wont pay|no pago|no pagamos|sin|no debia|no deberia|makes no sense|"
    r"no tiene sentido|no han|no hemos|no nos|dont|do not|exigimos|exijo|demand|insist)\b"
)


def lexical_reason(
    folded: str, *, keep: Callable[[list[Hit], str], list[Hit]] | None = None
) -> tuple[str | None, float, tuple[Hit, ...]]:
    """Return the reason the word cues of `folded` support, its score and the cues.

    The reason is None when the cues are too thin to call the reply a dispute.
    `keep`, when given, filters the cue hits first (the classifier drops website
    trouble this way: "the link doesn't work").
    """
    hits = run(CUES, folded)
    if keep is not None:
        hits = keep(hits, folded)
    totals = scores(hits)
    if not totals:
        return None, 0.0, ()
    first_seen = {hit.rule.label: hit.start for hit in reversed(hits)}
    best = min(totals, key=lambda label: (-totals[label], first_seen.get(label, 0)))
    score = totals[best]
    enough = score >= _ENOUGH or (
        score >= _ENOUGH_WITH_COMPLAINT and _COMPLAINT.search(folded) is not None
    )
    if not enough:
        return None, score, tuple(hits)
    return best, score, tuple(hit for hit in hits if hit.rule.label == best)
