"""Measure the reply classifier and promise extractor against labeled replies.

Records follow the labeled-replies format: `id, channel, language, received_at,
subject, body, intent, reason, team, opt_out, promise_date`, with two optional
fields: `locale` ("es_MX", "en_GB": decides "03/04" and what "$" means) and
`timezone` (an IANA name: "today" is the customer's local day, whatever offset
`received_at` was written with). Bodies may carry quoted history and signatures,
so each is cleaned with the same `strip_reply` the inbound pipeline uses before
it is classified.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from service.disputes.classifier import classify
from service.disputes.promises import extract_promise
from service.inbound.quotes import strip_reply

_NO_TEAM = "none"
# The reason "predicted" for a gold dispute the classifier did not call a dispute.
NOT_A_DISPUTE = "(not a dispute)"


@dataclass(frozen=True)
class ClassScore:
    """Precision, recall and F1 of one label, with how often it is the gold label."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class FieldReport:
    """Accuracy and per-label scores of one predicted field over `total` rows."""

    name: str
    total: int
    accuracy: float
    classes: tuple[ClassScore, ...]


@dataclass(frozen=True)
class EvaluationReport:
    """Scores for intent, reason (gold disputes only), team, opt-out and promise dates."""

    rows: int
    intent: FieldReport
    reason: FieldReport
    team: FieldReport
    opt_out: FieldReport
    promise_date_exact: float
    promise_date_exact_with_gold: float
    rows_with_gold_date: int
    disputes_missed: int = 0


def load_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Read one JSON object per non-blank line of `path`."""
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate(records: Iterable[Mapping[str, Any]]) -> EvaluationReport:
    """Classify every record and compare with its labels."""
    intents: list[tuple[str, str]] = []
    reasons: list[tuple[str, str]] = []
    teams: list[tuple[str, str]] = []
    opt_outs: list[tuple[str, str]] = []
    date_hits = 0
    gold_dated = 0
    gold_dated_hits = 0
    disputes_missed = 0
    for record in records:
        body = strip_reply(str(record.get("body") or ""))
        language = record.get("language")
        locale = record.get("locale") or None
        result = classify(
            body,
            subject=record.get("subject"),
            language=language,
            channel=str(record.get("channel") or "email"),
        )
        intents.append((str(record["intent"]), result.intent))
        if record["intent"] == "dispute":
            predicted_reason = result.reason if result.intent == "dispute" else None
            disputes_missed += predicted_reason is None
            reasons.append((str(record.get("reason")), predicted_reason or NOT_A_DISPUTE))
        teams.append((str(record.get("team") or _NO_TEAM), result.team or _NO_TEAM))
        opt_outs.append((str(bool(record.get("opt_out"))), str(result.opt_out)))
        received_at = received_in_zone(str(record["received_at"]), record.get("timezone"))
        promise = extract_promise(body, received_at=received_at, language=language, locale=locale)
        gold = _gold_date(record.get("promise_date"))
        hit = promise.date == gold
        date_hits += hit
        if gold is not None:
            gold_dated += 1
            gold_dated_hits += hit
    rows = len(intents)
    return EvaluationReport(
        rows=rows,
        intent=_field("intent", intents),
        reason=_field("reason", reasons),
        team=_field("team", teams),
        opt_out=_field("opt_out", opt_outs),
        promise_date_exact=date_hits / rows if rows else 0.0,
        promise_date_exact_with_gold=gold_dated_hits / gold_dated if gold_dated else 0.0,
        rows_with_gold_date=gold_dated,
        disputes_missed=disputes_missed,
    )


def received_in_zone(raw: str, timezone: object) -> datetime:
    """`raw` (ISO 8601) as the customer's local time when `timezone` names an IANA zone.

    A naive `raw` is read in that zone, or as UTC without one; an unknown zone name
    leaves the offset `raw` was written with.
    """
    received = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    zone = _zone(timezone)
    if received.tzinfo is None:
        return received.replace(tzinfo=zone or ZoneInfo("UTC"))
    return received.astimezone(zone) if zone is not None else received


def _zone(name: object) -> ZoneInfo | None:
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def format_report(report: EvaluationReport) -> str:
    """Render `report` as a plain-text table."""
    lines = [f"rows: {report.rows}"]
    for field in (report.intent, report.reason, report.team, report.opt_out):
        lines.append("")
        lines.append(f"{field.name}: accuracy {field.accuracy:.3f} over {field.total} rows")
        lines.append(f"  {'label':<18}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
        for score in field.classes:
            if score.label == NOT_A_DISPUTE:
                continue
            lines.append(
                f"  {score.label:<18}{score.precision:>10.3f}{score.recall:>10.3f}"
                f"{score.f1:>10.3f}{score.support:>10d}"
            )
        if field is report.reason:
            lines.append(
                f"  {report.disputes_missed} of {field.total} gold disputes were not "
                "classified as disputes (counted as wrong reasons)"
            )
    lines.append("")
    lines.append(f"promise_date exact match: {report.promise_date_exact:.3f} (all rows)")
    lines.append(
        f"promise_date exact match: {report.promise_date_exact_with_gold:.3f} "
        f"({report.rows_with_gold_date} rows with a gold date)"
    )
    return "\n".join(lines)


def _gold_date(raw: object) -> date | None:
    return date.fromisoformat(str(raw)) if raw else None


def _field(name: str, pairs: Sequence[tuple[str, str]]) -> FieldReport:
    labels = sorted({gold for gold, _ in pairs} | {predicted for _, predicted in pairs})
    classes = tuple(_class_score(label, pairs) for label in labels)
    correct = sum(gold == predicted for gold, predicted in pairs)
    return FieldReport(
        name=name,
        total=len(pairs),
        accuracy=correct / len(pairs) if pairs else 0.0,
        classes=classes,
    )


def _class_score(label: str, pairs: Sequence[tuple[str, str]]) -> ClassScore:
    true_positive = sum(gold == label and predicted == label for gold, predicted in pairs)
    predicted_count = sum(predicted == label for _, predicted in pairs)
    support = sum(gold == label for gold, _ in pairs)
    precision = true_positive / predicted_count if predicted_count else 0.0
    recall = true_positive / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ClassScore(label=label, precision=precision, recall=recall, f1=f1, support=support)
