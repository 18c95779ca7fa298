"""Reading and changing the disputes policy; listing promises and escalations."""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.disputes.models import DisputePolicy, Escalation, PromiseStatus, PromiseToPay
from service.disputes.policy import (
    holiday_calendar_exists,
    merged_sla,
    parse_clock,
    stored_policy,
)
from service.disputes.schemas import (
    EscalationList,
    EscalationPublic,
    PolicyPublic,
    PolicyUpdate,
    PromiseList,
    PromisePublic,
    SlaTargetIn,
)
from service.errors import Unprocessable
from service.ledger.models import Customer
from service.ledger.service import format_money
from service.tenancy.models import Tenant
from service.threads.models import Thread
from service.types import utcnow


def _public(row: DisputePolicy, tenant: Tenant) -> PolicyPublic:
    return PolicyPublic(
        promise_grace_days=row.promise_grace_days,
        working_days=sorted(row.working_days),
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        timezone=row.timezone or tenant.timezone,
        holiday_country=row.holiday_country,
        holiday_subdivision=row.holiday_subdivision,
        sla={
            team: SlaTargetIn(
                first_response_hours=target.first_response_hours,
                resolution_hours=target.resolution_hours,
            )
            for team, target in merged_sla(row.sla).items()
        },
        dispute_age_limit_days=row.dispute_age_limit_days,
        dispute_escalation=row.dispute_escalation,
        ack_interval_hours=row.ack_interval_hours,
    )


async def policy_public(session: AsyncSession, *, tenant: Tenant) -> PolicyPublic:
    row = await stored_policy(session, tenant_id=tenant.id)
    return _public(row or DisputePolicy(tenant_id=tenant.id), tenant)


async def update_policy(
    session: AsyncSession, *, tenant: Tenant, payload: PolicyUpdate
) -> PolicyPublic:
    """Change the fields given; the result must still be a usable calendar."""
    row = await stored_policy(session, tenant_id=tenant.id)
    if row is None:
        row = DisputePolicy(tenant_id=tenant.id)
        session.add(row)
    changes = payload.model_dump(exclude_unset=True)
    if "sla" in changes:
        sla = dict(row.sla)
        for team, target in (changes.pop("sla") or {}).items():
            sla[str(team)] = dict(target)
        row.sla = sla
    if "working_days" in changes and changes["working_days"] is not None:
        changes["working_days"] = sorted(set(changes["working_days"]))
    for name, value in changes.items():
        if value is None and name not in ("timezone", "holiday_country", "holiday_subdivision"):
            raise Unprocessable(f"{name}: may not be null")
        setattr(row, name, value)
    _check(row)
    row.updated_at = utcnow()
    await session.flush()
    return _public(row, tenant)


def _check(row: DisputePolicy) -> None:
    if parse_clock(row.opens_at) >= parse_clock(row.closes_at):
        raise Unprocessable("closes_at: must be later than opens_at")
    if row.timezone is not None:
        try:
            ZoneInfo(row.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise Unprocessable(f"timezone: unknown timezone {row.timezone!r}") from exc
    if row.holiday_subdivision and not row.holiday_country:
        raise Unprocessable("holiday_subdivision: needs a holiday_country")
    if row.holiday_country and not holiday_calendar_exists(
        row.holiday_country, row.holiday_subdivision
    ):
        raise Unprocessable(
            f"holiday_country: no holiday calendar for {row.holiday_country!r}"
            + (f" / {row.holiday_subdivision!r}" if row.holiday_subdivision else "")
        )


async def list_promises(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    status: str | None,
    customer: str | None,
    limit: int,
) -> PromiseList:
    query = (
        select(PromiseToPay, Customer)
        .join(Customer, col(Customer.id) == col(PromiseToPay.customer_id))
        .where(col(PromiseToPay.tenant_id) == tenant_id, col(Customer.tenant_id) == tenant_id)
    )
    if status:
        if status not in set(PromiseStatus):
            raise Unprocessable(f"status: one of {', '.join(PromiseStatus)}")
        query = query.where(col(PromiseToPay.status) == status)
    if customer:
        query = query.where(col(Customer.external_id) == customer)
    rows = await session.execute(
        query.order_by(col(PromiseToPay.created_at).desc(), col(PromiseToPay.id)).limit(limit)
    )
    return PromiseList(
        items=[
            PromisePublic(
                id=promise.id,
                customer=owner.external_id,
                thread_id=promise.thread_id,
                date=promise.promised_on,
                grace_until=promise.grace_until,
                amount=(
                    format_money(promise.amount, promise.currency or "USD")
                    if promise.amount is not None
                    else None
                ),
                currency=promise.currency,
                invoices=list(promise.invoice_numbers),
                status=promise.status,
                source=promise.source,
                created_at=promise.created_at,
                settled_at=promise.settled_at,
            )
            for promise, owner in rows.all()
        ]
    )


async def list_escalations(
    session: AsyncSession, *, tenant_id: uuid.UUID, kind: str | None, limit: int
) -> EscalationList:
    query = (
        select(Escalation, col(Thread.reference))
        .join(Thread, col(Thread.id) == col(Escalation.thread_id))
        .where(col(Escalation.tenant_id) == tenant_id, col(Thread.tenant_id) == tenant_id)
    )
    if kind:
        query = query.where(col(Escalation.kind) == kind)
    rows = await session.execute(
        query.order_by(col(Escalation.created_at).desc(), col(Escalation.id)).limit(limit)
    )
    return EscalationList(
        items=[
            EscalationPublic(
                id=escalation.id,
                thread_id=escalation.thread_id,
                reference=reference,
                kind=escalation.kind,
                target=escalation.target,
                team=escalation.team,
                due_at=escalation.due_at,
                created_at=escalation.created_at,
            )
            for escalation, reference in rows.all()
        ]
    )
