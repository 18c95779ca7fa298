"""Evidence for the intents of TAXONOMY.md, in English and Spanish.

Weights: 2.0 is a phrase that settles the intent on its own ("filed for chapter 11",
"numero equivocado"); 1.0 a strong hint; 0.5 a hint that only counts alongside
others. Each family of intents has its own module; dispute reasons live in
`reason_rules`.
"""

from __future__ import annotations

from service.disputes.auto_reply_rules import AUTO_REPLY_RULES, AUTO_REPLY_SUBJECT, OTHER_RULES
from service.disputes.contact_rules import DOCUMENT_RULES, WRONG_CONTACT_RULES
from service.disputes.labels import (
    AUTO_REPLY,
    DISPUTE,
    DOCUMENT_REQUEST,
    LEGAL,
    OTHER,
    PAYMENT_PLAN,
    PROMISE,
    WRONG_CONTACT,
)
from service.disputes.legal_rules import LEGAL_RULES
from service.disputes.plan_rules import PLAN_RULES
from service.disputes.promise_rules import PROMISE_RULES
from service.disputes.rules import Rule

__all__ = [
    "AUTO_REPLY",
    "AUTO_REPLY_RULES",
    "AUTO_REPLY_SUBJECT",
    "DISPUTE",
    "DOCUMENT_REQUEST",
    "DOCUMENT_RULES",
    "INTENT_RULES",
    "LEGAL",
    "LEGAL_RULES",
    "OTHER",
    "OTHER_RULES",
    "PAYMENT_PLAN",
    "PLAN_RULES",
    "PROMISE",
    "PROMISE_RULES",
    "WRONG_CONTACT",
    "WRONG_CONTACT_RULES",
]

INTENT_RULES: tuple[Rule, ...] = (
    LEGAL_RULES
    + PLAN_RULES
    + PROMISE_RULES
    + DOCUMENT_RULES
    + WRONG_CONTACT_RULES
    + AUTO_REPLY_RULES
    + OTHER_RULES
)
