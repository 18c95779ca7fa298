"""Rendering in a tenant's voice: its overrides over the default templates, and the context of a
message built from a customer and its open invoices."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import TemplateSyntaxError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.config import Settings
from service.errors import NotFound, Unprocessable
from service.ledger.models import Customer, Invoice, InvoiceStatus
from service.portal.links import portal_link
from service.rendering import (
    InvoiceLine,
    MessageContext,
    Renderer,
    SenderIdentity,
    default_templates_dir,
)
from service.templating.models import TemplateOverride
from service.tenancy.models import Tenant
from service.types import utcnow

_OVERRIDE_PATH = re.compile(
    r"^(en|es)/[a-z_]+(\.(email\.html|email\.txt|subject|sms|portal))?\.j2$"
)


@dataclass
class TemplateCatalog:
    """The default renderer, and one renderer per distinct set of tenant overrides (cached by
    content, so an edit takes effect at once and unchanged tenants share compiled templates)."""

    templates_dir: Path = field(default_factory=default_templates_dir)
    _renderers: dict[str, Renderer] = field(default_factory=dict)

    @property
    def default(self) -> Renderer:
        return self._renderer({})

    def _renderer(self, overrides: dict[str, str]) -> Renderer:
        digest = hashlib.sha256(repr(sorted(overrides.items())).encode()).hexdigest()
        renderer = self._renderers.get(digest)
        if renderer is None:
            if len(self._renderers) > 256:
                self._renderers.clear()
            renderer = Renderer(self.templates_dir, overrides=overrides)
            self._renderers[digest] = renderer
        return renderer

    def trial(self, overrides: dict[str, str]) -> Renderer:
        """A renderer for trying overrides out, never cached."""
        return Renderer(self.templates_dir, overrides=overrides)

    async def for_tenant(self, session: AsyncSession, *, tenant_id: uuid.UUID) -> Renderer:
        rows = await session.execute(
            select(col(TemplateOverride.path), col(TemplateOverride.source)).where(
                col(TemplateOverride.tenant_id) == tenant_id
            )
        )
        return self._renderer({str(path): str(source) for path, source in rows.all()})


def sender_identity(tenant: Tenant) -> SenderIdentity:
    return SenderIdentity(
        name=tenant.email_from_name or tenant.name,
        email=tenant.email_from or "",
        phone=tenant.sms_from,
        postal_address=tenant.postal_address or "",
    )


def portal_url(settings: Settings, *, customer_id: uuid.UUID) -> str:
    return portal_link(settings, customer_id=customer_id).url


def invoice_lines(invoices: Sequence[Invoice], *, today: date) -> list[InvoiceLine]:
    return [
        InvoiceLine(
            number=invoice.number,
            issued_on=invoice.issued_on,
            due_on=invoice.due_on,
            days_past_due=(today - invoice.due_on).days,
            balance=Decimal(invoice.balance),
            currency=invoice.currency,
            po_number=invoice.po_number,
        )
        for invoice in sorted(invoices, key=lambda item: (item.due_on, item.number))
    ]


def customer_today(customer: Customer, tenant: Tenant, *, now: datetime | None = None) -> date:
    zone = ZoneInfo(customer.timezone or tenant.timezone)
    return (now or utcnow()).astimezone(zone).date()


def build_context(
    *,
    settings: Settings,
    tenant: Tenant,
    customer: Customer,
    invoices: Sequence[Invoice],
    now: datetime | None = None,
    language: str | None = None,
    locale: str | None = None,
    opt_out_url: str | None = None,
    reference: str | None = None,
    team: str | None = None,
    response_time_hours: int | None = None,
    promise_date: date | None = None,
    promise_amount: Decimal | None = None,
    promise_currency: str | None = None,
    body: str | None = None,
    referral: str | None = None,
) -> MessageContext:
    """What every message to `customer` may show. Its language is the customer's, else unknown,
    in which case email and portal carry both languages and SMS uses the tenant's default."""
    moment = now or utcnow()
    chosen = language or customer.language
    return MessageContext(
        customer_name=customer.name,
        tenant=sender_identity(tenant),
        portal_url=portal_url(settings, customer_id=customer.id),
        now=moment,
        timezone=customer.timezone or tenant.timezone,
        language=chosen,
        locale=locale or customer.locale,
        default_language=tenant.language,
        country=tenant.country,
        bilingual=chosen is None,
        invoices=invoice_lines(invoices, today=customer_today(customer, tenant, now=moment)),
        opt_out_url=opt_out_url,
        referral=referral,
        reference=reference,
        team=team,
        response_time_hours=response_time_hours,
        promise_date=promise_date,
        promise_amount=promise_amount,
        promise_currency=promise_currency,
        body=body,
    )


async def open_invoices(
    session: AsyncSession, *, tenant_id: uuid.UUID, customer_id: uuid.UUID
) -> list[Invoice]:
    result = await session.execute(
        select(Invoice).where(
            col(Invoice.tenant_id) == tenant_id,
            col(Invoice.customer_id) == customer_id,
            col(Invoice.status) == InvoiceStatus.open,
            col(Invoice.balance) > 0,
        )
    )
    return list(result.scalars())


def sample_customer(tenant: Tenant, *, language: str | None) -> tuple[Customer, list[Invoice]]:
    """A realistic customer with three open invoices, for previews before any data exists."""
    spanish = (language or tenant.language) == "es"
    customer = Customer(
        id=uuid.UUID(int=0),
        tenant_id=tenant.id,
        external_id="SAMPLE",
        name="Distribuidora Hernández S.A. de C.V." if spanish else "Harper Dental Group",
        language=language,
        timezone=tenant.timezone,
    )
    today = utcnow().date()
    invoices = [
        Invoice(
            tenant_id=tenant.id,
            customer_id=customer.id,
            number=f"INV-10{index:02d}",
            currency="MXN" if spanish else "USD",
            amount=Decimal(amount),
            balance=Decimal(amount),
            issued_on=today - timedelta(days=days + 30),
            due_on=today - timedelta(days=days),
            po_number=f"PO-77{index:03d}" if index % 2 == 0 else None,
        )
        for index, (amount, days) in enumerate([("1250.00", 12), ("980.40", 35), ("4310.75", 47)])
    ]
    return customer, invoices


def check_override(catalog: TemplateCatalog, *, path: str, source: str) -> None:
    """Refuse an override that is not one of the template files or does not compile."""
    if not _OVERRIDE_PATH.match(path):
        raise Unprocessable(
            "path: use LANGUAGE/NAME.VARIANT.j2, e.g. es/reminder_firm.sms.j2, with a variant "
            "among email.html, email.txt, subject, sms, portal"
        )
    language, filename = path.split("/", 1)
    default_names = {p.name for p in (catalog.templates_dir / language).glob("*.j2")}
    if filename not in default_names:
        raise NotFound(f"no default template file {path!r} to override")
    try:
        catalog.default.environment(language).parse(source)
    except TemplateSyntaxError as exc:
        raise Unprocessable(
            f"source: template syntax error line {exc.lineno}: {exc.message}"
        ) from exc
