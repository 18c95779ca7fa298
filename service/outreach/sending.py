"""The send pipeline: claim due outbox rows under a lease, send them concurrently, and record
what each provider said as each send completes.

Crash safety rests on the order of writes and on ownership. A row is claimed (``sending``,
lease, attempt counted, a claim token) and committed before its provider is called; the
outcome is recorded after, only while the row still carries that token. While a batch is in
flight its unfinished rows' lease is renewed, so rows waiting their turn (for the
concurrency gate, a pacing slot or an SMTP connection) stay ours however long they wait.
Right before calling the provider the row's lease is checked: a row whose lease may have run
out is put back, never sent. A worker killed in between leaves the row in ``sending``: once
its lease runs out, :func:`service.outreach.reconcile.reconcile` settles it. So no message
is lost, and a message is sent twice only when the provider accepted it and never said so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
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
from service.outreach.claims import Claim, Lease, Recorder, claim_batch
from service.outreach.pacing import Pacer
from service.outreach.providers import Outbound
from service.outreach.recording import Outcome, Proof, proofs_for
from service.outreach.suppression import AddressKey, blocked_addresses
from service.templating.service import TemplateCatalog
from service.tenancy.models import Tenant
from service.threads.models import Message, MessageStatus
from service.types import utcnow

log = logging.getLogger(__name__)

_ACCEPTED_STATUS = {"delivered": MessageStatus.delivered}


@dataclass(frozen=True, slots=True, kw_only=True)
class Sender:
    """What the send job needs: the database, the channels and the pacer, settings for the
    URLs it writes (Twilio's StatusCallback), and the templates fallbacks are rendered with."""

    database: Database
    outbound: Outbound
    pacer: Pacer
    settings: Settings
    templates: TemplateCatalog = field(default_factory=TemplateCatalog)


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
            claim = await claim_batch(
                sender.database, limit=tuning.batch_size, lease_seconds=tuning.lease_seconds
            )
            if not claim.rows:
                return
            report.add(await send_batch(sender, claim))

    await asyncio.gather(*(loop() for _ in range(tuning.parallel_batches)))
    return report


async def send_batch(sender: Sender, claim: Claim) -> list[Outcome]:
    """Send every row of ``claim`` (consent first), at most ``concurrency`` at a time,
    recording outcomes as sends complete and renewing the lease of the rest meanwhile."""
    retried = [row.id for row in claim.rows if row.attempts > 1]
    async with sender.database.transaction() as session:
        blocked = await blocked_addresses(
            session,
            keys=[
                AddressKey(row.tenant_id, row.channel, row.to_address)
                for row in claim.rows
                if row.to_address
            ],
        )
        names = await _sender_names(session, {row.tenant_id for row in claim.rows})
        proven = await proofs_for(session, retried) if retried else {}
    lease = Lease(sender.database, claim, call_headroom=sender.outbound.tuning.call_headroom)
    recorder = Recorder(sender, claim)
    gate = asyncio.Semaphore(sender.outbound.tuning.concurrency)
    deferred: dict[str, int] = {}

    async def one(row: Message) -> Outcome:
        proof = proven.get(row.id)
        if proof is not None:
            outcome = _proven(row, proof)
        else:
            async with gate:
                outcome = await _send_one(
                    sender, row, lease=lease, blocked=blocked, names=names, deferred=deferred
                )
        lease.finished(row.id)
        await recorder.add(row, outcome)
        return outcome

    renewing = asyncio.create_task(lease.keep())
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(row)) for row in claim.rows]
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
    return [task.result() for task in tasks]


async def _send_one(
    sender: Sender,
    row: Message,
    *,
    lease: Lease,
    blocked: dict[AddressKey, str],
    names: dict[uuid.UUID, str | None],
    deferred: dict[str, int],
) -> Outcome:
    channel: ChannelName = row.channel  # type: ignore[assignment]
    if row.to_address:
        reason = blocked.get(AddressKey(row.tenant_id, row.channel, row.to_address))
        if reason == "opted_out" and row.consent_reply:
            reason = None  # the confirmation of that very opt-out
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
        return _put_back(row, send_after=utcnow() + timedelta(seconds=wait))
    if not lease.holds(row.id):
        # Another worker may own this row by now: never call the provider for it.
        return _put_back(row, send_after=None)
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
        return _retry(
            sender, row, exc.reason, retry_after=exc.retry_after, unconfirmed=exc.unconfirmed
        )
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
        accepted_at=utcnow(),
    )


def _proven(row: Message, proof: Proof) -> Outcome:
    """A retried row the provider has since proved it accepted: sent, not sent again."""
    return Outcome(
        message_id=row.id,
        status=MessageStatus.sent,
        provider=proof.provider,
        provider_id=proof.provider_id,
        accepted_at=proof.occurred_at,
        counts_as_attempt=False,
    )


def _put_back(row: Message, *, send_after: datetime | None) -> Outcome:
    return Outcome(
        message_id=row.id,
        status=MessageStatus.queued,
        send_after=send_after,
        counts_as_attempt=False,
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


def _retry(
    sender: Sender,
    row: Message,
    reason: str,
    *,
    retry_after: float | None,
    unconfirmed: bool = False,
) -> Outcome:
    tuning = sender.outbound.tuning
    if row.attempts >= tuning.max_attempts:
        return _failed(row, f"gave up after {row.attempts} attempts: {reason}")
    delay = retry_delay(
        row.attempts, base=tuning.retry_base, cap=tuning.retry_cap, retry_after=retry_after
    )
    if unconfirmed:
        # The provider may have accepted it: give its event time to arrive and prove so.
        delay = max(delay, tuning.unconfirmed_delay)
        reason = f"{reason} (may have been accepted; resent unless the provider confirms)"
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
