"""The labels of TAXONOMY.md: intents and dispute reasons."""

from __future__ import annotations

LEGAL = "legal"
DISPUTE = "dispute"
PAYMENT_PLAN = "payment_plan"
PROMISE = "promise_to_pay"
DOCUMENT_REQUEST = "document_request"
WRONG_CONTACT = "wrong_contact"
OPT_OUT = "opt_out"
AUTO_REPLY = "auto_reply"
OTHER = "other"

PRICING = "pricing"
DELIVERY = "delivery"
QUALITY = "quality"
BILLING_ERROR = "billing_error"
ALREADY_PAID = "already_paid"
CREDIT_NOTE = "credit_note"
REASONS = (PRICING, DELIVERY, QUALITY, BILLING_ERROR, ALREADY_PAID, CREDIT_NOTE)
# Wording that contests an invoice without naming why.
DISPUTE_GENERIC = "dispute"
