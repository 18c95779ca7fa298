"""Dates as a tenant sees them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from service.tenancy.models import Tenant
from service.types import utcnow


def tenant_now(tenant: Tenant) -> datetime:
    return utcnow().astimezone(ZoneInfo(tenant.timezone))


def tenant_today(tenant: Tenant) -> date:
    return tenant_now(tenant).date()
