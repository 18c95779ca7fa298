"""Templates: list them, preview every variant for a customer, and manage a tenant's overrides."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Request, Response, status
from jinja2 import TemplateError
from sqlalchemy import delete, select
from sqlmodel import col

from service.deps import SessionDep, SettingsDep, StaffDep, WriterDep
from service.errors import NotFound, Unprocessable
from service.ledger import normalize
from service.ledger import service as ledger
from service.rendering import CHANNELS, MessageContext, Renderer, TemplateMissing
from service.templating import service as templating
from service.templating.models import TemplateOverride
from service.templating.schemas import (
    OverridePublic,
    OverridePut,
    Preview,
    PreviewRequest,
    RenderedVariant,
    TemplateInfo,
    TemplateList,
)
from service.types import utcnow

router = APIRouter(prefix="/v1/templates", tags=["templates"])


def _catalog(request: Request) -> templating.TemplateCatalog:
    catalog: templating.TemplateCatalog = request.app.state.runtime.templates
    return catalog


@router.get("", response_model=TemplateList)
async def list_templates(
    request: Request, principal: StaffDep, session: SessionDep
) -> TemplateList:
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
    names = catalog.default.template_names()
    items = []
    for name in names:
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


def _variants(renderer: Renderer, name: str, context: MessageContext) -> list[RenderedVariant]:
    try:
        rendered = renderer.render_all(name, context)
    except TemplateMissing as exc:
        raise NotFound(f"no template named {name!r}") from exc
    except TemplateError as exc:
        # Only a tenant's override can fail here (the defaults are tested); the sandbox refused
        # or the template broke on real data.
        raise Unprocessable(f"the tenant's template override failed: {exc}") from exc
    variants = []
    for channel, message in rendered.items():
        variants.append(
            RenderedVariant(
                channel=channel,
                language=message.language,
                locale=message.locale,
                bilingual=message.bilingual,
                subject=message.subject,
                html=message.html,
                text=message.text,
                sms_encoding=message.sms.encoding if message.sms else None,
                sms_segments=message.sms.segments if message.sms else None,
                sms_units=message.sms.units if message.sms else None,
            )
        )
    return variants


@router.post("/{name}/preview", response_model=Preview)
async def preview_template(
    name: str,
    payload: PreviewRequest,
    request: Request,
    principal: StaffDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Preview:
    """Every rendered variant of a template (email, SMS with its segments, portal), for one of the
    tenant's customers or for sample data, so wording is reviewed before a campaign."""
    tenant = principal.tenant
    if payload.customer_external_id is not None:
        customer = await ledger.get_customer(
            session, tenant_id=tenant.id, external_id=payload.customer_external_id
        )
        invoices = await templating.open_invoices(
            session, tenant_id=tenant.id, customer_id=customer.id
        )
    else:
        customer, invoices = templating.sample_customer(tenant, language=payload.language)
    try:
        locale = normalize.locale(payload.locale) if payload.locale else None
    except normalize.InvalidField as exc:
        raise Unprocessable(str(exc)) from exc
    context = templating.build_context(
        settings=settings,
        tenant=tenant,
        customer=customer,
        invoices=invoices,
        language=payload.language,
        locale=locale,
        opt_out_url=f"{settings.public_url}/unsubscribe/preview",
        reference="CB-PREVIEW",
        team="gbs",
        response_time_hours=48,
        promise_date=utcnow().date(),
        promise_amount=sum((i.balance for i in invoices), start=Decimal(0)) or None,
        promise_currency=invoices[0].currency if invoices else None,
        body="Thank you for your message. / Gracias por su mensaje.",
        referral="legal",
    )
    renderer = await _catalog(request).for_tenant(session, tenant_id=tenant.id)
    return Preview(
        name=name,
        customer_external_id=payload.customer_external_id,
        variants=_variants(renderer, name, context),
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
    """Replace one template file for this tenant. It must compile, and render sample data, in
    the sandbox; otherwise 422 and nothing is stored."""
    path = f"{language}/{filename}"
    catalog = _catalog(request)
    templating.check_override(catalog, path=path, source=payload.source)
    customer, invoices = templating.sample_customer(principal.tenant, language=language)
    trial = templating.build_context(
        settings=settings, tenant=principal.tenant, customer=customer, invoices=invoices
    )
    _variants(catalog.trial({path: payload.source}), filename.split(".", 1)[0], trial)
    existing = (
        await session.execute(
            select(TemplateOverride).where(
                col(TemplateOverride.tenant_id) == principal.tenant.id,
                col(TemplateOverride.path) == path,
            )
        )
    ).scalar_one_or_none()
    if existing is None:
        session.add(
            TemplateOverride(tenant_id=principal.tenant.id, path=path, source=payload.source)
        )
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
