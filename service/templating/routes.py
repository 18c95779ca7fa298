"""Templates: list them, preview every variant for a customer or sample data, manage a tenant's
overrides and its message settings (postal address, SMS transliteration and budget)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response, status
from jinja2 import TemplateError
from sqlalchemy import delete, select
from sqlmodel import col

from service.deps import AdminDep, SessionDep, SettingsDep, StaffDep, WriterDep
from service.errors import NotFound, Unprocessable
from service.ledger import normalize
from service.ledger import service as ledger
from service.ledger.models import Customer, Invoice
from service.rendering import (
    CHANNELS,
    Channel,
    MessageContext,
    RenderedMessage,
    Renderer,
    SenderIncomplete,
    TemplateMissing,
)
from service.templating import service as templating
from service.templating.examples import (
    LIST_EXAMPLE,
    PREVIEW_EXAMPLE,
    PREVIEW_REQUEST_EXAMPLES,
)
from service.templating.models import TemplateOverride
from service.templating.schemas import (
    MessageSettings,
    MessageSettingsUpdate,
    OverridePublic,
    OverridePut,
    Preview,
    PreviewRequest,
    RenderedVariant,
    SampleData,
    TemplateInfo,
    TemplateList,
)
from service.tenancy.models import Tenant
from service.types import utcnow

router = APIRouter(prefix="/v1/templates", tags=["templates"])


def _catalog(request: Request) -> templating.TemplateCatalog:
    catalog: templating.TemplateCatalog = request.app.state.runtime.templates
    return catalog


def _example(value: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": value}}}}


@router.get("", response_model=TemplateList, responses=_example(LIST_EXAMPLE))
async def list_templates(
    request: Request, principal: StaffDep, session: SessionDep
) -> TemplateList:
    """Every template, its channels and files, and which files this tenant overrides."""
    catalog = _catalog(request)
    overridden = set(
        (
            await session.execute(
                select(col(TemplateOverride.path)).where(
                    col(TemplateOverride.tenant_id) == principal.tenant.id
                )
            )
        ).scalars()
    )
    items = []
    for name in catalog.default.template_names():
        files = sorted(p.name for p in (catalog.templates_dir / "en").glob(f"{name}.*.j2"))
        items.append(
            TemplateInfo(
                name=name,
                channels=list(CHANNELS),
                files=files,
                overridden=sorted(path for path in overridden if path.split("/")[-1] in files),
            )
        )
    return TemplateList(templates=items)


def _variant(message: RenderedMessage) -> RenderedVariant:
    return RenderedVariant(
        channel=message.channel,
        language=message.language,
        locale=message.locale,
        bilingual=message.bilingual,
        subject=message.subject,
        html=message.html,
        text=message.text,
        sms_encoding=message.sms.encoding if message.sms else None,
        sms_segments=message.sms.segments if message.sms else None,
        sms_units=message.sms.units if message.sms else None,
        sms_budget=message.sms_budget,
        warnings=list(message.warnings),
    )


def _variants(
    renderer: Renderer, name: str, context: MessageContext, channels: list[Channel]
) -> list[RenderedVariant]:
    try:
        return [
            _variant(renderer.render(name, channel=channel, context=context))
            for channel in channels
        ]
    except TemplateMissing as exc:
        raise NotFound(f"no template named {name!r}") from exc
    except SenderIncomplete as exc:
        raise templating.SenderIncompleteError(
            "email: the tenant has no postal address, and every email must carry the sender's "
            "postal address; set it with PATCH /v1/templates/settings (or preview the other "
            'channels with "channels": ["sms", "portal"])'
        ) from exc
    except TemplateError as exc:
        # Only a tenant's override can fail here (the defaults are tested); the sandbox refused
        # or the template broke on real data.
        raise Unprocessable(f"the tenant's template override failed: {exc}") from exc


def _sample(tenant: Tenant, sample: SampleData) -> tuple[Customer, list[Invoice]]:
    customer = Customer(
        id=uuid.UUID(int=0),
        tenant_id=tenant.id,
        external_id="SAMPLE",
        name=sample.customer_name,
        language=sample.language,
        locale=sample.locale,
        timezone=sample.timezone,
    )
    invoices = [
        Invoice(
            tenant_id=tenant.id,
            customer_id=customer.id,
            number=item.number,
            currency=item.currency,
            amount=item.balance,
            balance=item.balance,
            issued_on=item.due_on,
            due_on=item.due_on,
            po_number=item.po_number,
        )
        for item in sample.invoices
    ]
    return customer, invoices


@router.post("/{name}/preview", response_model=Preview, responses=_example(PREVIEW_EXAMPLE))
async def preview_template(
    name: str,
    payload: Annotated[PreviewRequest, Body(openapi_examples=PREVIEW_REQUEST_EXAMPLES)],
    request: Request,
    principal: StaffDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Preview:
    """Every rendered variant of a template (email, SMS with its segments, portal), for one of the
    tenant's customers or for sample data, so wording is reviewed before a campaign. An SMS over
    the tenant's budget is shown as it would go out (a multi-part message) with a warning; an
    email needs the tenant's postal address (422 until it is set)."""
    tenant = principal.tenant
    referral = await templating.policy_referral(session, tenant_id=tenant.id)
    if payload.customer_external_id is not None:
        customer = await ledger.get_customer(
            session, tenant_id=tenant.id, external_id=payload.customer_external_id
        )
        invoices = await templating.open_invoices(
            session, tenant_id=tenant.id, customer_id=customer.id
        )
    elif payload.sample is not None:
        customer, invoices = _sample(tenant, payload.sample)
        referral = payload.sample.referral or referral
    else:
        customer, invoices = templating.sample_customer(tenant, language=payload.language)
    try:
        locale = normalize.locale(payload.locale) if payload.locale else None
    except normalize.InvalidField as exc:
        raise Unprocessable(str(exc)) from exc
    now = utcnow()
    today = templating.customer_today(customer, tenant, now=now)
    lines = templating.invoice_lines(invoices, today=today)
    amount, currency, plan = templating.promise_and_plan(lines, today=today)
    context = templating.build_context(
        settings=settings,
        tenant=tenant,
        customer=customer,
        invoices=invoices,
        now=now,
        language=payload.language,
        locale=locale,
        opt_out_url=f"{settings.public_url}/unsubscribe/preview",
        reference="CB-PREVIEW",
        team="gbs",
        response_time_hours=48,
        promise_date=today + timedelta(days=7),
        promise_amount=amount,
        promise_currency=currency,
        installments=plan,
        body="Thank you for your message. / Gracias por su mensaje.",
        referral=referral,
    )
    renderer = await _catalog(request).for_tenant(session, tenant_id=tenant.id)
    channels: list[Channel] = list(payload.channels or CHANNELS)
    return Preview(
        name=name,
        customer_external_id=payload.customer_external_id,
        referral=referral,
        variants=_variants(renderer, name, context, channels),
    )


@router.get("/settings", response_model=MessageSettings)
async def get_message_settings(principal: StaffDep) -> MessageSettings:
    """The tenant's message options: postal address, SMS transliteration and segment budget."""
    return _settings(principal.tenant)


@router.patch("/settings", response_model=MessageSettings)
async def update_message_settings(
    payload: MessageSettingsUpdate, principal: AdminDep, session: SessionDep
) -> MessageSettings:
    """Change the tenant's message options; unset fields keep their value."""
    tenant = await session.get(Tenant, principal.tenant.id)
    if tenant is None:
        raise NotFound("tenant not found")
    if payload.postal_address is not None:
        tenant.postal_address = payload.postal_address
    if payload.sms_transliteration is not None:
        tenant.sms_transliteration = payload.sms_transliteration
    if payload.sms_max_segments is not None:
        tenant.sms_max_segments = payload.sms_max_segments
    await session.flush()
    return _settings(tenant)


def _settings(tenant: Tenant) -> MessageSettings:
    return MessageSettings(
        postal_address=tenant.postal_address,
        sms_transliteration=tenant.sms_transliteration,
        sms_max_segments=tenant.sms_max_segments,
    )


@router.get("/overrides", response_model=list[OverridePublic])
async def list_overrides(principal: StaffDep, session: SessionDep) -> list[OverridePublic]:
    rows = await session.execute(
        select(TemplateOverride)
        .where(col(TemplateOverride.tenant_id) == principal.tenant.id)
        .order_by(col(TemplateOverride.path))
    )
    return [OverridePublic(path=row.path, source=row.source) for row in rows.scalars()]


@router.put("/overrides/{language}/{filename}", response_model=OverridePublic)
async def put_override(
    language: str,
    filename: str,
    payload: OverridePut,
    request: Request,
    principal: WriterDep,
    session: SessionDep,
    settings: SettingsDep,
) -> OverridePublic:
    """Replace one message template file for this tenant. It must compile, and render sample
    data, in the sandbox; otherwise 422 and nothing is stored. Footers and the email layout carry
    the opt-out text and the sender's identity and cannot be overridden (422)."""
    path = f"{language}/{filename}"
    catalog = _catalog(request)
    templating.check_override(catalog, path=path, source=payload.source)
    tenant = principal.tenant
    customer, invoices = templating.sample_customer(tenant, language=language)
    trial = templating.build_context(
        settings=settings, tenant=tenant, customer=customer, invoices=invoices
    )
    # The trial only proves the file renders; an address still to be set must not stop it.
    sender = replace(trial.tenant, postal_address=trial.tenant.postal_address or "-")
    _variants(
        catalog.trial(tenant, {path: payload.source}),
        filename.split(".", 1)[0],
        replace(trial, tenant=sender),
        list(CHANNELS),
    )
    existing = (
        await session.execute(
            select(TemplateOverride).where(
                col(TemplateOverride.tenant_id) == tenant.id,
                col(TemplateOverride.path) == path,
            )
        )
    ).scalar_one_or_none()
    if existing is None:
        session.add(TemplateOverride(tenant_id=tenant.id, path=path, source=payload.source))
    else:
        existing.source = payload.source
        existing.updated_at = utcnow()
    await session.flush()
    return OverridePublic(path=path, source=payload.source)


@router.delete("/overrides/{language}/{filename}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_override(
    language: str, filename: str, principal: WriterDep, session: SessionDep
) -> Response:
    result = await session.execute(
        delete(TemplateOverride).where(
            col(TemplateOverride.tenant_id) == principal.tenant.id,
            col(TemplateOverride.path) == f"{language}/{filename}",
        )
    )
    if not getattr(result, "rowcount", 0):
        raise NotFound("no such override")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
