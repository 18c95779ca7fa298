from __future__ import annotations

import pytest

from service.db import Database
from service.tenancy.models import Tenant
from tests.tenancy.builders import TenantHandle, make_tenant

POSTAL_ADDRESS = "1200 Harbor Blvd, Suite 400, Oakland, CA 94607"


@pytest.fixture
async def tenant(database: Database) -> TenantHandle:
    """A tenant that can send email: collection emails carry the sender's postal address."""
    handle = await make_tenant(database)
    async with database.transaction() as session:
        stored = await session.get(Tenant, handle.tenant.id)
        assert stored is not None
        stored.postal_address = stored.postal_address or POSTAL_ADDRESS
    handle.tenant.postal_address = stored.postal_address
    return handle
