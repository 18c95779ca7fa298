"""What follows when a person changes a thread in the console.

Confirming labels (changing intent or reason, or any change to a thread marked for review)
applies the effects the classifier held back, and, unless the person chose a team too, routes
the thread for its new label. Resolving or closing a dispute returns its invoices to the
campaigns.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.disputes import agents, effects, routing
from service.disputes.handling import Labels, promise_terms
from service.disputes.invoices import Concerned, customer_invoices
from service.disputes.policy import load_policy
from service.ledger.models import Customer
from service.tenancy.models import Tenant
from service.threads.models import Direction, Message, Thread, ThreadStatus
from service.threads.service import record_event

_CLOSED = (ThreadStatus.resolved, ThreadStatus.closed)


async def _latest_reply(session: AsyncSession, *, thread: Thread) -> Message | None:
    return (
        await session.execute(
            select(Message)
            .where(
                col(Message.tenant_id) == thread.tenant_id,
                col(Message.thread_id) == thread.id,
                col(Message.direction) == Direction.inbound,
                col(Message.automatic).is_(None),
            )
            .order_by(col(Message.created_at).desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def after_person_change(
    session: AsyncSession,
    *,
    thread: Thread,
    fields: dict[str, Any],
    was_under_review: bool,
    actor: str,
) -> None:
    """Apply the consequences of a person's change (module docstring)."""
    if fields.get("status") in _CLOSED and thread.intent == "dispute":
        await effects.release_disputes(session, thread=thread, actor=actor)
    if fields.get("team") and "assignee" not in fields and thread.status not in _CLOSED:
        await _assign_in_new_team(session, thread=thread)
    relabeled = "intent" in fields or "reason" in fields
    if not (relabeled or was_under_review) or thread.intent is None:
        return
    if thread.status in _CLOSED:
        return
    if relabeled and "team" not in fields:
        await _reroute(session, thread=thread, actor=actor)
    await _apply_confirmed(session, thread=thread, actor=actor)


async def _reroute(session: AsyncSession, *, thread: Thread, actor: str) -> None:
    customer = await session.get(Customer, thread.customer_id) if thread.customer_id else None
    facts = routing.Facts(
        intent=thread.intent or "other",
        reason=thread.reason,
        language=thread.language,
        channel=thread.channel or "email",
        tags=frozenset(customer.tags if customer else ()),
        balances=(await _concerned(session, thread=thread)).balances(),
    )
    rules = await routing.list_rules(session, tenant_id=thread.tenant_id)
    decision = (
        routing.decide(rules, facts)
        if thread.intent not in ("opt_out", "auto_reply")
        else routing.Decision(team=None, rule_id=None, why=f"{thread.intent}: no team")
    )
    if decision.team == thread.team:
        return
    previous, thread.team, thread.assignee = thread.team, decision.team, None
    await record_event(
        session, thread=thread, kind="routed", actor=actor,
        data={**decision.as_event(), "from": previous, "by": "label confirmed by a person"},
    )  # fmt: skip
    if thread.team is not None:
        assignment = await agents.assign(session, thread=thread, team=thread.team)
        await record_event(session, thread=thread, kind="assigned", data=assignment.as_event())


async def _assign_in_new_team(session: AsyncSession, *, thread: Thread) -> None:
    """A person moved the thread: an agent of the new team takes it, unless one already has."""
    if thread.team is None:
        return
    if thread.assignee is not None:
        current = await agents.agent_named(
            session, tenant_id=thread.tenant_id, name=thread.assignee
        )
        if current is not None and thread.team in current.teams:
            return
        thread.assignee = None
    assignment = await agents.assign(session, thread=thread, team=thread.team)
    await record_event(session, thread=thread, kind="assigned", data=assignment.as_event())


async def _concerned(session: AsyncSession, *, thread: Thread) -> Concerned:
    if thread.customer_id is None:
        return Concerned([], "none")
    reply = await _latest_reply(session, thread=thread)
    numbers = list(reply.invoice_numbers) if reply and reply.invoice_numbers else []
    source = "reply" if numbers else "thread"
    numbers = numbers or list(thread.invoice_numbers)
    owned = await customer_invoices(
        session, tenant_id=thread.tenant_id, customer_id=thread.customer_id
    )
    chosen = [invoice for invoice in owned if invoice.number in set(numbers)]
    return Concerned(chosen, source if chosen else "none")


async def _apply_confirmed(session: AsyncSession, *, thread: Thread, actor: str) -> None:
    customer = await session.get(Customer, thread.customer_id) if thread.customer_id else None
    tenant = await session.get(Tenant, thread.tenant_id)
    if customer is None or tenant is None:
        return
    concerned = await _concerned(session, thread=thread)
    reply = await _latest_reply(session, thread=thread)
    await record_event(
        session, thread=thread, kind="labels_confirmed", actor=actor,
        data={"intent": thread.intent, "reason": thread.reason},
    )  # fmt: skip
    if thread.intent == "dispute":
        await effects.mark_disputed(
            session, thread=thread, concerned=concerned, reason=thread.reason
        )
    elif thread.intent == "legal":
        await effects.hold_for_legal(session, thread=thread, customer=customer)
    elif thread.intent == "wrong_contact" and reply is not None:
        await effects.flag_contact(session, thread=thread, message=reply)
    elif thread.intent == "promise_to_pay" and reply is not None:
        labels = Labels(
            intent="promise_to_pay", intent_confidence=1.0, reason=None, reason_confidence=0.0,
            opt_out=False, opt_out_confidence=0.0, signals=(), needs_review=False,
            source="person",
        )  # fmt: skip
        terms = await promise_terms(
            labels, declared=None, message=reply, customer=customer, tenant=tenant
        )
        if terms is not None:
            policy = await load_policy(session, tenant=tenant)
            await effects.keep_promise(
                session, policy=policy, thread=thread, customer=customer, message=reply,
                concerned=concerned, terms=terms, source="person",
            )  # fmt: skip
