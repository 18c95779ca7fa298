"""Portal endpoints: the staff link, the JSON API under /portal/v1/{token}, and (re-exported
from page_routes) the pages.

The token in the path is the only credential: it is checked before the body is read (403 for
an expired or forged one). Bodies are read with a size limit (413), and each customer has an
hourly budget of submissions (429). The JSON API answers 202 once the submission is stored
for the ``process_inbound`` job.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Header, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from service.deps import SessionDep, SettingsDep, StaffDep
from service.inbound.routes import read_body
from service.ledger import service as ledger
from service.portal import pages as portal_pages
from service.portal import service as portal
from service.portal import submissions
from service.portal.limits import JSON_MAX_BYTES, spend_submission
from service.portal.links import portal_link
from service.portal.page_routes import pages
from service.portal.schemas import (
    PortalAccepted,
    PortalDisputeCreate,
    PortalLinkPublic,
    PortalMessageCreate,
    PortalPromiseCreate,
    PortalView,
)
from service.portal.web import FORBIDDEN, Lang, redis_of

staff = APIRouter(tags=["portal"])
api = APIRouter(prefix="/portal/v1", tags=["portal"])

Model = TypeVar("Model", bound=BaseModel)
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="a resubmission with the same key is stored once",
    ),
]


def _json_body(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


async def _read_json(request: Request, model: type[Model]) -> Model:
    body = await read_body(request, limit=JSON_MAX_BYTES)
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from exc


@staff.post(
    "/v1/customers/{external_id}/portal-link",
    response_model=PortalLinkPublic,
    status_code=status.HTTP_201_CREATED,
)
async def create_portal_link(
    external_id: str, principal: StaffDep, session: SessionDep, settings: SettingsDep
) -> PortalLinkPublic:
    """A fresh signed link to the customer's portal, to send by any channel."""
    customer = await ledger.get_customer(
        session, tenant_id=principal.tenant.id, external_id=external_id
    )
    link = portal_link(settings, customer_id=customer.id)
    return PortalLinkPublic(url=link.url, expires_at=link.expires_at)


# --- JSON API --------------------------------------------------------------------------------


@api.get("/{token}", response_model=PortalView, responses=FORBIDDEN)
async def get_portal(
    token: str, response: Response, session: SessionDep, settings: SettingsDep, lang: Lang = None
) -> PortalView:
    """The customer's open invoices and conversations, as the portal page shows them."""
    access = await portal.open_access(session, settings=settings, token=token)
    response.headers.update(portal_pages.security_headers())
    return await portal.portal_view(session, access=access, language=access.language(lang))


@api.post(
    "/{token}/messages",
    response_model=PortalAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses=FORBIDDEN,
    openapi_extra=_json_body(PortalMessageCreate),
)
async def post_message(
    token: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> PortalAccepted:
    """A message from the customer, threaded, classified and routed like any reply. 404 when
    ``thread_id`` is not one of the customer's threads."""
    access = await portal.open_access(session, settings=settings, token=token)
    payload = await _read_json(request, PortalMessageCreate)
    await spend_submission(redis_of(request), customer_id=access.customer.id)
    stored = await submissions.submit_message(
        session, access=access, body=payload.body, thread_id=payload.thread_id,
        dedupe_key=idempotency_key,
    )  # fmt: skip
    return PortalAccepted(submission_id=stored.payload_id)


@api.post(
    "/{token}/disputes",
    response_model=PortalAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses=FORBIDDEN,
    openapi_extra=_json_body(PortalDisputeCreate),
)
async def post_dispute(
    token: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> PortalAccepted:
    """A dispute of one or more of the customer's open invoices (422 naming any number that is
    not one), with a dispute reason of the reply taxonomy."""
    access = await portal.open_access(session, settings=settings, token=token)
    payload = await _read_json(request, PortalDisputeCreate)
    await spend_submission(redis_of(request), customer_id=access.customer.id)
    stored = await submissions.submit_dispute(
        session, access=access, invoice_numbers=payload.invoice_numbers, reason=payload.reason,
        body=payload.body, dedupe_key=idempotency_key,
    )  # fmt: skip
    return PortalAccepted(submission_id=stored.payload_id)


@api.post(
    "/{token}/promises",
    response_model=PortalAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses=FORBIDDEN,
    openapi_extra=_json_body(PortalPromiseCreate),
)
async def post_promise(
    token: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> PortalAccepted:
    """A promise to pay on a date from today (customer's time zone) to 180 days ahead."""
    access = await portal.open_access(session, settings=settings, token=token)
    payload = await _read_json(request, PortalPromiseCreate)
    amount = submissions.parse_amount(payload.amount)
    await spend_submission(redis_of(request), customer_id=access.customer.id)
    stored = await submissions.submit_promise(
        session, access=access, on=payload.promise_date, amount=amount,
        invoice_numbers=payload.invoice_numbers, note=payload.body, dedupe_key=idempotency_key,
    )  # fmt: skip
    return PortalAccepted(submission_id=stored.payload_id)


__all__ = ["api", "pages", "staff"]
