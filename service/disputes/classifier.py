"""Classify a customer's reply to a payment reminder (TAXONOMY.md).

The classifier weighs named pattern rules (see `intent_rules`, `reason_rules`,
`optout`) written against families of words (`lexicon`) for how AP clerks and
small-business owners answer reminders in English and Spanish, on text whose
accents, shorthand and frequent typos are normalized first (`text.clean`). A
sentence naming a day and a payment is evidence of a promise
(`promises.commitment`). When no rule recognises a reply at all, word cues
(`reason_lexicon`) and then a small naive Bayes model (`model`) offer a label,
always below the review threshold.

Every rule that fires is reported in `signals`, so the event log can say why a
reply went to a team. When one reply mixes several intents, the taxonomy's
precedence decides: legal > dispute > payment_plan > promise_to_pay >
document_request > wrong_contact > other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.disputes import intent_rules as ir
from service.disputes import model, optout, reason_lexicon
from service.disputes import reason_rules as rr
from service.disputes.filters import (
    paper_is_not_goods,
    partial_payment_is_a_plan,
    questions_are_not_complaints,
    web_is_not_goods,
)
from service.disputes.promises import commitment
from service.disputes.rules import Hit, Rule, run, scores
from service.disputes.text import clean

REVIEW_THRESHOLD = 0.6
"""Below this `intent_confidence` (or `reason_confidence` for a dispute) a person should look."""

INTENTS = (
    "dispute",
    "promise_to_pay",
    "payment_plan",
    "document_request",
    "wrong_contact",
    "legal",
    "opt_out",
    "auto_reply",
    "other",
)
REASONS = rr.REASONS

OPT_OUT_INTENT = "opt_out"
_PRECEDENCE = (
    ir.LEGAL,
    ir.DISPUTE,
    ir.PAYMENT_PLAN,
    ir.PROMISE,
    ir.DOCUMENT_REQUEST,
    ir.WRONG_CONTACT,
)
# Evidence below this is a hint, not an intent of its own.
_CANDIDATE_SCORE = 1.5
_SALES_REASONS = frozenset({rr.PRICING, rr.DELIVERY, rr.QUALITY})
# Credit-note evidence this strong names the open matter even beside a goods complaint.
_CREDIT_SETTLES = 2.5
_TEAM_BY_INTENT: dict[str, str | None] = {
    ir.LEGAL: "legal",
    ir.PAYMENT_PLAN: "collections",
    ir.PROMISE: "collections",
    ir.DOCUMENT_REQUEST: "gbs",
    ir.WRONG_CONTACT: "collections",
    ir.OTHER: "collections",
    OPT_OUT_INTENT: None,
    ir.AUTO_REPLY: None,
}
# A dispute that names no reason goes to the team that can read the invoice.
_FALLBACK_REASON = rr.BILLING_ERROR
# Disputes and reasons found by word cues alone always go to a person first.
_WORD_DISPUTE_CONFIDENCE = 0.5
_WORD_REASON_CONFIDENCE = 0.45
_REPLY_PREFIX = re.compile(r"^(?:(?:re|fw|fwd|rv|r|tr|aw|wg|enc|res)\s*:\s*)+")
_WORDS = re.compile(r"\w+")
# Replies made only of these words acknowledge the reminder and ask for nothing.
_COURTESY = frozenset(
    "ok okay k kk oki okey thanks thank you thx ty much so very got it noted received cheers "
    "great perfect cool sure sounds good will do understood gracias muchas mil recibido "
    "recibida enterado enterada bueno vale va sale listo de acuerdo dale perfecto ya vi "
    "entendido gracias por avisar the info informacion la a el for hi hola buenas reviso "
    "revisamos checo chequeo miro veo lo look into check review ya".split()
)
_COMMITMENT_RULE = Rule(
    name="promise.dated_payment", label=ir.PROMISE, weight=2.0, pattern=re.compile(r"$^")
)
_SHORT_COMMITMENT_RULE = Rule(
    name="promise.dated_short_reply", label=ir.PROMISE, weight=1.0, pattern=re.compile(r"$^")
)
# A reply that only acknowledges is "other" with some certainty; anything else that
# no rule recognises goes to a person.
_COURTESY_CONFIDENCE = 0.8
_UNRECOGNISED_CONFIDENCE = 0.45
# The model's label for a reply no rule recognised counts from this probability on,
# and always goes to a person.
_MODEL_TRUST = 0.7
_MODEL_CONFIDENCE = 0.5
_NEAR_MISS_CONFIDENCE = 0.35


@dataclass(frozen=True)
class Classification:
    """What a reply is about, who should handle it, and how sure the classifier is."""

    intent: str
    intent_confidence: float
    reason: str | None
    reason_confidence: float
    opt_out: bool
    opt_out_confidence: float
    team: str | None
    signals: tuple[str, ...]

    @property
    def needs_review(self) -> bool:
        """True when a person should confirm the label before anyone acts on it."""
        if self.intent_confidence < REVIEW_THRESHOLD:
            return True
        return self.intent == "dispute" and self.reason_confidence < REVIEW_THRESHOLD


def team_for(intent: str, reason: str | None) -> str | None:
    """The taxonomy's default team for `intent` (and `reason` for disputes)."""
    if intent == ir.DISPUTE:
        return "sales" if reason in _SALES_REASONS else "gbs"
    return _TEAM_BY_INTENT.get(intent, "collections")


def classify(
    text: str, *, subject: str | None = None, language: str | None = None, channel: str = "email"
) -> Classification:
    """Classify the clean body `text` of one inbound reply.

    `text` is the customer's new text, quoted history already removed. `subject`
    helps spot auto-replies and customer-written subjects ("Unsubscribe").
    Rules for English and Spanish always both run, because customers mix them;
    `language` and `channel` are accepted so callers pass what they know, and
    `channel` only matters for subjects, which SMS and portal messages lack.
    """
    folded = clean(text)
    subject_folded = clean(subject or "") if channel == "email" else ""
    own_subject = subject_folded and not _REPLY_PREFIX.match(subject_folded)
    opt = optout.detect(folded, text)
    if own_subject and not opt.opt_out:
        opt = optout.detect(subject_folded, subject or "")
    hits = paper_is_not_goods(run(ir.INTENT_RULES + rr.REASON_RULES, folded), folded)
    hits = web_is_not_goods(hits, folded)
    hits = questions_are_not_complaints(hits, folded)
    hits = partial_payment_is_a_plan(hits, folded)
    committed = commitment(folded)
    if committed is not None:
        sentence, paying = committed
        found = _COMMITMENT_RULE if paying else _SHORT_COMMITMENT_RULE
        hits.append(Hit(rule=found, excerpt=sentence, start=folded.find(sentence)))
    if subject_folded:
        hits += _subject_hits(subject_folded, bool(own_subject))
    totals = scores(hits)
    reason, reason_score, reason_rival = _best_reason(hits)
    totals[ir.DISPUTE] = totals.get(rr.DISPUTE_GENERIC, 0.0) + reason_score
    intent = _choose_intent(totals, opt, has_reason=reason is not None)
    confidence = _intent_confidence(intent, totals, opt, folded)
    signals = tuple(hit.rule.name for hit in hits) + tuple(hit.rule.name for hit in opt.hits)
    if intent == ir.DISPUTE:
        if reason is None:
            reason, reason_confidence, cues = _reason_from_words(folded)
            signals += cues
        else:
            reason_confidence = _confidence(reason_score, reason_rival)
    elif _may_be_unrecognised_dispute(intent, opt, totals):
        word_reason, _, word_hits = reason_lexicon.lexical_reason(folded, keep=_word_cues_kept)
        if word_reason is not None:
            # Word cues alone: a dispute a person should confirm.
            intent, confidence = ir.DISPUTE, _WORD_DISPUTE_CONFIDENCE
            reason, reason_confidence = word_reason, _WORD_REASON_CONFIDENCE
            signals += tuple(hit.rule.name for hit in word_hits)
        else:
            reason, reason_confidence = None, 0.0
    else:
        reason, reason_confidence = None, 0.0
    opt_out, opt_out_confidence = opt.opt_out, opt.confidence
    # Questions stay "other": a question the rules do not know is most often just that.
    if (
        intent == ir.OTHER
        and confidence < REVIEW_THRESHOLD
        and all(name == "other.thanks" for name in signals)
    ):
        guess = model.shipped().guess(text)
        # Mail servers write auto-replies; a text or a portal message is a person.
        if (
            guess is not None
            and guess.intent != ir.OTHER
            and guess.probability >= _MODEL_TRUST
            and (guess.intent != ir.AUTO_REPLY or channel == "email")
        ):
            # Nothing specific matched; the replies this one resembles most say more.
            intent, confidence = guess.intent, _MODEL_CONFIDENCE
            reason, reason_confidence = guess.reason, _MODEL_CONFIDENCE if guess.reason else 0.0
            signals += (f"model.{guess.label}",)
            if intent == OPT_OUT_INTENT:
                opt_out, opt_out_confidence = True, _MODEL_CONFIDENCE
    elif intent == ir.DISPUTE and "reason.fallback" in signals:
        guess = model.shipped().guess(text, within=ir.DISPUTE)
        if guess is not None and guess.reason is not None:
            reason, reason_confidence = guess.reason, _WORD_REASON_CONFIDENCE
            signals += (f"model.{guess.label}",)
    return Classification(
        intent=intent,
        intent_confidence=round(confidence, 3),
        reason=reason,
        reason_confidence=round(reason_confidence, 3),
        opt_out=opt_out,
        opt_out_confidence=opt_out_confidence,
        team=team_for(intent, reason),
        signals=signals,
    )


def _word_cues_kept(hits: list[Hit], folded: str) -> list[Hit]:
    return questions_are_not_complaints(web_is_not_goods(hits, folded), folded)


def _subject_hits(subject_folded: str, own_subject: bool) -> list[Hit]:
    stripped = _REPLY_PREFIX.sub("", subject_folded)
    hits = run((ir.AUTO_REPLY_SUBJECT,), subject_folded) or run((ir.AUTO_REPLY_SUBJECT,), stripped)
    if own_subject:
        # A subject the customer wrote ("Cease and desist") speaks like the body.
        hits += run(ir.LEGAL_RULES, stripped)
    return hits


def _reason_from_words(folded: str) -> tuple[str, float, tuple[str, ...]]:
    """The reason of a dispute no reason rule recognised: word cues, else the fallback."""
    word_reason, score, word_hits = reason_lexicon.lexical_reason(folded, keep=_word_cues_kept)
    if word_reason is None and score >= 1.0:
        word_reason = word_hits[0].rule.label if word_hits else None
    if word_reason is None:
        return _FALLBACK_REASON, 0.25, ("reason.fallback",)
    cues = tuple(hit.rule.name for hit in word_hits if hit.rule.label == word_reason)
    return word_reason, _WORD_REASON_CONFIDENCE, cues


def _may_be_unrecognised_dispute(
    intent: str, opt: optout.OptOutResult, totals: dict[str, float]
) -> bool:
    """True when no rule named an intent, so word cues may still reveal a dispute."""
    if intent == ir.OTHER:
        return True
    return intent == OPT_OUT_INTENT and not opt.keyword_only and not totals.get(ir.AUTO_REPLY)


def _best_reason(hits: list[Hit]) -> tuple[str | None, float, float]:
    """Return the best-supported reason, its score and the runner-up's score."""
    totals = scores(hit for hit in hits if hit.rule.label in rr.REASONS)
    if not totals:
        return None, 0.0, 0.0
    first_seen = {hit.rule.label: hit.start for hit in reversed(hits)}
    # Ties go to the reason the customer mentions first: that is the complaint.
    ranked = sorted(totals, key=lambda label: (-totals[label], first_seen.get(label, 0)))
    if ranked[0] in _SALES_REASONS and totals.get(rr.CREDIT_NOTE, 0.0) >= _CREDIT_SETTLES:
        # Goods sent back and a credit awaited: what is open now is the credit.
        ranked.remove(rr.CREDIT_NOTE)
        ranked.insert(0, rr.CREDIT_NOTE)
    rival = totals[ranked[1]] if len(ranked) > 1 else 0.0
    return ranked[0], totals[ranked[0]], rival


def _choose_intent(totals: dict[str, float], opt: optout.OptOutResult, *, has_reason: bool) -> str:
    if opt.keyword_only:
        return OPT_OUT_INTENT
    auto = totals.get(ir.AUTO_REPLY, 0.0)
    human = max((totals.get(label, 0.0) for label in _PRECEDENCE[:4]), default=0.0)
    # A mail server's reply beats whatever a human phrase inside it suggests; an
    # out-of-office sentence inside a real reply does not.
    if auto >= 3.0 and totals.get(ir.LEGAL, 0.0) < 2.0:
        return ir.AUTO_REPLY
    if auto >= 2.0 and human < auto:
        return ir.AUTO_REPLY
    for label in _PRECEDENCE:
        if totals.get(label, 0.0) >= _CANDIDATE_SCORE:
            # "We're the new owners, that debt is not ours" names the wrong party; a bare
            # "not ours" with no reason is no contest of the invoice itself.
            if label == ir.DISPUTE and not has_reason and _wrong_party(totals):
                return ir.WRONG_CONTACT
            return label
    if opt.opt_out:
        return OPT_OUT_INTENT
    return ir.OTHER


def _wrong_party(totals: dict[str, float]) -> bool:
    return totals.get(ir.WRONG_CONTACT, 0.0) >= 2.0 and totals.get(ir.PAYMENT_PLAN, 0.0) < 1.5


def _intent_confidence(
    intent: str, totals: dict[str, float], opt: optout.OptOutResult, folded: str
) -> float:
    if intent == OPT_OUT_INTENT:
        return opt.confidence if opt.keyword_only else min(opt.confidence, 0.9)
    if intent == ir.OTHER:
        return _other_confidence(totals, folded)
    rivals = [totals.get(label, 0.0) for label in _PRECEDENCE + (ir.AUTO_REPLY,) if label != intent]
    return _confidence(totals.get(intent, 0.0), max(rivals, default=0.0))


def _other_confidence(totals: dict[str, float], folded: str) -> float:
    near = max((totals.get(label, 0.0) for label in _PRECEDENCE), default=0.0)
    if near > 0:
        return _NEAR_MISS_CONFIDENCE
    words = _WORDS.findall(folded)
    if len(words) <= 8 and all(word in _COURTESY for word in words):
        return _COURTESY_CONFIDENCE
    return _UNRECOGNISED_CONFIDENCE


def _confidence(score: float, rival: float) -> float:
    """Map evidence to (0, 1): more evidence raises it, competing evidence lowers it."""
    if score <= 0:
        return 0.0
    base = 1.0 - float(0.5**score)
    penalty = 0.4 * rival / (score + rival) if rival > 0 else 0.0
    return max(0.05, min(0.99, base * (1.0 - penalty)))
