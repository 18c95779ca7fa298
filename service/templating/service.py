"""Rendering in a tenant's voice: its overrides over the default templates, its SMS options, its
sender identity, and the context of a message built from a customer and its open invoices."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import TemplateSyntaxError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from service.campaigns.defaults import rules_for
from service.campaigns.models import Campaign
from service.config import Settings
from service.errors import NotFound, Unprocessable
from service.ledger.models import Customer, Invoice, InvoiceStatus
from service.portal.links import portal_link
from service.rendering import (
    COMPLIANCE_PARTIALS,
    Installment,
    InvoiceLine,
    MessageContext,
    Renderer,
    SenderIdentity,
    SmsPolicy,
    default_templates_dir,
)
from service.templating.models import TemplateOverride
from service.tenancy.models import Tenant
from service.types import utcnow

_OVERRIDE_PATH = re.compile(
    r"^(en|es)/[a-z][a-z_]*\.(email\.html|email\.txt|subject|sms|portal)\.j2$"
)


class SenderIncompleteError(Unprocessable):
    """The tenant lacks what an email must carry (its postal address)."""


@dataclass
class TemplateCatalog:
    """The renderers of every tenant: the defaults, under a tenant's own directory
    (`tenant_root/<tenant id>/<language>/...`, the COBRO_TEMPLATE_DIR setting) and its overrides
    stored in the database (these first), with its SMS options. Renderers are cached by content,
    so an edit takes effect at once and tenants alike share compiled templates."""

    templates_dir: Path = field(default_factory=default_templates_dir)
    tenant_root: Path | None = None
    _renderers: dict[str, Renderer] = field(default_factory=dict)

    @property
    def default(self) -> Renderer:
        return self._renderer({}, override_dir=None, policy=SmsPolicy())

    def tenant_dir(self, tenant_id: uuid.UUID) -> Path | None:
        """The tenant's template directory, when one is configured and exists."""
        if self.tenant_root is None:
            return None
        folder = self.tenant_root / str(tenant_id)
        return folder if folder.is_dir() else None

    def _renderer(
        self, overrides: dict[str, str], *, override_dir: Path | None, policy: SmsPolicy
    ) -> Renderer:
        key = repr((sorted(overrides.items()), str(override_dir), policy))
        digest = hashlib.sha256(key.encode()).hexdigest()
        renderer = self._renderers.get(digest)
        if renderer is None:
            if len(self._renderers) > 256:
                self._renderers.clear()
            renderer = Renderer(
                self.templates_dir, overrides=overrides, override_dir=override_dir, sms=policy
            )
            self._renderers[digest] = renderer
        return renderer

    def trial(self, tenant: Tenant, overrides: dict[str, str]) -> Renderer:
        """A renderer for trying overrides out in the tenant's settings, never cached."""
        return Renderer(
            self.templates_dir,
            overrides=overrides,
            override_dir=self.tenant_dir(tenant.id),
            sms=sms_policy(tenant),
        )

    async def for_tenant(self, session: AsyncSession, *, tenant_id: uuid.UUID) -> Renderer:
        tenant = await session.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound("tenant not found")
        rows = await session.execute(
            select(col(TemplateOverride.path), col(TemplateOverride.source)).where(
                col(TemplateOverride.tenant_id) == tenant_id
            )
        )
        return self._renderer(
            {str(path): str(source) for path, source in rows.all()},
            override_dir=self.tenant_dir(tenant_id),
            policy=sms_policy(tenant),
        )


def sms_policy(tenant: Tenant) -> SmsPolicy:
    return SmsPolicy(transliterate=tenant.sms_transliteration, max_segments=tenant.sms_max_segments)


def sender_identity(tenant: Tenant) -> SenderIdentity:
    """The tenant as its messages name it. `postal_address` is None while it has none: the
    renderer then refuses email (see `require_sender`)."""
    address = (tenant.postal_address or "").strip()
    return SenderIdentity(
        name=tenant.email_from_name or tenant.name,
        email=tenant.email_from or "",
        phone=tenant.sms_from,
        postal_address=address or None,
    )


def require_sender(tenant: Tenant, *, channel: str) -> None:
    """Raise `SenderIncompleteError` (422) when a message on `channel` cannot carry what the law
    requires of it: an email needs the tenant's name and postal address. Call it before queueing
    an email, so that a tenant without an address gets a clear reason instead of a failed send."""
    if channel != "email":
        return
    if not (tenant.postal_address or "").strip() or not tenant.name.strip():
        raise SenderIncompleteError(
            "the tenant has no postal address, and every email must carry the sender's postal "
            "address: set it with PATCH /v1/templates/settings or `cobro tenant create "
            "--postal-address`"
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
    installments: Sequence[Installment] = (),
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
        installments=installments,
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


async def policy_referral(session: AsyncSession, *, tenant_id: uuid.UUID) -> str | None:
    """Who the tenant's policy names at 90+ days: the referral in force (the campaign's own, else
    the tenant's default rules) of its default campaign, else of the first campaign that sends an
    escalation notice."""
    campaigns = (
        await session.execute(
            select(Campaign)
            .where(col(Campaign.tenant_id) == tenant_id)
            .order_by(col(Campaign.is_default).desc(), col(Campaign.created_at))
        )
    ).scalars()
    for campaign in campaigns:
        steps: list[dict[str, Any]] = list(campaign.steps or [])
        escalates = any(step.get("template") == "escalation_notice" for step in steps)
        if not (campaign.is_default or escalates):
            continue
        referral = (await rules_for(session, campaign=campaign)).referral
        if referral:
            return str(referral)
    return None


def promise_and_plan(
    invoices: Sequence[InvoiceLine], *, today: date
) -> tuple[Decimal | None, str | None, list[Installment]]:
    """A sample promise (the balance in the first invoice's currency, never a sum across
    currencies) and a three-instalment plan for it, for previews."""
    if not invoices:
        return None, None, []
    currency = invoices[0].currency
    amount = sum((inv.balance for inv in invoices if inv.currency == currency), start=Decimal(0))
    part = (amount / 3).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    amounts = [part, part, amount - 2 * part]
    plan = [
        Installment(due_on=today + timedelta(days=30 * (n + 1)), amount=value, currency=currency)
        for n, value in enumerate(amounts)
    ]
    return amount, currency, plan


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
    """Refuse an override that is not one of the message template files or does not compile."""
    language, _, filename = path.partition("/")
    if filename.startswith(COMPLIANCE_PARTIALS):
        raise Unprocessable(
            f"{path!r} carries the opt-out text and the sender's identity and postal address "
            "that every message must show, so it cannot be overridden; override the message "
            "templates instead (e.g. es/reminder_firm.email.html.j2)"
        )
    if filename.startswith("_"):
        raise Unprocessable(
            f"{path!r} is a building block shared by every message; override the message "
            "templates that use it instead (e.g. es/reminder_firm.email.html.j2)"
        )
    if not _OVERRIDE_PATH.match(path):
        raise Unprocessable(
            "path: use LANGUAGE/NAME.VARIANT.j2, e.g. es/reminder_firm.sms.j2, with a variant "
            "among email.html, email.txt, subject, sms, portal"
        )
    default_names = {p.name for p in (catalog.templates_dir / language).glob("*.j2")}
    if filename not in default_names:
        raise NotFound(f"no default template file {path!r} to override")
    try:
        catalog.default.environment(language).parse(source)
    except TemplateSyntaxError as exc:
        raise Unprocessable(
            f"source: template syntax error line {exc.lineno}: {exc.message}"
        ) from exc
