"""The portal pages: language, escaping of what customers wrote, strict headers, plain forms."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from datetime import date, timedelta

import httpx
from sqlalchemy import select
from sqlmodel import col

from service.db import Database
from service.inbound.models import InboundPayload
from service.runtime import Runtime
from service.threads.models import Direction, Message, MessageStatus
from service.threads.service import open_thread
from tests.portal.builders import PortalCustomer, make_labelled_thread, make_portal_customer
from tests.tenancy.builders import TenantHandle, make_tenant

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> {{ "pwn" ~ "ed" }} {% if 1 %}'


def _submission(page: str) -> str:
    found = re.search(r'name="submission" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


async def _payloads_of(database: Database, customer: PortalCustomer) -> list[dict[str, object]]:
    async with database.transaction() as session:
        bodies = (
            await session.execute(
                select(col(InboundPayload.body)).where(
                    col(InboundPayload.source) == "portal",
                    col(InboundPayload.tenant_id) == customer.tenant.tenant.id,
                )
            )
        ).scalars()
        documents = [json.loads(body) for body in bodies]
    return [document for document in documents if document["customer_id"] == str(customer.id)]


async def test_page_speaks_the_customers_language_else_the_tenants(
    client: httpx.AsyncClient, tenant: TenantHandle, database: Database
) -> None:
    spanish = await make_portal_customer(client, tenant, language="es")
    page = await client.get(spanish.page)
    assert page.status_code == 200
    assert '<html lang="es">' in page.text
    assert "Facturas pendientes" in page.text
    assert "Escríbanos" in page.text
    assert spanish.invoices[0] in page.text
    english = await client.get(f"{spanish.page}?lang=en")
    assert "Open invoices" in english.text
    assert "Facturas pendientes" not in english.text
    mexican = await make_tenant(database, name="Distribuidora del Norte", language="es")
    unknown = await make_portal_customer(client, mexican, language=None)
    assert "Facturas pendientes" in (await client.get(unknown.page)).text
    plain = await make_portal_customer(client, tenant, language=None)
    assert "Open invoices" in (await client.get(plain.page)).text


async def test_page_headers_allow_nothing_but_its_own_style(
    client: httpx.AsyncClient, tenant: TenantHandle
) -> None:
    customer = await make_portal_customer(client, tenant)
    page = await client.get(customer.page)
    headers = page.headers
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert headers["x-frame-options"] == "DENY"
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "form-action 'self'" in policy
    assert "script-src" not in policy  # falls back to 'none'
    style = re.search(r"<style>(.*?)</style>", page.text, re.DOTALL)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert "<script" not in page.text
    assert " src=" not in page.text
    links = re.findall(r'(?:href|action)="([^"]*)"', page.text)
    assert links
    assert all(link.startswith(f"/portal/{customer.token}") for link in links), links


async def test_hostile_customer_text_is_shown_as_text(
    client: httpx.AsyncClient, tenant: TenantHandle, runtime: Runtime
) -> None:
    customer = await make_portal_customer(client, tenant, name=f"Acme {HOSTILE}")
    async with runtime.database.transaction() as session:
        thread = await open_thread(
            session, tenant_id=tenant.tenant.id, customer_id=customer.id, subject=HOSTILE
        )
        session.add(
            Message(
                tenant_id=tenant.tenant.id, thread_id=thread.id, customer_id=customer.id,
                direction=Direction.inbound, channel="email", subject=HOSTILE, body=HOSTILE,
                body_clean=HOSTILE, status=MessageStatus.processed,
            )
        )  # fmt: skip
    page = (await client.get(customer.page)).text
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "pwned" not in page
    assert "{{ &#34;pwn&#34; ~ &#34;ed&#34; }}" in page
    assert "{% if 1 %}" in page


async def test_message_form_stores_once_and_comes_back_to_the_page(
    client: httpx.AsyncClient, tenant: TenantHandle, runtime: Runtime
) -> None:
    customer = await make_portal_customer(client, tenant, language="es")
    thread, _ = await make_labelled_thread(runtime.database, customer)
    page = (await client.get(customer.page)).text
    form = {
        "body": "¿Pueden enviarme la factura?",
        "thread_id": str(thread.id),
        "submission": _submission(page),
        "lang": "es",
    }
    answer = await client.post(f"{customer.page}/messages", data=form)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{customer.page}?sent=message&lang=es#top"
    again = await client.post(f"{customer.page}/messages", data=form)  # a double click
    assert again.status_code == 303
    documents = await _payloads_of(runtime.database, customer)
    assert [(d["body"], d["thread_id"]) for d in documents] == [
        ("¿Pueden enviarme la factura?", str(thread.id))
    ]
    # Back to the same page, another text: a new message, never taken for the first one.
    edited = await client.post(f"{customer.page}/messages", data={**form, "body": "Y el estado"})
    assert edited.status_code == 303
    documents = await _payloads_of(runtime.database, customer)
    assert sorted(d["body"] for d in documents) == ["Y el estado", "¿Pueden enviarme la factura?"]
    shown = await client.get(answer.headers["location"])
    assert "Recibimos su mensaje" in shown.text


async def test_refused_forms_come_back_with_what_to_correct(
    client: httpx.AsyncClient, tenant: TenantHandle, runtime: Runtime
) -> None:
    customer = await make_portal_customer(client, tenant, language="es")
    page = (await client.get(customer.page)).text
    no_invoice = await client.post(
        f"{customer.page}/disputes",
        data={"reason": "pricing", "body": HOSTILE, "submission": _submission(page)},
    )
    assert no_invoice.status_code == 422
    assert "Seleccione al menos una factura." in no_invoice.text
    assert "&lt;script&gt;" in no_invoice.text  # what was typed is shown again, as text
    assert "<script>alert" not in no_invoice.text
    wrong = await client.post(
        f"{customer.page}/disputes",
        data={"reason": "pricing", "body": "x", "invoice_numbers": ["<b>NOPE</b>"]},
    )
    assert wrong.status_code == 422
    assert "no están pendientes en su cuenta: &lt;b&gt;NOPE&lt;/b&gt;" in wrong.text
    bad_reason = await client.post(
        f"{customer.page}/disputes",
        data={"reason": "cheaper", "body": "x", "invoice_numbers": customer.invoices[0]},
    )
    assert bad_reason.status_code == 422
    assert "Elija un motivo." in bad_reason.text
    past = await client.post(
        f"{customer.page}/promises",
        data={"date": (date.today() - timedelta(days=3)).isoformat(), "lang": "en"},
    )
    assert past.status_code == 422
    assert "The date cannot be in the past." in past.text
    amount = await client.post(
        f"{customer.page}/promises",
        data={"date": (date.today() + timedelta(days=5)).isoformat(), "amount": "mañana"},
    )
    assert amount.status_code == 422
    assert "Indique un importe mayor que cero" in amount.text
    stranger = await client.post(
        f"{customer.page}/messages", data={"body": "hi", "thread_id": str(uuid.uuid4())}
    )
    assert stranger.status_code == 404
    assert "No encontramos esa conversación." in stranger.text
    huge = await client.post(f"{customer.page}/messages", data={"body": "x" * 70_000})
    assert huge.status_code == 413
    assert await _payloads_of(runtime.database, customer) == []


async def test_dispute_and_promise_forms_declare_their_labels(
    client: httpx.AsyncClient, tenant: TenantHandle, runtime: Runtime
) -> None:
    customer = await make_portal_customer(client, tenant)
    dispute = await client.post(
        f"{customer.page}/disputes",
        data={
            "reason": "delivery",
            "body": "Never arrived",
            "invoice_numbers": [customer.invoices[1], customer.invoices[0]],
        },
    )
    assert dispute.status_code == 303
    on = (date.today() + timedelta(days=7)).isoformat()
    promise = await client.post(
        f"{customer.page}/promises", data={"date": on, "amount": "80.50", "body": ""}
    )
    assert promise.status_code == 303
    declared = [d["declared"] for d in await _payloads_of(runtime.database, customer)]
    assert sorted(declared, key=lambda item: str(item)) == sorted(
        [
            {
                "intent": "dispute",
                "reason": "delivery",
                "invoice_numbers": [customer.invoices[1], customer.invoices[0]],
                "promise_date": None,
                "promise_amount": None,
            },
            {
                "intent": "promise_to_pay",
                "reason": None,
                "invoice_numbers": [],
                "promise_date": on,
                "promise_amount": "80.50",
            },
        ],
        key=lambda item: str(item),
    )


async def test_forms_of_a_forged_link_store_nothing(client: httpx.AsyncClient) -> None:
    for path in ("messages", "disputes", "promises"):
        answer = await client.post(f"/portal/{'A' * 40}/{path}", data={"body": "hi"})
        assert answer.status_code == 403
        assert "This link has expired or is not valid" in answer.text
