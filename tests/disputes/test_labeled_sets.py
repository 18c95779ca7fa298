"""The labeled replies that ship with the tests: well formed, and scored.

`replies-dev.jsonl` is what the rules and the model were developed on; its scores
guard against regressions. `replies-holdout.jsonl` was written before the rules
it measures and is never used to change them: its floors only catch a collapse.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from service.disputes import team_for
from service.disputes.classifier import INTENTS, REASONS
from service.disputes.evaluation import EvaluationReport, evaluate, load_jsonl

DATA = Path(__file__).parent / "data"
SETS = ("replies-dev.jsonl", "replies-holdout.jsonl")
FIELDS = {
    "id", "channel", "language", "received_at", "subject", "body", "intent", "reason", "team",
    "opt_out", "promise_date", "locale", "timezone",
}  # fmt: skip


@pytest.fixture(scope="module", params=SETS)
def records(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return load_jsonl(DATA / request.param)


def test_records_follow_the_corpus_format(records: list[dict[str, Any]]) -> None:
    assert len({record["id"] for record in records}) == len(records)
    for record in records:
        assert set(record) == FIELDS, record["id"]
        assert record["channel"] in {"email", "sms", "portal"}
        assert record["language"] in {"en", "es"}
        assert record["intent"] in INTENTS
        assert (record["reason"] in REASONS) == (record["intent"] == "dispute"), record["id"]
        assert record["team"] == (team_for(record["intent"], record["reason"]) or "none")
        assert isinstance(record["opt_out"], bool)
        assert datetime.fromisoformat(record["received_at"]).tzinfo is not None
        ZoneInfo(record["timezone"])
        if record["promise_date"] is not None:
            date.fromisoformat(record["promise_date"])
        if record["channel"] != "email":
            assert record["subject"] is None


def test_every_label_and_both_languages_are_covered(records: list[dict[str, Any]]) -> None:
    assert {record["intent"] for record in records} == set(INTENTS)
    assert {record["reason"] for record in records if record["reason"]} == set(REASONS)
    for language in ("en", "es"):
        assert {r["intent"] for r in records if r["language"] == language} == set(INTENTS)


def _opt_out_scores(report: EvaluationReport) -> tuple[float, float]:
    flagged = {score.label: score for score in report.opt_out.classes}["True"]
    return flagged.recall, flagged.precision


def test_development_set_scores() -> None:
    report = evaluate(load_jsonl(DATA / "replies-dev.jsonl"))
    assert report.intent.accuracy >= 0.97
    assert report.reason.accuracy >= 0.97
    assert report.team.accuracy >= 0.97
    recall, precision = _opt_out_scores(report)
    assert recall == 1.0
    assert precision >= 0.97
    assert report.promise_date_exact >= 0.97


def test_held_out_set_has_not_collapsed() -> None:
    report = evaluate(load_jsonl(DATA / "replies-holdout.jsonl"))
    assert report.intent.accuracy >= 0.93
    assert report.team.accuracy >= 0.93
    recall, precision = _opt_out_scores(report)
    assert recall >= 0.90
    assert precision >= 0.95
