"""Builders for tenants and keys."""

from __future__ import annotations

from dataclasses import dataclass

from service.db import Database
from service.tenancy import service as tenancy
from service.tenancy.models import Role, Tenant


@dataclass(frozen=True)
class TenantHandle:
    tenant: Tenant
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


async def make_tenant(
    database: Database,
    *,
    name: str = "Brightwater Office Solutions",
    language: str = "en",
    timezone: str = "America/New_York",
    country: str = "US",
    role: Role = Role.admin,
    # Every email carries the sender's postal address; without one Cobro refuses email.
    postal_address: str | None = "500 Harbor Way, Suite 300\nBoston, MA 02110",
) -> TenantHandle:
    async with database.transaction() as session:
        tenant = await tenancy.create_tenant(
            session,
            name=name,
            language=language,
            timezone=timezone,
            country=country,
            email_from="ar@brightwater.example",
            sms_from="+14155550100",
            postal_address=postal_address,
        )
        _key, secret = await tenancy.issue_key(session, tenant_id=tenant.id, role=role)
    return TenantHandle(tenant=tenant, api_key=secret)


async def issue_key(database: Database, tenant: Tenant, role: Role) -> str:
    async with database.transaction() as session:
        _key, secret = await tenancy.issue_key(session, tenant_id=tenant.id, role=role)
    return secret
