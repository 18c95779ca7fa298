"""A tenant's renderer: its template directory, its overrides and its SMS options."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from service.db import Database
from service.rendering import SmsPolicy
from service.templating.models import TemplateOverride
from service.templating.service import (
    SenderIncompleteError,
    TemplateCatalog,
    require_sender,
    sender_identity,
)
from service.tenancy.models import Tenant
from tests.rendering.builders import make_context
from tests.tenancy.builders import TenantHandle


async def test_a_tenant_directory_is_used_for_that_tenant_only(
    database: Database, tenant: TenantHandle, other_tenant: TenantHandle, tmp_path: Path
) -> None:
    folder = tmp_path / str(tenant.tenant.id) / "en"
    folder.mkdir(parents=True)
    (folder / "reminder_firm.sms.j2").write_text("{{ tenant.name }}: from our own folder.")
    (folder / "_footer.sms.j2").write_text("")  # never used: the opt-out stays
    catalog = TemplateCatalog(tenant_root=tmp_path)
    context = make_context(language="en")
    async with database.transaction() as session:
        mine = await catalog.for_tenant(session, tenant_id=tenant.tenant.id)
        theirs = await catalog.for_tenant(session, tenant_id=other_tenant.tenant.id)
    assert mine.render("reminder_firm", channel="sms", context=context).text == (
        "Acme Supplies: from our own folder. Reply STOP to opt out."
    )
    assert (
        "from our own folder"
        not in theirs.render("reminder_firm", channel="sms", context=context).text
    )


async def test_database_overrides_win_over_the_tenant_directory(
    database: Database, tenant: TenantHandle, tmp_path: Path
) -> None:
    folder = tmp_path / str(tenant.tenant.id) / "en"
    folder.mkdir(parents=True)
    (folder / "reminder_firm.sms.j2").write_text("folder")
    async with database.transaction() as session:
        session.add(
            TemplateOverride(
                tenant_id=tenant.tenant.id, path="en/reminder_firm.sms.j2", source="database"
            )
        )
    catalog = TemplateCatalog(tenant_root=tmp_path)
    async with database.transaction() as session:
        renderer = await catalog.for_tenant(session, tenant_id=tenant.tenant.id)
    text = renderer.render("reminder_firm", channel="sms", context=make_context(language="en")).text
    assert text == "database Reply STOP to opt out."


async def test_the_renderer_carries_the_tenants_sms_options(
    database: Database, tenant: TenantHandle
) -> None:
    catalog = TemplateCatalog()
    async with database.transaction() as session:
        assert (await catalog.for_tenant(session, tenant_id=tenant.tenant.id)).sms_policy == (
            SmsPolicy()
        )
        await session.execute(
            update(Tenant)
            .where(Tenant.id == tenant.tenant.id)  # type: ignore[arg-type]
            .values(sms_transliteration=False, sms_max_segments=3)
        )
    async with database.transaction() as session:
        renderer = await catalog.for_tenant(session, tenant_id=tenant.tenant.id)
    assert renderer.sms_policy == SmsPolicy(transliterate=False, max_segments=3)


def test_require_sender_names_what_is_missing(tenant: TenantHandle) -> None:
    tenant_row = Tenant(name="Norte", postal_address=None)
    assert sender_identity(tenant_row).postal_address is None
    require_sender(tenant_row, channel="sms")
    require_sender(tenant_row, channel="portal")
    with pytest.raises(SenderIncompleteError, match="postal address") as refused:
        require_sender(tenant_row, channel="email")
    assert refused.value.status_code == 422
    require_sender(tenant.tenant, channel="email")
