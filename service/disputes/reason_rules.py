"""Evidence for the dispute reasons of TAXONOMY.md, in English and Spanish.

Each reason rule is also evidence that the reply is a dispute at all; the
`dispute.*` rules here carry the generic "we contest this" wording that names no
reason. The reasons themselves live with their kind: `reason_goods` (delivery,
quality), `reason_money` (already paid, pricing) and `reason_paperwork` (billing
errors, credit notes).
"""

from __future__ import annotations

from service.disputes.labels import (
    ALREADY_PAID,
    BILLING_ERROR,
    CREDIT_NOTE,
    DELIVERY,
    DISPUTE_GENERIC,
    PRICING,
    QUALITY,
    REASONS,
)
from service.disputes.reason_goods import GOODS_RULES
from service.disputes.reason_money import MONEY_RULES
from service.disputes.reason_paperwork import PAPERWORK_RULES
from service.disputes.rules import Rule, rule

__all__ = [
    "ALREADY_PAID",
    "BILLING_ERROR",
    "CREDIT_NOTE",
    "DELIVERY",
    "DISPUTE_GENERIC",
    "PRICING",
    "QUALITY",
    "REASONS",
    "REASON_RULES",
]

GENERIC_RULES: tuple[Rule, ...] = (
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
        r"\bwhy (?:am i|are we|do i|do we|should i|should we|would i|would we) (?:\w+ )?(?:paying|"
        r"being (?:billed|charged)|getting (?:billed|charged)|pay|owe)\b",
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
        r"\bno (?:le |les |os |te )?(?:pagaremos|pagare|abonaremos|abonare|liquidaremos|cancelarem"
        r"os|"
        r"transferiremos|depositaremos)\b",
        r"\bpor que (?:me|nos) (?:cobran|facturan|cobraron|facturaron|estan cobrando|siguen cobran"
        r"do)\b",
        r"\bhasta que (?:no )?(?:me |nos )?"
        r"(?:cambien|corrijan|repongan|resuelvan|reemplacen)\b",
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

REASON_RULES: tuple[Rule, ...] = MONEY_RULES + GOODS_RULES + PAPERWORK_RULES + GENERIC_RULES
