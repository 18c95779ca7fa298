"""Fixtures for template API tests."""

from __future__ import annotations

import pytest

from service.db import Database
from service.tenancy import service as tenancy
from service.tenancy.models import Role
from tests.tenancy.builders import TenantHandle


@pytest.fixture
async def tenant_without_address(database: Database) -> TenantHandle:
    """A tenant created the way `cobro tenant create` does without --postal-address."""
    async with database.transaction() as session:
        tenant = await tenancy.create_tenant(
            session, name="Norte Cobranzas", language="es", country="MX", email_from="a@n.example"
        )
        _key, secret = await tenancy.issue_key(session, tenant_id=tenant.id, role=Role.admin)
    return TenantHandle(tenant=tenant, api_key=secret)
