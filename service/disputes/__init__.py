"""Reading customers' replies: intent, dispute reason, opt-out and promises to pay."""

from service.disputes.classifier import REVIEW_THRESHOLD, Classification, classify, team_for
from service.disputes.promises import Promise, extract_promise

__all__ = [
    "REVIEW_THRESHOLD",
    "Classification",
    "Promise",
    "classify",
    "extract_promise",
    "team_for",
]
