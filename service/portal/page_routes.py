"""The portal's pages: GET /portal/{token} and the plain forms it posts.

A form answers 303 back to the page once its submission is stored, or the page again, in the
customer's language, saying what to correct (422), that a conversation is not theirs (404),
that the body is too large (413) or that the hourly budget is spent (429). An expired or forged
link gets a page saying so in both languages (403), and nothing is stored.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import ImmutableMultiDict

from service.deps import SessionDep, SettingsDep
from service.errors import NotFound, PayloadTooLarge
from service.inbound import forms
from service.inbound.routes import read_body
from service.portal import pages as portal_pages
from service.portal import service as portal
from service.portal import submissions
from service.portal.limits import FORM_MAX_BYTES, TooManySubmissions, spend_submission
from service.portal.links import page_path
from service.portal.service import Access, LinkNotValid, PortalRefused
from service.portal.texts import Language
from service.portal.web import FORBIDDEN, Lang, redis_of

pages = APIRouter(prefix="/portal", tags=["portal pages"])


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


@pages.get("/{token}", response_class=HTMLResponse, responses=FORBIDDEN)
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
        await spend_submission(redis_of(request), customer_id=access.customer.id)
        await submit(access, values, _submission_key(values))
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


def _submission_key(values: ImmutableMultiDict[str, str]) -> str | None:
    """The page's submission id with a digest of what was filled in: the same form sent twice
    (a double click, a reload) is one message, but a different text sent from the same page
    (back, edit, send) is a new one and is never dropped."""
    page = (values.get("submission") or "")[:100]
    if not page:
        return None
    filled = sorted(
        (key, value) for key, value in values.multi_items() if key not in ("submission", "lang")
    )
    digest = hashlib.sha256(repr(filled).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return f"{page}:{digest}"


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
    responses=FORBIDDEN,
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
    responses=FORBIDDEN,
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
    responses=FORBIDDEN,
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
