"""Weighted pattern rules: the building block of the reply classifier.

A rule names one piece of evidence ("promise.future_pay_en") and points to one
label (an intent, a reason or the opt-out flag) with a weight. Rules run on text
folded by `service.disputes.text.fold`, so patterns are written lowercase,
without accents and without apostrophes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One piece of evidence for `label`, found by `pattern` in folded text."""

    name: str
    label: str
    weight: float
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Hit:
    """A rule that fired, with the folded text it matched."""

    rule: Rule
    excerpt: str
    start: int


def rule(name: str, label: str, weight: float, *alternatives: str) -> Rule:
    """Build a rule whose pattern matches any of `alternatives` (regex fragments)."""
    joined = "|".join(f"(?:{alt})" for alt in alternatives)
    return Rule(name=name, label=label, weight=weight, pattern=re.compile(joined))


def run(rules: Sequence[Rule], folded: str) -> list[Hit]:
    """Return the hits of `rules` on `folded`, each rule at most once."""
    hits: list[Hit] = []
    for candidate in rules:
        match = candidate.pattern.search(folded)
        if match is not None:
            hits.append(Hit(rule=candidate, excerpt=match.group(0), start=match.start()))
    return hits


def scores(hits: Iterable[Hit]) -> dict[str, float]:
    """Sum the weights of `hits` per label."""
    totals: dict[str, float] = {}
    for hit in hits:
        totals[hit.rule.label] = totals.get(hit.rule.label, 0.0) + hit.rule.weight
    return totals
