"""A small naive Bayes model over words and character n-grams, shipped with Cobro.

The rules recognise the wordings they were written for; customers find others.
When no rule recognises a reply at all, this model, trained on labeled replies
(`tests/disputes/data/replies-dev.jsonl`), offers the label of the replies it
resembles most. Its word is a hint: the classifier keeps the confidence of such
a label below the review threshold, so a person confirms it.

The weights live in `model_weights.json` beside this module (per-label feature
counts, pruned to features seen in at least two replies). Rebuild them with
`python -m service.disputes.train_model FILE.jsonl [FILE.jsonl ...]`.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from service.disputes.text import clean

WEIGHTS_PATH = Path(__file__).with_name("model_weights.json")
# Laplace smoothing; and the sharpness of the per-feature average that becomes a
# probability (naive Bayes sums thousands of correlated n-grams and is otherwise
# certain of everything).
_ALPHA = 0.3
_SHARPNESS = 10.0
_MIN_REPLIES = 2
_TOKEN = re.compile(r"[a-z0-9ñ]+")


@dataclass(frozen=True)
class Guess:
    """The label the model finds most likely ("dispute:pricing", "opt_out"), and how likely."""

    label: str
    probability: float

    @property
    def intent(self) -> str:
        return self.label.split(":", 1)[0]

    @property
    def reason(self) -> str | None:
        _, _, reason = self.label.partition(":")
        return reason or None


@dataclass(frozen=True)
class Model:
    """Per-label log priors and smoothed log likelihoods."""

    priors: Mapping[str, float]
    likelihoods: Mapping[str, Mapping[str, float]]
    unseen: Mapping[str, float]

    def guess(self, text: str, *, within: str | None = None) -> Guess | None:
        """The most likely label of `text`, or None when it has no features at all.

        `within` ("dispute") limits the choice to the labels of one intent.
        """
        found = features(text)
        candidates = [
            label for label in self.priors if within is None or label.split(":", 1)[0] == within
        ]
        if not found or not candidates:
            return None
        size = len(found)
        scores = {}
        for label in candidates:
            prior = self.priors[label]
            table, unseen = self.likelihoods[label], self.unseen[label]
            total = prior + sum(table.get(name, unseen) for name in found)
            scores[label] = total / size * _SHARPNESS
        top = max(scores.values())
        weights = {label: math.exp(score - top) for label, score in scores.items()}
        norm = sum(weights.values())
        best = max(weights, key=lambda label: weights[label])
        return Guess(label=best, probability=weights[best] / norm)


def features(text: str) -> set[str]:
    """Words, word pairs and character 3- to 5-grams of the cleaned text (see `clean`)."""
    words = _TOKEN.findall(clean(text))
    found = {f"w:{word}" for word in words}
    found.update(f"b:{first}_{second}" for first, second in zip(words, words[1:], strict=False))
    padded = f" {' '.join(words)} "
    for size in (3, 4, 5):
        found.update(f"c:{padded[i : i + size]}" for i in range(len(padded) - size + 1))
    return found


def label_of(record: Mapping[str, Any]) -> str:
    """The model's label for a labeled reply: the intent, with the reason for disputes."""
    intent = str(record["intent"])
    return f"{intent}:{record.get('reason')}" if intent == "dispute" else intent


def train(samples: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Count features per label over `(text, label)` samples; the JSON-ready weights."""
    per_label: dict[str, Counter[str]] = {}
    replies: Counter[str] = Counter()
    labels: Counter[str] = Counter()
    for text, label in samples:
        found = features(text)
        per_label.setdefault(label, Counter()).update(found)
        replies.update(found)
        labels[label] += 1
    kept = {name for name, count in replies.items() if count >= _MIN_REPLIES}
    counts = {
        label: {name: count for name, count in sorted(table.items()) if name in kept}
        for label, table in sorted(per_label.items())
    }
    return {"labels": dict(sorted(labels.items())), "vocabulary": len(kept), "counts": counts}


def from_weights(weights: Mapping[str, Any]) -> Model:
    """Build a model from what `train` returned."""
    labels: Mapping[str, int] = weights["labels"]
    total = sum(labels.values())
    vocabulary = int(weights["vocabulary"])
    priors, likelihoods, unseen = {}, {}, {}
    for label, count in labels.items():
        table: Mapping[str, int] = weights["counts"].get(label, {})
        mass = sum(table.values()) + _ALPHA * vocabulary
        priors[label] = math.log(count / total)
        likelihoods[label] = {name: math.log((n + _ALPHA) / mass) for name, n in table.items()}
        unseen[label] = math.log(_ALPHA / mass)
    return Model(priors=priors, likelihoods=likelihoods, unseen=unseen)


@lru_cache(maxsize=1)
def shipped() -> Model:
    """The model whose weights ship with Cobro (an empty one if they are missing)."""
    if not WEIGHTS_PATH.exists():
        return Model(priors={}, likelihoods={}, unseen={})
    return from_weights(json.loads(WEIGHTS_PATH.read_text(encoding="utf-8")))


def main(paths: list[str]) -> str:
    """Train on labeled replies (JSON lines), write the shipped weights, and say what was done."""
    from service.disputes.evaluation import load_jsonl
    from service.inbound.quotes import strip_reply

    samples = [
        (strip_reply(str(record.get("body") or "")), label_of(record))
        for path in paths
        for record in load_jsonl(path)
    ]
    weights = train(samples)
    WEIGHTS_PATH.write_text(json.dumps(weights, ensure_ascii=False, separators=(",", ":")) + "\n")
    return f"{len(samples)} replies, {weights['vocabulary']} features -> {WEIGHTS_PATH}"
