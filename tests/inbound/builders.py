"""Builders for inbound tests: tenants with their own number and address, customers, our
outbound messages, signed Twilio posts and raw emails."""

from __future__ import annotations

import itertools
import secrets
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlmodel import col
from twilio.request_validator import RequestValidator

from service.db import Database
from service.inbound.models import InboundPayload
from service.ledger.models import Customer
from service.runtime import Runtime
from service.tenancy.models import Tenant
from service.threads.models import Direction, Message, MessageStatus, Thread
from service.threads.service import open_thread
from tests.tenancy.builders import TenantHandle, make_tenant
from workers.inbound import process_inbound

TWILIO_TOKEN = "twilio-test-token-0123456789abcdef"
SENDGRID_USER = "cobro-inbound"
SENDGRID_PASSWORD = "parse-password-9f8e7d"
MIME_TOKEN = "mime-token-5a4b3c2d1e"
PUBLIC_URL = "https://cobro.test"

_numbers = itertools.count(secrets.randbelow(5000) + 1000)


def unique_number() -> str:
    return f"+1415{next(_numbers):07d}"


async def make_inbound_tenant(database: Database, *, name: str = "Brightwater") -> TenantHandle:
    """A tenant with a number and a sending address of its own (the shared builder's are not)."""
    handle = await make_tenant(database, name=name)
    tag = secrets.token_hex(4)
    async with database.transaction() as session:
        tenant = await session.get(Tenant, handle.tenant.id)
        if tenant is None:
            raise LookupError("tenant vanished")
        tenant.sms_from = unique_number()
        tenant.email_from = f"ar-{tag}@brightwater.example"
    return TenantHandle(tenant=tenant, api_key=handle.api_key)


async def make_customer(
    database: Database,
    tenant: TenantHandle,
    *,
    email: str | None = None,
    phone: str | None = None,
    language: str | None = "en",
    external_id: str | None = None,
) -> Customer:
    async with database.transaction() as session:
        customer = Customer(
            tenant_id=tenant.tenant.id,
            external_id=external_id or f"C-{secrets.token_hex(4)}",
            name="Acme Supply LLC",
            email=email,
            phone=phone,
            language=language,
        )
        session.add(customer)
    return customer


def unique_email(local: str = "ap") -> str:
    return f"{local}-{secrets.token_hex(4)}@customer.example"


@dataclass(frozen=True)
class Conversation:
    thread: Thread
    outbound: Message


async def make_conversation(
    database: Database, tenant: TenantHandle, customer: Customer
) -> Conversation:
    """A thread with one reminder we sent, as outbound would leave it."""
    async with database.transaction() as session:
        thread = await open_thread(
            session, tenant_id=tenant.tenant.id, customer_id=customer.id, why="reminder"
        )
        outbound = Message(
            tenant_id=tenant.tenant.id,
            thread_id=thread.id,
            customer_id=customer.id,
            direction=Direction.outbound,
            channel="email",
            to_address=customer.email,
            subject="Payment reminder",
            body="Invoice INV-1 is due.",
            email_message_id=make_msgid(domain="cobro.test"),
            status=MessageStatus.sent,
        )
        session.add(outbound)
    return Conversation(thread=thread, outbound=outbound)


def build_email(
    *,
    sender: str,
    to: str,
    body: str,
    subject: str = "Re: Payment reminder",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="customer.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def sms_params(*, sender: str, to: str, body: str, **extra: str) -> dict[str, str]:
    return {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": to,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        **extra,
    }


def twilio_signature(params: dict[str, str], *, url: str | None = None) -> str:
    target = url or f"{PUBLIC_URL}/webhooks/twilio/sms"
    return str(RequestValidator(TWILIO_TOKEN).compute_signature(target, params))


async def post_sms(
    client: httpx.AsyncClient, params: dict[str, str], *, signature: str | None = None
) -> httpx.Response:
    return await client.post(
        "/webhooks/twilio/sms",
        data=params,
        headers={"X-Twilio-Signature": signature or twilio_signature(params)},
    )


async def post_mime(
    client: httpx.AsyncClient, raw: bytes, *, token: str = MIME_TOKEN
) -> httpx.Response:
    return await client.post(
        "/webhooks/email/mime",
        content=raw,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "message/rfc822"},
    )


async def drain(runtime: Runtime) -> list[dict[str, Any]]:
    """Run the processing job on every stored payload still waiting, oldest first."""
    async with runtime.database.transaction() as session:
        waiting = list(
            (
                await session.execute(
                    select(col(InboundPayload.id))
                    .where(col(InboundPayload.processed_at).is_(None))
                    .order_by(col(InboundPayload.received_at))
                )
            ).scalars()
        )
    return [await process_inbound({"runtime": runtime}, str(item)) for item in waiting]


async def count_payloads(database: Database) -> int:
    async with database.transaction() as session:
        return int((await session.execute(select(func.count(col(InboundPayload.id))))).scalar_one())


async def messages_of(database: Database, thread_id: uuid.UUID) -> list[Message]:
    async with database.transaction() as session:
        result = await session.execute(
            select(Message)
            .where(col(Message.thread_id) == thread_id)
            .order_by(col(Message.created_at))
        )
        return list(result.scalars())


async def inbound_by_provider_id(database: Database, provider_id: str) -> list[Message]:
    async with database.transaction() as session:
        result = await session.execute(
            select(Message).where(col(Message.provider_id) == provider_id)
        )
        return list(result.scalars())


def multipart(
    fields: dict[str, str | bytes], files: tuple[tuple[str, str, str, bytes], ...] = ()
) -> tuple[str, bytes]:
    """(content type, body) of a multipart/form-data post, as SendGrid sends it."""
    boundary = "xYzZY" + secrets.token_hex(8)
    out = bytearray()
    for name, value in fields.items():
        data = value if isinstance(value, bytes) else value.encode("utf-8")
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += data + b"\r\n"
    for name, filename, content_type, content in files:
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        ).encode()
        out += content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", bytes(out)


async def post_sendgrid(
    client: httpx.AsyncClient,
    fields: dict[str, str | bytes],
    *,
    files: tuple[tuple[str, str, str, bytes], ...] = (),
    auth: tuple[str, str] = (SENDGRID_USER, SENDGRID_PASSWORD),
) -> httpx.Response:
    content_type, body = multipart(fields, files)
    return await client.post(
        "/webhooks/sendgrid/inbound",
        content=body,
        headers={"Content-Type": content_type},
        auth=auth,
    )
