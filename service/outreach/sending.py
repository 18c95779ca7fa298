"""The send pipeline: claim due outbox rows under a lease, send them concurrently, record what
each provider said, and reconcile rows whose worker died.

Crash safety rests on the order of writes. A row is claimed (``sending``, lease, attempt
counted) and committed before its provider is called; the provider id is recorded after.
A worker killed in between leaves the row in ``sending``: once its lease runs out,
:func:`reconcile` marks it sent when a provider event carrying our id proves acceptance
(the webhooks record those events), and otherwise queues it again. So no message is lost,
and a message is sent twice only when the provider accepted it and never said so.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Update, bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from channels.base import (
    ChannelName,
    InvalidRecipient,
    OutboundMessage,
    PermanentError,
    RecipientOptedOut,
    SendResult,
    TransientError,
    retry_delay,
)
from service.config import Settings
from service.db import Database
from service.outreach.models import DeliveryEventRecord
from service.outreach.pacing import Pacer
from service.outreach.providers import Outbound
from service.outreach.service import queue_fallback
from service.outreach.suppression import (
    AddressKey,
    blocked_addresses,
    mark_unusable,
    record_opt_out,
    table_of,
)
from service.tenancy.models import Tenant
from service.threads.models import Direction, Message, MessageStatus
from service.types import utcnow

log = logging.getLogger(__name__)

FAILED_STATUSES = frozenset(
    {MessageStatus.failed, MessageStatus.bounced, MessageStatus.undelivered}
)
_ACCEPTED_STATUS = {"delivered": MessageStatus.delivered}


@dataclass(frozen=True, slots=True, kw_only=True)
class Sender:
    """What the send job needs: the database, the channels and the pacer, and settings for
    the URLs it writes (Twilio's StatusCallback)."""

    database: Database
    outbound: Outbound
    pacer: Pacer
    settings: Settings


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """What became of one claimed row."""

    message_id: uuid.UUID
    status: MessageStatus
    provider: str | None = None
    provider_id: str | None = None
    provider_status: str | None = None
    error: str | None = None
    skip_reason: str | None = None
    send_after: datetime | None = None
    counts_as_attempt: bool = True
    opted_out: bool = False
    unusable_code: str | None = None


@dataclass(slots=True)
class SendReport:
    claimed: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    def add(self, outcomes: Sequence[Outcome]) -> None:
        self.claimed += len(outcomes)
        for outcome in outcomes:
            self.by_status[outcome.status] = self.by_status.get(outcome.status, 0) + 1

    def as_dict(self) -> dict[str, int]:
        return {"claimed": self.claimed, **self.by_status}


async def send_due(sender: Sender) -> SendReport:
    """Claim and send due rows, batch after batch, until none is due or the time budget ends.

    ``parallel_batches`` loops run side by side, so one batch's database writes overlap
    another's provider calls.
    """
    tuning = sender.outbound.tuning
    report = SendReport()
    deadline = time.monotonic() + tuning.time_budget

    async def loop() -> None:
        while time.monotonic() < deadline:
            batch = await claim_batch(
                sender.database, limit=tuning.batch_size, lease_seconds=tuning.lease_seconds
            )
            if not batch:
                return
            outcomes = await send_batch(sender, batch)
            await record_outcomes(sender, batch, outcomes)
            report.add(outcomes)

    await asyncio.gather(*(loop() for _ in range(tuning.parallel_batches)))
    return report


async def claim_batch(database: Database, *, limit: int, lease_seconds: float) -> list[Message]:
    """Take up to ``limit`` due queued rows for this worker: ``sending``, leased, attempt counted.

    One conditional UPDATE, so two workers never claim the same row; on PostgreSQL the
    candidate rows are locked with SKIP LOCKED so concurrent claimers do not queue up.
    """
    async with database.transaction() as session:
        now = utcnow()
        due = (
            select(col(Message.id))
            .where(
                col(Message.status) == MessageStatus.queued,
                col(Message.direction) == Direction.outbound,
                (col(Message.send_after).is_(None)) | (col(Message.send_after) <= now),
            )
            .order_by(col(Message.created_at))
            .limit(limit)
        )
        if database.dialect == "postgresql":
            due = due.with_for_update(skip_locked=True)
        claimed = await session.execute(
            update(Message)
            .where(col(Message.id).in_(due.scalar_subquery()))
            .where(col(Message.status) == MessageStatus.queued)
            .values(
                status=MessageStatus.sending,
                lease_until=now + timedelta(seconds=lease_seconds),
                attempts=col(Message.attempts) + 1,
                updated_at=now,
            )
            .returning(col(Message.id))
            .execution_options(synchronize_session=False)
        )
        ids = list(claimed.scalars())
        if not ids:
            return []
        rows = await session.execute(select(Message).where(col(Message.id).in_(ids)))
        return list(rows.scalars())


async def send_batch(sender: Sender, batch: Sequence[Message]) -> list[Outcome]:
    """Send every row of ``batch`` (consent first), at most ``concurrency`` at a time."""
    async with sender.database.transaction() as session:
        blocked = await blocked_addresses(
            session,
            keys=[
                AddressKey(row.tenant_id, row.channel, row.to_address)
                for row in batch
                if row.to_address
            ],
        )
        names = await _sender_names(session, {row.tenant_id for row in batch})
    gate = asyncio.Semaphore(sender.outbound.tuning.concurrency)
    deferred: dict[str, int] = {}

    async def one(row: Message) -> Outcome:
        async with gate:
            return await _send_one(sender, row, blocked=blocked, names=names, deferred=deferred)

    return list(await asyncio.gather(*(one(row) for row in batch)))


async def _send_one(
    sender: Sender,
    row: Message,
    *,
    blocked: dict[AddressKey, str],
    names: dict[uuid.UUID, str | None],
    deferred: dict[str, int],
) -> Outcome:
    channel: ChannelName = row.channel  # type: ignore[assignment]
    if row.to_address:
        reason = blocked.get(AddressKey(row.tenant_id, row.channel, row.to_address))
        if reason is not None:
            return Outcome(message_id=row.id, status=MessageStatus.skipped, skip_reason=reason)
    elif channel != "portal":
        return _failed(row, "no address for this channel")
    source = row.from_address or ""
    if channel != "portal" and not source:
        return _failed(row, f"the tenant has no {channel} sender configured")
    slot = await sender.pacer.acquire(channel=channel, sender=source)
    if not slot.granted:
        # Rows refused together are spread over the following slots, not all retried at once.
        key = f"{channel}:{source}"
        position = deferred.get(key, 0)
        deferred[key] = position + 1
        rate = sender.outbound.pacing.rate_for(channel=channel, sender=source) or 1.0
        wait = slot.wait + position / rate
        return Outcome(
            message_id=row.id,
            status=MessageStatus.queued,
            send_after=utcnow() + timedelta(seconds=wait),
            counts_as_attempt=False,
        )
    provider = sender.outbound.channel(channel)
    try:
        result = await provider.send(_outbound(sender.settings, row, names.get(row.tenant_id)))
    except RecipientOptedOut as exc:
        return _failed(row, exc.reason, opted_out=True)
    except InvalidRecipient as exc:
        return _failed(row, exc.reason, unusable_code=exc.code or "invalid")
    except PermanentError as exc:
        return _failed(row, exc.reason)
    except TransientError as exc:
        return _retry(sender, row, exc.reason, retry_after=exc.retry_after)
    except Exception as exc:  # a channel bug must not strand the rest of the batch
        log.exception("channel %s raised unexpectedly", provider.name)
        return _retry(sender, row, f"unexpected error: {exc!r}", retry_after=None)
    return _accepted(row, provider.name, result)


def _outbound(settings: Settings, row: Message, sender_name: str | None) -> OutboundMessage:
    channel: ChannelName = row.channel  # type: ignore[assignment]
    callback = None
    if channel == "sms":
        # Our id rides in the query, which Twilio signs with the rest of the URL.
        callback = f"{settings.public_url}/webhooks/twilio/status?m={row.id}"
    return OutboundMessage(
        id=str(row.id),
        channel=channel,
        to=row.to_address or "",
        sender=row.from_address or "",
        sender_name=sender_name if channel == "email" else None,
        subject=row.subject,
        text=row.body,
        html=row.body_html,
        headers=dict(row.headers or {}),
        status_callback=callback,
    )


def _accepted(row: Message, provider: str, result: SendResult) -> Outcome:
    return Outcome(
        message_id=row.id,
        status=_ACCEPTED_STATUS.get(result.status, MessageStatus.sent),
        provider=provider,
        provider_id=result.provider_id,
        provider_status=result.status[:32] if result.status else None,
    )


def _failed(
    row: Message, reason: str, *, opted_out: bool = False, unusable_code: str | None = None
) -> Outcome:
    return Outcome(
        message_id=row.id,
        status=MessageStatus.failed,
        error=reason[:1000],
        opted_out=opted_out,
        unusable_code=unusable_code,
    )


def _retry(sender: Sender, row: Message, reason: str, *, retry_after: float | None) -> Outcome:
    tuning = sender.outbound.tuning
    if row.attempts >= tuning.max_attempts:
        return _failed(row, f"gave up after {row.attempts} attempts: {reason}")
    delay = retry_delay(
        row.attempts, base=tuning.retry_base, cap=tuning.retry_cap, retry_after=retry_after
    )
    return Outcome(
        message_id=row.id,
        status=MessageStatus.queued,
        error=reason[:1000],
        send_after=utcnow() + timedelta(seconds=delay),
    )


async def _sender_names(
    session: AsyncSession, tenant_ids: set[uuid.UUID]
) -> dict[uuid.UUID, str | None]:
    rows = await session.execute(
        select(col(Tenant.id), col(Tenant.email_from_name), col(Tenant.name)).where(
            col(Tenant.id).in_(tenant_ids)
        )
    )
    return {tenant_id: from_name or name for tenant_id, from_name, name in rows.all()}


def _record_statement() -> Update:
    """One UPDATE per outcome, applied only while the row is still ours (``sending``).

    A webhook may have moved the row on already (its callback can beat our own write):
    then only the provider id is filled in, and the status the webhook set stays.
    """
    messages = table_of(Message)
    ours = col(Message.status) == MessageStatus.sending

    def if_ours(name: str, current: object) -> object:
        return case((ours, bindparam(name)), else_=current)

    return (
        update(messages)
        .where(messages.c.id == bindparam("b_id"))
        .values(
            status=if_ours("b_status", col(Message.status)),
            provider=func.coalesce(col(Message.provider), bindparam("b_provider")),
            provider_id=func.coalesce(col(Message.provider_id), bindparam("b_provider_id")),
            provider_status=if_ours("b_provider_status", col(Message.provider_status)),
            last_error=if_ours("b_error", col(Message.last_error)),
            skip_reason=if_ours("b_skip_reason", col(Message.skip_reason)),
            send_after=if_ours("b_send_after", col(Message.send_after)),
            attempts=if_ours("b_attempts", col(Message.attempts)),
            sent_at=func.coalesce(col(Message.sent_at), bindparam("b_sent_at")),
            delivered_at=func.coalesce(col(Message.delivered_at), bindparam("b_delivered_at")),
            lease_until=if_ours("b_lease", col(Message.lease_until)),
            updated_at=bindparam("b_now"),
        )
    )


async def record_outcomes(
    sender: Sender, batch: Sequence[Message], outcomes: Sequence[Outcome]
) -> None:
    """Write every outcome of a batch in one transaction, then their consequences:
    opt-outs (Twilio 21610), dead addresses (21211 / 21614 ...) and fallbacks."""
    rows = {row.id: row for row in batch}
    now = utcnow()
    params = []
    for outcome in outcomes:
        row = rows[outcome.message_id]
        accepted = outcome.status in (MessageStatus.sent, MessageStatus.delivered)
        params.append(
            {
                "b_id": outcome.message_id,
                "b_status": outcome.status.value,
                "b_provider": outcome.provider,
                "b_provider_id": outcome.provider_id,
                "b_provider_status": outcome.provider_status,
                "b_error": outcome.error,
                "b_skip_reason": outcome.skip_reason,
                "b_send_after": outcome.send_after,
                "b_attempts": row.attempts if outcome.counts_as_attempt else row.attempts - 1,
                "b_sent_at": now if accepted else None,
                "b_delivered_at": now if outcome.status == MessageStatus.delivered else None,
                "b_lease": None,
                "b_now": now,
            }
        )
    async with sender.database.transaction() as session:
        if params:
            await session.execute(_record_statement(), params)
        for outcome in outcomes:
            if outcome.status == MessageStatus.failed:
                await _after_failure(session, sender.settings, rows[outcome.message_id], outcome)


async def _after_failure(
    session: AsyncSession, settings: Settings, row: Message, outcome: Outcome
) -> None:
    if row.to_address and outcome.opted_out:
        await record_opt_out(
            session,
            tenant_id=row.tenant_id,
            channel=row.channel,
            address=row.to_address,
            source="provider",
            detail=outcome.error,
        )
    if row.to_address and outcome.unusable_code:
        await mark_unusable(
            session,
            tenant_id=row.tenant_id,
            channel=row.channel,
            address=row.to_address,
            code=outcome.unusable_code,
            reason=outcome.error,
        )
    current = await session.get(Message, row.id, populate_existing=True)
    if current is not None and current.status == MessageStatus.failed:
        await queue_fallback(session, settings=settings, failed=current, why=outcome.error or "")


@dataclass(frozen=True, slots=True)
class Reconciled:
    proven: int
    requeued: int
    failed: int


async def reconcile(sender: Sender, *, limit: int = 1000) -> Reconciled:
    """Settle rows left in ``sending`` past their lease by a worker that died.

    A delivery event carrying the row's id proves the provider accepted it: the row is
    marked sent. Otherwise it is queued again (it may have been accepted unseen; sending
    twice is the lesser harm than never), or failed once its attempts are spent.
    """
    now = utcnow()
    proven = requeued = failed = 0
    async with sender.database.transaction() as session:
        stuck = list(
            (
                await session.execute(
                    select(Message)
                    .where(
                        col(Message.status) == MessageStatus.sending,
                        col(Message.lease_until) < now,
                    )
                    .limit(limit)
                )
            ).scalars()
        )
        if not stuck:
            return Reconciled(0, 0, 0)
        proofs = await _proofs(session, [row.id for row in stuck])
        for row in stuck:
            proof = proofs.get(row.id)
            if proof is not None:
                row.status = MessageStatus.sent
                row.provider_id = row.provider_id or _provider_id(proof)
                row.provider = row.provider or proof.provider
                row.sent_at = row.sent_at or proof.occurred_at
                proven += 1
            elif row.attempts >= sender.outbound.tuning.max_attempts:
                row.status = MessageStatus.failed
                row.last_error = f"no provider confirmation after {row.attempts} attempts"
                failed += 1
            else:
                row.status = MessageStatus.queued
                row.send_after = None
                row.last_error = "lease expired before the provider's answer was recorded"
                requeued += 1
            row.lease_until = None
            row.updated_at = now
        await session.flush()
        for row in stuck:
            if row.status == MessageStatus.failed:
                await queue_fallback(
                    session, settings=sender.settings, failed=row, why=row.last_error or ""
                )
    return Reconciled(proven, requeued, failed)


async def _proofs(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, DeliveryEventRecord]:
    rows = await session.execute(
        select(DeliveryEventRecord).where(col(DeliveryEventRecord.message_id).in_(ids))
    )
    found: dict[uuid.UUID, DeliveryEventRecord] = {}
    for record in rows.scalars():
        if record.message_id is not None:
            found.setdefault(record.message_id, record)
    return found


def _provider_id(record: DeliveryEventRecord) -> str | None:
    raw = record.raw or {}
    if record.provider == "twilio":
        sid = raw.get("MessageSid") or raw.get("SmsSid")
        return str(sid) if sid else None
    sg_message_id = raw.get("sg_message_id")
    return str(sg_message_id).split(".", 1)[0] if sg_message_id else None
