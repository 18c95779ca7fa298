"""Tenants and API keys."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.errors import NotFound
from service.ledger import normalize
from service.tenancy.models import ApiKey, Role, Tenant

KEY_PREFIX = "cobro_"
TENANT_NAME_MAX = 200


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_tenant(
    session: AsyncSession,
    *,
    name: str,
    language: str = "en",
    timezone: str = "UTC",
    country: str = "US",
    email_from: str | None = None,
    sms_from: str | None = None,
    messaging_service_sid: str | None = None,
    postal_address: str | None = None,
) -> Tenant:
    name = name.strip()
    if not name or len(name) > TENANT_NAME_MAX:
        raise normalize.InvalidField("name", f"must be 1 to {TENANT_NAME_MAX} characters")
    country = country.strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise normalize.InvalidField("country", f"use an ISO 3166 alpha-2 code, got {country!r}")
    tenant = Tenant(
        name=name,
        language=normalize.language(language),
        timezone=normalize.timezone(timezone),
        country=country,
        email_from=normalize.email(email_from) if email_from else None,
        sms_from=normalize.phone(sms_from, country) if sms_from else None,
        messaging_service_sid=messaging_service_sid,
        postal_address=postal_address,
    )
    session.add(tenant)
    await session.flush()
    return tenant


async def issue_key(
    session: AsyncSession, *, tenant_id: uuid.UUID, role: Role, name: str = ""
) -> tuple[ApiKey, str]:
    """Create a key; the plain key is returned once and never stored."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        tenant_id=tenant_id, role=role, name=name, prefix=secret[:12], key_hash=hash_key(secret)
    )
    session.add(key)
    await session.flush()
    return key, secret


async def authenticate(session: AsyncSession, *, presented: str) -> tuple[ApiKey, Tenant] | None:
    if not presented.startswith(KEY_PREFIX) or len(presented) > 128:
        return None
    row = (
        await session.execute(
            select(ApiKey, Tenant)
            .join(Tenant, col(Tenant.id) == col(ApiKey.tenant_id))
            .where(col(ApiKey.key_hash) == hash_key(presented), col(ApiKey.revoked_at).is_(None))
        )
    ).first()
    if row is None:
        return None
    return row[0], row[1]


async def get_tenant(session: AsyncSession, *, tenant_id: uuid.UUID) -> Tenant:
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("tenant not found")
    return tenant
