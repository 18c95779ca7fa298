"""The conversation a reminder goes out on, and the collections queue an escalation joins."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.campaigns.schemas import Step
from service.ledger.models import Customer
from service.tenancy.models import Tenant
from service.threads import service as threads
from service.threads.models import Thread, ThreadStatus

COLLECTIONS = "collections"


async def conversation_for(
    session: AsyncSession, *, tenant: Tenant, customer: Customer, step: Step, subject: str | None
) -> Thread:
    """The customer's latest open conversation, or a new one waiting for the customer."""
    if step.opens_thread:
        return await _escalation_thread(
            session, tenant=tenant, customer=customer, step=step, subject=subject
        )
    thread = await threads.latest_open_thread(session, tenant_id=tenant.id, customer_id=customer.id)
    if thread is None:
        thread = await _reminder_thread(
            session, tenant=tenant, customer=customer, step=step, subject=subject
        )
    return thread


async def _reminder_thread(
    session: AsyncSession, *, tenant: Tenant, customer: Customer, step: Step, subject: str | None
) -> Thread:
    thread = await threads.open_thread(
        session,
        tenant_id=tenant.id,
        customer_id=customer.id,
        subject=subject,
        language=customer.language,
        why=f"reminder step {step.name}",
    )
    # A reminder thread waits for the customer; no team works it until they answer.
    thread.status = ThreadStatus.pending
    return thread


async def _escalation_thread(
    session: AsyncSession, *, tenant: Tenant, customer: Customer, step: Step, subject: str | None
) -> Thread:
    """The thread an escalation goes out on, in the collections queue.

    The customer's open collections thread if there is one; else its reminder thread (no team
    yet), moved into the queue; else, when another team (sales on a dispute, say) works the
    customer's open thread, a new collections thread beside it: that team keeps its work, and
    its thread records that collections took the account over.
    """
    rule = f"campaign step {step.name} opens a thread"
    open_threads = list(
        (
            await session.execute(
                select(Thread)
                .where(
                    col(Thread.tenant_id) == tenant.id,
                    col(Thread.customer_id) == customer.id,
                    col(Thread.status).in_([ThreadStatus.open, ThreadStatus.pending]),
                )
                .order_by(
                    col(Thread.last_message_at).desc().nulls_last(), col(Thread.created_at).desc()
                )
            )
        ).scalars()
    )
    for thread in open_threads:
        if thread.team == COLLECTIONS:
            return thread
    unworked = next((thread for thread in open_threads if thread.team is None), None)
    if unworked is not None:
        thread = unworked
    else:
        thread = await threads.open_thread(
            session,
            tenant_id=tenant.id,
            customer_id=customer.id,
            subject=subject,
            language=customer.language,
            why=f"escalation at reminder step {step.name}",
        )
        for other in open_threads:
            await threads.record_event(
                session,
                thread=other,
                kind="escalated",
                data={"team": COLLECTIONS, "thread": thread.reference, "rule": rule},
            )
    thread.team = COLLECTIONS
    thread.status = ThreadStatus.open
    await threads.record_event(
        session, thread=thread, kind="routed", data={"team": COLLECTIONS, "rule": rule}
    )
    return thread
