"""From one processed inbound message to a worked thread: labels, team, clock, effects, answer.

Labels come from the classifier (on the clean body and subject), or from what the customer
declared in the portal (certain: confidence 1.0), or, for mail no person wrote, are
``auto_reply`` without reading it. A thread keeps its label when a later reply says less
(the taxonomy's precedence: legal > dispute > payment_plan > promise_to_pay >
document_request > wrong_contact > other > opt_out, auto_reply); its effects apply anyway.
Below the confidence threshold the thread goes to collections for review, and nothing is done
to the account and nothing answered until a person confirms. Every decision is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.config import Settings
from service.consent import service as consent
from service.disputes import (
    Classification,
    acknowledgements,
    agents,
    classify,
    effects,
    extract_promise,
    routing,
)
from service.disputes.effects import PromiseTerms
from service.disputes.invoices import Concerned, concerned_invoices
from service.disputes.policy import Policy
from service.disputes.sla import start_timers
from service.inbound.lookups import TenantLookups
from service.inbound.service import Declared
from service.ledger.models import Customer
from service.templating.service import TemplateCatalog, open_invoices
from service.tenancy.models import Tenant
from service.threads.models import Message, Thread, ThreadEvent
from service.threads.schemas import Intent, Reason
from service.threads.service import add_event

AUTOMATIC_INTENT = "auto_reply"
INTENTS = frozenset(get_args(Intent))
REASONS = frozenset(get_args(Reason))
_NO_TEAM = ("opt_out", "auto_reply")
_CONSENT_EVENTS = ("opted_out", "opted_in", "help_requested")
_RANK = {
    "legal": 7,
    "dispute": 6,
    "payment_plan": 5,
    "promise_to_pay": 4,
    "document_request": 3,
    "wrong_contact": 2,
    "other": 1,
}


@dataclass(frozen=True)
class Labels:
    intent: str
    intent_confidence: float
    reason: str | None
    reason_confidence: float
    opt_out: bool
    opt_out_confidence: float
    signals: tuple[str, ...]
    needs_review: bool
    source: str  # classifier, portal

    def as_event(self, message: Message) -> dict[str, object]:
        return {
            "message_id": str(message.id),
            "source": self.source,
            "intent": self.intent,
            "intent_confidence": self.intent_confidence,
            "reason": self.reason,
            "reason_confidence": self.reason_confidence,
            "opt_out": self.opt_out,
            "opt_out_confidence": self.opt_out_confidence,
            "needs_review": self.needs_review,
            "signals": list(self.signals),
        }


def from_classification(found: Classification) -> Labels:
    return Labels(
        intent=found.intent,
        intent_confidence=found.intent_confidence,
        reason=found.reason,
        reason_confidence=found.reason_confidence,
        opt_out=found.opt_out,
        opt_out_confidence=found.opt_out_confidence,
        signals=found.signals,
        needs_review=found.needs_review,
        source="classifier",
    )


def from_declared(declared: Declared) -> Labels | None:
    if declared.intent not in INTENTS or declared.intent in _NO_TEAM:
        return None
    reason = declared.reason if declared.intent == "dispute" else None
    if declared.intent == "dispute" and reason not in REASONS:
        return None
    return Labels(
        intent=declared.intent, intent_confidence=1.0, reason=reason,
        reason_confidence=1.0 if reason else 0.0, opt_out=False, opt_out_confidence=0.0,
        signals=("portal.declared",), needs_review=False, source="portal",
    )  # fmt: skip


def _takes_over(thread: Thread, labels: Labels, *, reopened: bool) -> bool:
    """Whether the reply's labels replace the thread's (module docstring)."""
    current = None if reopened else thread.intent
    if current is None:
        return True
    if labels.intent in _NO_TEAM:
        return current in _NO_TEAM
    if current in _NO_TEAM:
        return True
    if labels.needs_review and not thread.needs_review:
        return False
    if thread.needs_review and not labels.needs_review:
        return True
    return _RANK.get(labels.intent, 0) > _RANK.get(current, 0)


def _facts(thread: Thread, labels: Labels, customer: Customer | None, message: Message,
           concerned: Concerned) -> routing.Facts:  # fmt: skip
    return routing.Facts(
        intent=labels.intent,
        reason=labels.reason,
        language=thread.language or (customer.language if customer else None),
        channel=message.channel,
        tags=frozenset(customer.tags if customer else ()),
        balances=concerned.balances(),
    )


async def _label(
    session: AsyncSession, *, thread: Thread, labels: Labels, facts: routing.Facts,
    message: Message, lookups: TenantLookups,
) -> None:  # fmt: skip
    """Put ``labels`` on the thread and route it."""
    previous_team = thread.team
    thread.intent, thread.reason = labels.intent, labels.reason
    thread.intent_confidence = labels.intent_confidence
    thread.needs_review = labels.needs_review
    if labels.intent == "dispute" and thread.disputed_at is None:
        thread.disputed_at = message.created_at
    if labels.intent in _NO_TEAM:
        decision = routing.Decision(team=None, rule_id=None, why=f"{labels.intent}: no team")
    elif labels.needs_review:
        decision = routing.Decision(
            team=routing.REVIEW_TEAM, rule_id=None,
            why="confidence below the threshold: collections reviews the labels",
        )  # fmt: skip
    else:
        rules = await lookups.routing_rules(session, tenant_id=thread.tenant_id)
        decision = routing.decide(rules, facts)
    thread.team = decision.team
    if thread.team != previous_team:
        thread.assignee = None
    add_event(
        session, thread=thread, kind="routed", data={**decision.as_event(), "from": previous_team}
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")  # a bad stored timezone must not stop the reply's processing


async def promise_terms(
    labels: Labels, *, declared: Declared | None, message: Message,
    customer: Customer | None, tenant: Tenant,
) -> PromiseTerms | None:  # fmt: skip
    if labels.intent != "promise_to_pay":
        return None
    if declared is not None and labels.source == "portal":
        return PromiseTerms(declared.promise_date, declared.promise_amount, None)
    zone = _zone((customer.timezone if customer else None) or tenant.timezone)
    found = extract_promise(
        message.body_clean or "",
        received_at=message.created_at.astimezone(zone),
        language=(customer.language if customer else None) or message.language,
        locale=customer.locale if customer else None,
    )
    return PromiseTerms(found.date, found.amount, found.currency)


async def _consent_decided(session: AsyncSession, *, thread: Thread, message: Message) -> bool:
    """Whether the consent rules acted on this message already ("UNSTOP" is theirs to read)."""
    found = await session.scalar(
        select(col(ThreadEvent.id))
        .where(
            col(ThreadEvent.tenant_id) == thread.tenant_id,
            col(ThreadEvent.thread_id) == thread.id,
            col(ThreadEvent.kind).in_(_CONSENT_EVENTS),
            col(ThreadEvent.created_at) >= message.created_at,
        )
        .limit(1)
    )
    return found is not None


async def _honour_opt_out(session: AsyncSession, *, thread: Thread, message: Message) -> None:
    """The classifier heard a request to stop that the consent rules did not act on."""
    if await _consent_decided(session, thread=thread, message=message):
        return
    thread.opt_out = True
    if message.channel not in ("email", "sms") or not message.from_address:
        return
    if await consent.is_opted_out(
        session, tenant_id=thread.tenant_id, channel=message.channel, address=message.from_address
    ):
        return
    await consent.record_opt_out(
        session, tenant_id=thread.tenant_id, channel=message.channel,
        address=message.from_address, source="reply_classifier",
        detail=(message.body_clean or "")[:200],
    )  # fmt: skip
    add_event(
        session, thread=thread, kind="opted_out",
        data={"channels": [message.channel], "source": "reply_classifier"},
    )  # fmt: skip


async def handle_automatic(session: AsyncSession, *, thread: Thread, message: Message) -> None:
    """Mail no person wrote (an auto-reply, a bounce): never read, answered or routed. It labels
    only a thread that has no label yet, so a thread never waits on it as unprocessed."""
    if thread.intent is not None:
        return
    thread.intent, thread.intent_confidence, thread.reason = AUTOMATIC_INTENT, 1.0, None
    previous_team, thread.team, thread.assignee = thread.team, None, None
    add_event(
        session, thread=thread, kind="classified",
        data={"message_id": str(message.id), "source": "automatic", "intent": AUTOMATIC_INTENT,
              "intent_confidence": 1.0, "automatic": message.automatic},
    )  # fmt: skip
    add_event(
        session, thread=thread, kind="routed",
        data={"team": None, "from": previous_team, "rule_id": None,
              "why": f"{message.automatic}: routes nowhere"},
    )  # fmt: skip


async def handle_reply(
    session: AsyncSession,
    *,
    settings: Settings,
    templates: TemplateCatalog,
    thread: Thread,
    message: Message,
    declared: Declared | None,
    reopened: bool = False,
    lookups: TenantLookups | None = None,
) -> None:
    """Label, route, time, apply and answer one reply a person wrote (module docstring).

    ``lookups`` holds what the job read of the tenant already (its policy, rules, renderer,
    agents); without it they are read for this reply."""
    lookups = lookups or TenantLookups()
    tenant = await session.get(Tenant, thread.tenant_id)
    if tenant is None:
        return
    customer = await session.get(Customer, thread.customer_id) if thread.customer_id else None
    policy = await lookups.policy(session, tenant=tenant)
    labels = (from_declared(declared) if declared else None) or from_classification(
        classify(
            message.body_clean or "", subject=message.subject, language=message.language,
            channel=message.channel,
        )
    )  # fmt: skip
    add_event(session, thread=thread, kind="classified", data=labels.as_event(message))
    # The customer's invoices and our earlier messages: nothing this reply changed so far is
    # among them, so its pending events need not be written first.
    with session.no_autoflush:
        concerned = await concerned_invoices(
            session, thread=thread, message=message,
            declared_numbers=declared.invoice_numbers if declared else (),
        )  # fmt: skip
    if concerned.invoices:
        message.invoice_numbers = concerned.numbers
        thread.invoice_numbers = thread.invoice_numbers or concerned.numbers
    if labels.opt_out:
        await _honour_opt_out(session, thread=thread, message=message)
    relabel = _takes_over(thread, labels, reopened=reopened)
    if relabel:
        facts = _facts(thread, labels, customer, message, concerned)
        await _label(
            session, thread=thread, labels=labels, facts=facts, message=message, lookups=lookups
        )
    else:
        if labels.needs_review:
            thread.needs_review = True
        add_event(
            session, thread=thread, kind="label_kept",
            data={"intent": thread.intent, "reply_intent": labels.intent,
                  "needs_review": thread.needs_review,
                  "why": "the reply's label does not outrank the thread's"},
        )  # fmt: skip
    now = message.created_at
    timers = start_timers(thread, policy=policy, now=now, restart=reopened)
    if timers:
        add_event(session, thread=thread, kind="sla_started", data=timers)
    if labels.needs_review:
        add_event(
            session, thread=thread, kind="effects_held",
            data={"intent": labels.intent, "why": "a person confirms low-confidence labels first"},
        )  # fmt: skip
    else:
        await _apply(
            session, settings=settings, templates=templates, tenant=tenant, policy=policy,
            customer=customer, thread=thread, message=message, labels=labels,
            concerned=concerned, declared=declared, lookups=lookups,
        )  # fmt: skip
    if thread.team is not None and thread.assignee is None:
        # Agents and the open threads assigned to them: this thread (not yet assigned) is not
        # among those counted, whether or not its pending changes are written first.
        with session.no_autoflush:
            assignment = await agents.assign(
                session, thread=thread, team=thread.team, now=now,
                language=thread.language or (customer.language if customer else None),
                available=await lookups.available_agents(session, tenant_id=thread.tenant_id),
            )  # fmt: skip
        add_event(session, thread=thread, kind="assigned", data=assignment.as_event())


async def _apply(
    session: AsyncSession,
    *,
    settings: Settings,
    templates: TemplateCatalog,
    tenant: Tenant,
    policy: Policy,
    customer: Customer | None,
    thread: Thread,
    message: Message,
    labels: Labels,
    concerned: Concerned,
    declared: Declared | None,
    lookups: TenantLookups,
) -> None:
    """The reply's effects on the account, then its automatic answer."""
    if labels.intent in _NO_TEAM:
        return
    terms = await promise_terms(
        labels, declared=declared, message=message, customer=customer, tenant=tenant
    )
    template: str | None = None
    invoices = concerned.invoices
    if customer is not None:
        if labels.intent == "dispute":
            await effects.mark_disputed(
                session, thread=thread, concerned=concerned, reason=labels.reason
            )
            template = acknowledgements.DISPUTE_ACK
        elif labels.intent == "promise_to_pay" and terms is not None:
            await effects.keep_promise(
                session, policy=policy, thread=thread, customer=customer, message=message,
                concerned=concerned, terms=terms, source=labels.source,
            )  # fmt: skip
            template = acknowledgements.PROMISE_CONFIRMATION
            invoices = concerned.open_invoices or invoices
        elif labels.intent == "legal":
            await effects.hold_for_legal(session, thread=thread, customer=customer)
        elif labels.intent == "wrong_contact":
            await effects.flag_contact(session, thread=thread, message=message)
        elif labels.intent == "document_request" and acknowledgements.asks_for_invoice_copy(
            message.body_clean or ""
        ):
            template = acknowledgements.DOCUMENT_ANSWER
            if concerned.source not in ("text", "subject", "declared"):
                invoices = await open_invoices(
                    session, tenant_id=tenant.id, customer_id=customer.id
                )
    if template is None:
        return
    renderer = await lookups.renderer(session, templates=templates, tenant_id=tenant.id)
    await acknowledgements.answer(
        session, settings=settings, renderer=renderer, tenant=tenant, policy=policy,
        customer=customer, thread=thread, message=message, template=template,
        invoices=invoices, promise=terms, opt_out=labels.opt_out,
        now=message.created_at,
    )  # fmt: skip
