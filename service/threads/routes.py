"""Threads: what agents work (disputes and every other customer conversation)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from service.deps import Principal, SessionDep, SettingsDep, StaffDep
from service.templating.service import TemplateCatalog
from service.threads import console
from service.threads import service as threads
from service.threads.schemas import (
    NoteCreate,
    ReplyCreate,
    ThreadDetail,
    ThreadMessage,
    ThreadPage,
    ThreadUpdate,
)

router = APIRouter(prefix="/v1/threads", tags=["threads"])


def actor(principal: Principal) -> str:
    """Who did it, as the event log records it: the key's name, else its role and prefix."""
    return principal.key.name or f"{principal.role}:{principal.key.prefix}"


@router.get("", response_model=ThreadPage)
async def list_threads(
    principal: StaffDep,
    session: SessionDep,
    team: Annotated[str | None, Query(description="sales, gbs, collections, legal or none")] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    intent: Annotated[str | None, Query(max_length=32)] = None,
    customer: Annotated[str | None, Query(max_length=128, description="external id")] = None,
    unmatched: Annotated[
        bool | None,
        Query(
            description="true: only threads without a customer (unknown senders, to attach "
            "with POST /v1/threads/{id}/attach); false: only threads with one"
        ),
    ] = None,
    assignee: Annotated[str | None, Query(max_length=200)] = None,
    needs_review: Annotated[bool | None, Query(description="the review queue")] = None,
    escalated: Annotated[bool | None, Query(description="escalated at least once")] = None,
    q: Annotated[str | None, Query(max_length=200, description="text search")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ThreadPage:
    return await console.list_threads(
        session, tenant_id=principal.tenant.id, team=team, status=status, intent=intent,
        customer=customer, assignee=assignee, needs_review=needs_review, escalated=escalated,
        q=q, cursor=cursor, limit=limit,
        unmatched=unmatched,
    )  # fmt: skip


@router.get("/{thread_id}", response_model=ThreadDetail)
async def get_thread(
    thread_id: uuid.UUID, principal: StaffDep, session: SessionDep
) -> ThreadDetail:
    thread = await threads.get_thread(session, tenant_id=principal.tenant.id, thread_id=thread_id)
    return await console.thread_detail(session, thread=thread)


@router.post(
    "/{thread_id}/replies", response_model=ThreadMessage, status_code=status.HTTP_201_CREATED
)
async def reply(
    thread_id: uuid.UUID,
    payload: ReplyCreate,
    request: Request,
    principal: StaffDep,
    session: SessionDep,
    settings: SettingsDep,
) -> ThreadMessage:
    thread = await threads.get_thread(session, tenant_id=principal.tenant.id, thread_id=thread_id)
    catalog: TemplateCatalog = request.app.state.runtime.templates
    renderer = await catalog.for_tenant(session, tenant_id=principal.tenant.id)
    message, warnings = await console.reply(
        session, settings=settings, renderer=renderer, tenant=principal.tenant, thread=thread,
        body=payload.body, channel=payload.channel, actor=actor(principal),
    )  # fmt: skip
    detail = await console.thread_detail(session, thread=thread)
    sent = next(m for m in detail.messages if m.id == message.id)
    return sent.model_copy(update={"warnings": list(warnings)})


@router.post(
    "/{thread_id}/notes", response_model=ThreadMessage, status_code=status.HTTP_201_CREATED
)
async def add_note(
    thread_id: uuid.UUID, payload: NoteCreate, principal: StaffDep, session: SessionDep
) -> ThreadMessage:
    thread = await threads.get_thread(session, tenant_id=principal.tenant.id, thread_id=thread_id)
    note = await console.add_note(session, thread=thread, body=payload.body, actor=actor(principal))
    detail = await console.thread_detail(session, thread=thread)
    return next(m for m in detail.messages if m.id == note.id)


@router.patch("/{thread_id}", response_model=ThreadDetail)
async def update_thread(
    thread_id: uuid.UUID, payload: ThreadUpdate, principal: StaffDep, session: SessionDep
) -> ThreadDetail:
    thread = await threads.get_thread(session, tenant_id=principal.tenant.id, thread_id=thread_id)
    await console.update_thread(session, thread=thread, changes=payload, actor=actor(principal))
    return await console.thread_detail(session, thread=thread)
