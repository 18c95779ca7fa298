"""The evaluation report over labeled replies in the corpus record format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.disputes.evaluation import evaluate, format_report, load_jsonl


def record(
    body: str,
    *,
    intent: str,
    team: str,
    reason: str | None = None,
    opt_out: bool = False,
    promise_date: str | None = None,
    channel: str = "sms",
) -> dict[str, Any]:
    return {
        "id": body[:8],
        "channel": channel,
        "language": "en",
        "received_at": "2026-04-21T10:00:00-05:00",
        "subject": None,
        "body": body,
        "intent": intent,
        "reason": reason,
        "team": team,
        "opt_out": opt_out,
        "promise_date": promise_date,
    }


RECORDS = [
    record(
        "will pay friday", intent="promise_to_pay", team="collections", promise_date="2026-04-24"
    ),
    record("STOP", intent="opt_out", team="none", opt_out=True),
    record("already paid this last week", intent="dispute", reason="already_paid", team="gbs"),
    # Labeled wrongly on purpose, so the report has a miss to count.
    record("thanks!", intent="document_request", team="gbs"),
]


def test_scores_every_field() -> None:
    report = evaluate(RECORDS)
    assert report.rows == 4
    assert report.intent.accuracy == pytest.approx(0.75)
    assert report.team.accuracy == pytest.approx(0.75)
    assert report.opt_out.accuracy == 1.0
    assert report.reason.total == 1
    assert report.reason.accuracy == 1.0
    assert report.rows_with_gold_date == 1
    assert report.promise_date_exact_with_gold == 1.0
    assert report.promise_date_exact == 1.0
    scores = {score.label: score for score in report.intent.classes}
    assert scores["document_request"].recall == 0.0
    assert scores["other"].precision == 0.0
    assert scores["promise_to_pay"].f1 == 1.0


def test_quoted_history_is_stripped_before_classifying() -> None:
    body = (
        "Will pay on Friday.\n\n"
        "On Mon, Apr 20, 2026 at 9:00 AM Billing <ar@example.com> wrote:\n"
        "> If you have already paid, or want to stop these reminders, reply STOP.\n"
    )
    report = evaluate([record(body, intent="promise_to_pay", team="collections", channel="email")])
    assert report.intent.accuracy == 1.0
    assert report.opt_out.accuracy == 1.0


def test_format_report_is_a_plain_table() -> None:
    text = format_report(evaluate(RECORDS))
    assert "intent: accuracy 0.750 over 4 rows" in text
    assert "promise_to_pay" in text
    assert "promise_date exact match: 1.000 (1 rows with a gold date)" in text


def test_load_jsonl_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "replies.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in RECORDS[:2]) + "\n\n", encoding="utf-8")
    assert load_jsonl(path) == RECORDS[:2]


def test_locale_and_timezone_fields_decide_the_day_and_the_digits() -> None:
    # 03:30 UTC on Saturday 2 May is still Friday 1 May in Mexico City.
    late = {
        **record("le pago mañana", intent="promise_to_pay", team="collections"),
        "language": "es",
        "received_at": "2026-05-02T03:30:00+00:00",
        "timezone": "America/Mexico_City",
        "promise_date": "2026-05-02",
    }
    british = {
        **record("Payment will be made on 04/05.", intent="promise_to_pay", team="collections"),
        "locale": "en_GB",
        "promise_date": "2026-05-04",
    }
    report = evaluate([late, british])
    assert report.promise_date_exact == 1.0
    without = evaluate([{**late, "timezone": None}, {**british, "locale": None}])
    assert without.promise_date_exact == 0.0


def test_received_in_zone_reads_naive_and_unknown_zones() -> None:
    from service.disputes.evaluation import received_in_zone

    local = received_in_zone("2026-05-02T03:30:00Z", "America/Bogota")
    assert (local.day, local.hour) == (1, 22)
    naive = received_in_zone("2026-05-02T03:30:00", "Europe/Madrid")
    assert naive.utcoffset() is not None
    kept = received_in_zone("2026-05-02T03:30:00-05:00", "Not/AZone")
    assert kept.utcoffset() is not None
    assert kept.hour == 3


def test_a_gold_dispute_called_something_else_is_a_missed_reason_not_a_none_row() -> None:
    missed = record("thanks!", intent="dispute", reason="pricing", team="sales")
    report = evaluate([*RECORDS, missed])
    assert report.reason.total == 2
    assert report.disputes_missed == 1
    assert report.reason.accuracy == pytest.approx(0.5)
    text = format_report(report)
    assert "None" not in text
    assert "1 of 2 gold disputes were not classified as disputes" in text
    pricing = {score.label: score for score in report.reason.classes}["pricing"]
    assert pricing.recall == 0.0
