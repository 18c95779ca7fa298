"""Portal endpoints: the staff link, the JSON API under /portal/v1/{token}, and the pages.

The token in the path is the only credential: it is checked before the body is read (403 for
an expired or forged one). Bodies are read with a size limit (413), and each customer has an
hourly budget of submissions (429). Plain HTML forms post to the form endpoints, which answer
with a redirect back to the page (or the page again, showing what to correct); the JSON API
answers 202 once the submission is stored for the ``process_inbound`` job.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ValidationError
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import ImmutableMultiDict

from service.deps import SessionDep, SettingsDep, StaffDep
from service.errors import NotFound, PayloadTooLarge
from service.inbound import forms
from service.inbound.routes import read_body
from service.ledger import service as ledger
from service.portal import pages as portal_pages
from service.portal import service as portal
from service.portal import submissions
from service.portal.limits import (
    FORM_MAX_BYTES,
    JSON_MAX_BYTES,
    TooManySubmissions,
    spend_submission,
)
from service.portal.links import page_path, portal_link
from service.portal.schemas import (
    PortalAccepted,
    PortalDisputeCreate,
    PortalLinkPublic,
    PortalMessageCreate,
    PortalPromiseCreate,
    PortalView,
)
from service.portal.service import Access, LinkNotValid, PortalRefused
from service.portal.texts import Language

staff = APIRouter(tags=["portal"])
api = APIRouter(prefix="/portal/v1", tags=["portal"])
pages = APIRouter(prefix="/portal", tags=["portal pages"])

Model = TypeVar("Model", bound=BaseModel)
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="a resubmission with the same key is stored once",
    ),
]
Lang = Annotated[str | None, Query(max_length=8, description="en or es")]
_FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"description": "the link has expired, is forged, or its customer is gone"}
}


def _redis(request: Request) -> Redis:
    pool: Redis = request.app.state.runtime.queue.pool
    return pool


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


@api.get("/{token}", response_model=PortalView, responses=_FORBIDDEN)
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
    responses=_FORBIDDEN,
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
    await spend_submission(_redis(request), customer_id=access.customer.id)
    stored = await submissions.submit_message(
        session, access=access, body=payload.body, thread_id=payload.thread_id,
        dedupe_key=idempotency_key,
    )  # fmt: skip
    return PortalAccepted(submission_id=stored.payload_id)


@api.post(
    "/{token}/disputes",
    response_model=PortalAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses=_FORBIDDEN,
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
    await spend_submission(_redis(request), customer_id=access.customer.id)
    stored = await submissions.submit_dispute(
        session, access=access, invoice_numbers=payload.invoice_numbers, reason=payload.reason,
        body=payload.body, dedupe_key=idempotency_key,
    )  # fmt: skip
    return PortalAccepted(submission_id=stored.payload_id)


@api.post(
    "/{token}/promises",
    response_model=PortalAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses=_FORBIDDEN,
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
    await spend_submission(_redis(request), customer_id=access.customer.id)
    stored = await submissions.submit_promise(
        session, access=access, on=payload.promise_date, amount=amount,
        invoice_numbers=payload.invoice_numbers, note=payload.body, dedupe_key=idempotency_key,
    )  # fmt: skip
    return PortalAccepted(submission_id=stored.payload_id)


# --- Pages -----------------------------------------------------------------------------------


def _html(content: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status_code, headers=portal_pages.security_headers())


def _invalid_link() -> HTMLResponse:
    return _html(portal_pages.render_invalid_link(), status.HTTP_403_FORBIDDEN)


async def _page(
    session: AsyncSession,
    access: Access,
    *,
    token: str,
    language: Language,
    notice: str | None = None,
    state: portal_pages.FormState | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    view = await portal.portal_view(session, access=access, language=language)
    html = portal_pages.render_portal(
        view, token=token, fmt=access.formatter(language), timezone=access.timezone,
        submission=secrets.token_urlsafe(16), notice=notice, state=state,
    )  # fmt: skip
    return _html(html, status_code)


@pages.get("/{token}", response_class=HTMLResponse, responses=_FORBIDDEN)
async def portal_page(
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    lang: Lang = None,
    sent: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    """The customer's portal page (the link every reminder carries)."""
    try:
        access = await portal.open_access(session, settings=settings, token=token)
    except LinkNotValid:
        return _invalid_link()
    return await _page(session, access, token=token, language=access.language(lang), notice=sent)


def _form_body(fields: dict[str, dict[str, Any]], required: list[str]) -> dict[str, Any]:
    schema = {"type": "object", "properties": fields, "required": required}
    return {
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": schema}},
        }
    }


_TEXT: dict[str, Any] = {"type": "string", "maxLength": 20000}
_HIDDEN: dict[str, dict[str, Any]] = {
    "submission": {"type": "string", "maxLength": 100, "description": "one per page shown"},
    "lang": {"type": "string", "enum": ["en", "es"]},
}
_NUMBERS: dict[str, Any] = {"type": "array", "items": {"type": "string", "maxLength": 128}}

Submit = Callable[[Access, ImmutableMultiDict[str, str], str | None], Awaitable[object]]


async def _form(
    request: Request, session: AsyncSession, token: str, form_name: str, submit: Submit
) -> Response:
    """Handle one portal form: refuse, show again with what to correct, or store and redirect."""
    settings = request.app.state.settings
    try:
        access = await portal.open_access(session, settings=settings, token=token)
    except LinkNotValid:
        return _invalid_link()
    language = access.language()
    values: ImmutableMultiDict[str, str] = ImmutableMultiDict()
    try:
        values = forms.read_urlencoded(await read_body(request, limit=FORM_MAX_BYTES))
        language = access.language(values.get("lang"))
        submission = (values.get("submission") or "")[:100] or None
        await spend_submission(_redis(request), customer_id=access.customer.id)
        await submit(access, values, submission)
    except PortalRefused as refused:
        errors = [portal_pages.error_text(language, refused.code, values=refused.values,
                                          days=portal.PROMISE_HORIZON_DAYS)]  # fmt: skip
        return await _again(session, access, token, language, form_name, values, errors, 422)
    except NotFound:
        errors = [portal_pages.error_text(language, "thread_not_found")]
        return await _again(session, access, token, language, form_name, values, errors, 404)
    except TooManySubmissions:
        errors = [portal_pages.error_text(language, "too_many")]
        return await _again(session, access, token, language, form_name, values, errors, 429)
    except PayloadTooLarge:
        errors = [portal_pages.error_text(language, "too_large")]
        return await _again(session, access, token, language, form_name, {}, errors, 413)
    except forms.MalformedPayload:
        errors = [portal_pages.error_text(language, "malformed")]
        return await _again(session, access, token, language, form_name, {}, errors, 400)
    return RedirectResponse(
        f"{page_path(token)}?sent={form_name}&lang={language}#top",
        status_code=status.HTTP_303_SEE_OTHER,
        headers=portal_pages.security_headers(),
    )


async def _again(
    session: AsyncSession,
    access: Access,
    token: str,
    language: Language,
    form_name: str,
    values: ImmutableMultiDict[str, str] | dict[str, str],
    errors: list[str],
    status_code: int,
) -> HTMLResponse:
    shown: dict[str, str | list[str]] = {
        key: (values.get(key) or "")[:20_000] for key in ("body", "thread_id", "reason", "date",
                                                          "amount")
    }  # fmt: skip
    if isinstance(values, ImmutableMultiDict):
        shown["invoice_numbers"] = values.getlist("invoice_numbers")
    state = portal_pages.FormState(form=form_name, errors=errors, values=shown)
    return await _page(
        session, access, token=token, language=language, state=state, status_code=status_code
    )


def _thread_id(raw: str | None) -> uuid.UUID | None:
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise NotFound("thread not found") from exc


@pages.post(
    "/{token}/messages",
    response_class=HTMLResponse,
    responses=_FORBIDDEN,
    openapi_extra=_form_body({"body": _TEXT, "thread_id": {"type": "string"}, **_HIDDEN}, ["body"]),
)
async def message_form(token: str, request: Request, session: SessionDep) -> Response:
    """The page's message form; a 303 back to the page once stored."""

    async def submit(access: Access, values: ImmutableMultiDict[str, str], key: str | None) -> None:
        await submissions.submit_message(
            session, access=access, body=values.get("body") or "",
            thread_id=_thread_id(values.get("thread_id")), dedupe_key=key,
        )  # fmt: skip

    return await _form(request, session, token, "message", submit)


@pages.post(
    "/{token}/disputes",
    response_class=HTMLResponse,
    responses=_FORBIDDEN,
    openapi_extra=_form_body(
        {"invoice_numbers": _NUMBERS, "reason": {"type": "string"}, "body": _TEXT, **_HIDDEN},
        ["invoice_numbers", "reason", "body"],
    ),
)
async def dispute_form(token: str, request: Request, session: SessionDep) -> Response:
    """The page's dispute form."""

    async def submit(access: Access, values: ImmutableMultiDict[str, str], key: str | None) -> None:
        await submissions.submit_dispute(
            session, access=access, invoice_numbers=values.getlist("invoice_numbers"),
            reason=values.get("reason") or "", body=values.get("body") or "", dedupe_key=key,
        )  # fmt: skip

    return await _form(request, session, token, "dispute", submit)


@pages.post(
    "/{token}/promises",
    response_class=HTMLResponse,
    responses=_FORBIDDEN,
    openapi_extra=_form_body(
        {
            "date": {"type": "string", "format": "date"},
            "amount": {"type": "string"},
            "invoice_numbers": _NUMBERS,
            "body": _TEXT,
            **_HIDDEN,
        },
        ["date"],
    ),  # fmt: skip
)
async def promise_form(token: str, request: Request, session: SessionDep) -> Response:
    """The page's promise form."""

    async def submit(access: Access, values: ImmutableMultiDict[str, str], key: str | None) -> None:
        await submissions.submit_promise(
            session, access=access, on=submissions.parse_date(values.get("date")),
            amount=submissions.parse_amount(values.get("amount")),
            invoice_numbers=values.getlist("invoice_numbers"), note=values.get("body"),
            dedupe_key=key,
        )  # fmt: skip

    return await _form(request, session, token, "promise", submit)
