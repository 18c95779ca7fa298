"""Consent records: read them, and record what a customer asked for outside Cobro's channels."""

from __future__ import annotations

from fastapi import APIRouter, Query

from service.consent import service as consent
from service.consent.schemas import ConsentPublic, ConsentPut
from service.deps import SessionDep, StaffDep
from service.errors import Forbidden
from service.tenancy.models import Role

router = APIRouter(prefix="/v1/consent", tags=["consent"])

# Anyone on staff may record an opt-out (a customer may ask on the phone); giving consent back
# overrides the customer's own words, so it is kept to supervisors and integrations.
_OPT_IN_ROLES = frozenset({Role.admin, Role.supervisor, Role.integration})


@router.get("")
async def list_consent(
    principal: StaffDep,
    session: SessionDep,
    channel: consent.ConsentChannel | None = None,
    address: str | None = Query(default=None, max_length=320),
) -> list[ConsentPublic]:
    records = await consent.list_records(
        session, tenant_id=principal.tenant.id, channel=channel, address=address
    )
    return [ConsentPublic.model_validate(record, from_attributes=True) for record in records]


@router.put("")
async def put_consent(body: ConsentPut, principal: StaffDep, session: SessionDep) -> ConsentPublic:
    source = f"api:{principal.role}"
    if body.opted_out:
        record, _ = await consent.record_opt_out(
            session,
            tenant_id=principal.tenant.id,
            channel=body.channel,
            address=body.address,
            source=source,
            detail=body.detail,
        )
    else:
        if principal.role not in _OPT_IN_ROLES:
            raise Forbidden("giving consent back needs an admin, supervisor or integration key")
        record, _ = await consent.record_opt_in(
            session,
            tenant_id=principal.tenant.id,
            channel=body.channel,
            address=body.address,
            source=source,
            detail=body.detail,
        )
    return ConsentPublic.model_validate(record, from_attributes=True)
