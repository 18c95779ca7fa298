"""Campaign and run endpoints."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Annotated, cast

from fastapi import APIRouter, Depends, Header, Query, Request, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.campaigns import defaults
from service.campaigns import service as campaigns
from service.campaigns.models import Campaign
from service.campaigns.schemas import (
    CampaignCreate,
    CampaignPublic,
    CampaignUpdate,
    RuleDefaultsPublic,
    Rules,
    RunAccepted,
    RunCreate,
    RunMessage,
    RunMessages,
    RunPublic,
)
from service.config import Settings
from service.deps import (
    Principal,
    SessionDep,
    SettingsDep,
    StaffDep,
    WriterDep,
    require_role,
)
from service.errors import BadRequest
from service.ledger.models import Customer, Invoice
from service.rendering import Channel, Renderer, SenderIncomplete, TemplateMissing
from service.templating.service import TemplateCatalog, build_context
from service.tenancy.models import Role, Tenant
from service.threads.models import Message, MessageStatus

router = APIRouter(prefix="/v1", tags=["campaigns"])

# Unrendered messages (a dry run's) are rendered for the page: keep pages a few renders long.
MESSAGES_PAGE_MAX = 200

# Starting and steering runs is the collections lead's job as much as the integration's.
SupervisorOrWriter = Annotated[
    Principal, Depends(require_role(Role.admin, Role.integration, Role.supervisor))
]


def _catalog(request: Request) -> TemplateCatalog:
    catalog: TemplateCatalog = request.app.state.runtime.templates
    return catalog


async def _public(session: AsyncSession, campaign: Campaign) -> CampaignPublic:
    return campaigns.public(campaign, rules=await defaults.rules_for(session, campaign=campaign))


@router.get("/campaign-defaults", response_model=RuleDefaultsPublic)
async def get_rule_defaults(principal: StaffDep, session: SessionDep) -> RuleDefaultsPublic:
    """The contact rules of every campaign of the tenant that does not set them itself."""
    return await defaults.get_defaults(session, tenant_id=principal.tenant.id)


@router.put("/campaign-defaults", response_model=RuleDefaultsPublic)
async def put_rule_defaults(
    payload: Rules, principal: WriterDep, session: SessionDep
) -> RuleDefaultsPublic:
    """Replace the tenant's defaults: the rules given here, Cobro's own for the others. They
    apply from the next run on, to every campaign that does not override them."""
    return await defaults.put_defaults(session, tenant_id=principal.tenant.id, rules=payload)


@router.post("/campaigns", response_model=CampaignPublic, status_code=status.HTTP_201_CREATED)
async def create_campaign(
    payload: CampaignCreate, request: Request, principal: WriterDep, session: SessionDep
) -> CampaignPublic:
    campaign = await campaigns.create_campaign(
        session,
        tenant=principal.tenant,
        payload=payload,
        templates=_catalog(request).default.template_names(),
    )
    return await _public(session, campaign)


@router.get("/campaigns", response_model=list[CampaignPublic])
async def list_campaigns(
    request: Request, principal: StaffDep, session: SessionDep
) -> list[CampaignPublic]:
    await campaigns.ensure_default_campaign(
        session, tenant=principal.tenant, templates=_catalog(request).default.template_names()
    )
    tenant_rules = await defaults.tenant_overrides(session, tenant_id=principal.tenant.id)
    return [
        campaigns.public(c, rules=defaults.merge(tenant_rules, c.rules))
        for c in await campaigns.list_campaigns(session, tenant_id=principal.tenant.id)
    ]


@router.get("/campaigns/{campaign_id}", response_model=CampaignPublic)
async def get_campaign(
    campaign_id: uuid.UUID, principal: StaffDep, session: SessionDep
) -> CampaignPublic:
    campaign = await campaigns.get_campaign(
        session, tenant_id=principal.tenant.id, campaign_id=campaign_id
    )
    return await _public(session, campaign)


@router.patch("/campaigns/{campaign_id}", response_model=CampaignPublic)
async def update_campaign(
    campaign_id: uuid.UUID,
    payload: CampaignUpdate,
    request: Request,
    principal: WriterDep,
    session: SessionDep,
) -> CampaignPublic:
    campaign = await campaigns.get_campaign(
        session, tenant_id=principal.tenant.id, campaign_id=campaign_id
    )
    updated = await campaigns.update_campaign(
        session,
        campaign=campaign,
        payload=payload,
        templates=_catalog(request).default.template_names(),
    )
    return await _public(session, updated)


@router.post(
    "/campaigns/{campaign_id}/runs",
    response_model=RunAccepted,
    status_code=status.HTTP_202_ACCEPTED,
)
async def start_run(
    campaign_id: uuid.UUID,
    principal: SupervisorOrWriter,
    session: SessionDep,
    payload: RunCreate | None = None,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", max_length=200, min_length=1)
    ] = None,
) -> RunAccepted:
    """Start (or find) a run. The same Idempotency-Key, or a second real run of the campaign
    for the same as-of date, answers with the existing run."""
    body = payload or RunCreate()
    campaign = await campaigns.get_campaign(
        session, tenant_id=principal.tenant.id, campaign_id=campaign_id
    )
    run, _created = await campaigns.start_run(
        session,
        tenant=principal.tenant,
        campaign=campaign,
        as_of=body.as_of,
        dry_run=body.dry_run,
        idempotency_key=idempotency_key,
    )
    return RunAccepted(run_id=run.id, status=run.status)


@router.get("/runs/{run_id}", response_model=RunPublic)
async def get_run(run_id: uuid.UUID, principal: StaffDep, session: SessionDep) -> RunPublic:
    run = await campaigns.get_run(session, tenant_id=principal.tenant.id, run_id=run_id)
    return await campaigns.run_report(session, run=run)


@router.post("/runs/{run_id}/{action}", response_model=RunPublic)
async def change_run(
    run_id: uuid.UUID,
    action: Annotated[str, "pause, resume or cancel"],
    principal: SupervisorOrWriter,
    session: SessionDep,
) -> RunPublic:
    if action not in ("pause", "resume", "cancel"):
        raise BadRequest("action: use pause, resume or cancel")
    run = await campaigns.get_run(session, tenant_id=principal.tenant.id, run_id=run_id)
    await campaigns.set_run_state(session, run=run, action=action)
    return await campaigns.run_report(session, run=run)


@router.get("/runs/{run_id}/messages", response_model=RunMessages)
async def run_messages(
    run_id: uuid.UUID,
    request: Request,
    principal: StaffDep,
    session: SessionDep,
    settings: SettingsDep,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=MESSAGES_PAGE_MAX)] = 50,
) -> RunMessages:
    """The run's messages, skipped ones with their reason. Messages not yet rendered (a dry run,
    or waiting for their send window) are rendered here as they would go out now, which is why
    a page holds at most 200."""
    tenant = principal.tenant
    run = await campaigns.get_run(session, tenant_id=tenant.id, run_id=run_id)
    query = (
        select(Message, Customer)
        .join(Customer, col(Customer.id) == col(Message.customer_id), isouter=True)
        .where(col(Message.tenant_id) == tenant.id, col(Message.run_id) == run.id)
        .order_by(col(Message.id))
        .limit(limit + 1)
    )
    if cursor is not None:
        try:
            query = query.where(col(Message.id) > uuid.UUID(cursor))
        except ValueError as exc:
            raise BadRequest("cursor: not a cursor of this list") from exc
    rows = list((await session.execute(query)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    campaign = await session.get(Campaign, run.campaign_id)
    renderer = await _catalog(request).for_tenant(session, tenant_id=tenant.id)
    referral = (await defaults.rules_for(session, campaign=campaign)).referral if campaign else None
    to_render = [
        (message, customer)
        for message, customer in rows
        if message.status == MessageStatus.planned and customer is not None
    ]
    invoices = await _invoices_of(session, tenant_id=tenant.id, rows=to_render)
    items = [
        _message_public(
            settings, renderer, tenant, message, customer, referral=referral,
            invoices=invoices.get(message.customer_id, {}) if campaign else None,
        )
        for message, customer in rows
    ]  # fmt: skip
    return RunMessages(items=items, next_cursor=str(rows[-1][0].id) if more and rows else None)


async def _invoices_of(
    session: AsyncSession, *, tenant_id: uuid.UUID, rows: list[tuple[Message, Customer]]
) -> dict[uuid.UUID | None, dict[str, Invoice]]:
    """The invoices listed by a page's messages, in one query."""
    if not rows:
        return {}
    numbers = {number for message, _customer in rows for number in message.invoice_numbers}
    found: dict[uuid.UUID | None, dict[str, Invoice]] = defaultdict(dict)
    for invoice in (
        await session.execute(
            select(Invoice).where(
                col(Invoice.tenant_id) == tenant_id,
                col(Invoice.customer_id).in_({customer.id for _message, customer in rows}),
                col(Invoice.number).in_(numbers),
            )
        )
    ).scalars():
        found[invoice.customer_id][invoice.number] = invoice
    return found


def _message_public(
    settings: Settings,
    renderer: Renderer,
    tenant: Tenant,
    message: Message,
    customer: Customer | None,
    *,
    referral: str | None,
    invoices: dict[str, Invoice] | None,
) -> RunMessage:
    subject, body, language, bilingual = (
        message.subject,
        message.body,
        message.language,
        False,
    )
    render_error: str | None = None
    if message.status == MessageStatus.planned and customer is not None and invoices is not None:
        listed = [invoices[n] for n in message.invoice_numbers if n in invoices]
        context = build_context(
            settings=settings, tenant=tenant, customer=customer, invoices=listed,
            referral=referral,
        )  # fmt: skip
        try:
            rendered = renderer.render(
                message.template or "", channel=cast(Channel, message.channel), context=context
            )
        except (SenderIncomplete, TemplateMissing) as exc:
            # What dispatch would skip the message for, shown on the preview.
            render_error = str(exc)
        else:
            subject, body, language, bilingual = (
                rendered.subject,
                rendered.text,
                rendered.language,
                rendered.bilingual,
            )
    elif message.language is None and message.status != MessageStatus.skipped:
        bilingual = True
    return RunMessage(
        id=message.id,
        thread_id=message.thread_id,
        customer=customer.external_id if customer else None,
        channel=message.channel,
        language=language,
        bilingual=bilingual,
        template=message.template,
        step=message.step,
        to=message.to_address,
        subject=subject,
        body=body,
        status=message.status,
        skip_reason=message.skip_reason,
        invoices=list(message.invoice_numbers),
        fallback_channels=list(message.fallback_channels),
        send_after=message.send_after,
        headers=dict(message.headers),
        render_error=render_error,
    )
