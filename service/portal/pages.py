"""The portal's HTML pages: server-rendered, bilingual, no script and no external asset.

Templates live beside this module (``pages/``) and run in a sandboxed, autoescaping Jinja
environment; everything they show is passed in as data, so a customer's ``<script>`` or
``{{ 7*7 }}`` is printed as the text it is. The one stylesheet is inlined and allowed by its
hash in a Content-Security-Policy that permits nothing else; pages are never cached and send
no referrer, so the token in their URL reaches no third party.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from service.portal.links import page_path
from service.portal.schemas import DISPUTE_REASONS, PortalView
from service.portal.texts import INVALID_LINK, TEXTS, Language
from service.rendering.formatting import Formatter

PAGES_DIR = Path(__file__).resolve().parent / "pages"
NOTICES = ("message", "dispute", "promise")


@dataclass(frozen=True)
class _Pages:
    environment: SandboxedEnvironment
    css: Markup
    csp: str


@lru_cache(maxsize=1)
def _pages() -> _Pages:
    environment = SandboxedEnvironment(
        loader=FileSystemLoader(PAGES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    css = (PAGES_DIR / "portal.css").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()
    csp = (
        "default-src 'none'; "
        f"style-src 'sha256-{digest}'; "
        "img-src 'none'; "
        "form-action 'self'; "
        "base-uri 'none'; "
        "frame-ancestors 'none'"
    )
    # The stylesheet is Cobro's own file, inserted verbatim so that its hash matches.
    return _Pages(environment=environment, css=Markup(css), csp=csp)


def security_headers() -> dict[str, str]:
    """Headers of every portal page and answer."""
    return {
        "Content-Security-Policy": _pages().csp,
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
        "X-Robots-Tag": "noindex, nofollow",
    }


@dataclass
class FormState:
    """A refused form shown again: which one, what was wrong, and what the customer typed."""

    form: str
    errors: list[str]
    values: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


def error_text(language: Language, code: str, *, values: Sequence[str] = (), days: int = 0) -> str:
    words = TEXTS[language]
    template = words.get(f"error_{code}", words["error_malformed"])
    return template.format(values=", ".join(values), days=days)


def render_portal(
    view: PortalView,
    *,
    token: str,
    fmt: Formatter,
    timezone: str,
    submission: str,
    notice: str | None = None,
    state: FormState | None = None,
) -> str:
    language = view.language
    words = TEXTS[language]
    sender = view.sender.name
    invoices = [
        {
            "number": invoice.number,
            "issued": fmt.date(invoice.issued_on, tz=timezone, style="medium"),
            "due": fmt.date(invoice.due_on, tz=timezone, style="medium"),
            "balance": fmt.money(_decimal(invoice.balance), invoice.currency),
            "past_due": (
                fmt.number(invoice.days_past_due) if invoice.days_past_due > 0 else words["not_due"]
            ),
            "po": invoice.po_number or "",
        }
        for invoice in view.invoices
    ]
    threads = [
        {
            "id": str(thread.id),
            "reference": thread.reference,
            "subject": thread.subject or "",
            "messages": [
                {
                    "inbound": message.direction == "inbound",
                    "who": words["you"] if message.direction == "inbound" else sender,
                    "when": fmt.datetime(message.created_at, tz=timezone, style="medium"),
                    "subject": message.subject or "",
                    "body": message.body,
                }
                for message in thread.messages
            ],
        }
        for thread in view.threads
    ]
    other: Language = "en" if language == "es" else "es"
    base = page_path(token)
    contact = view.sender.email or view.sender.phone
    context: dict[str, object] = {
        "lang": language,
        "t": words,
        "title": words["title"].format(sender=sender),
        "greeting": words["greeting"].format(customer=view.customer.name),
        "switch_url": f"{base}?lang={other}",
        "actions": {
            "message": f"{base}/messages",
            "dispute": f"{base}/disputes",
            "promise": f"{base}/promises",
        },
        "invoices": invoices,
        "totals": [fmt.money(_decimal(total.balance), total.currency) for total in view.totals],
        "threads": threads,
        "reasons": [(code, words[f"reason_{code}"]) for code in DISPUTE_REASONS],
        "promise_min": view.promise_window.earliest.isoformat(),
        "promise_max": view.promise_window.latest.isoformat(),
        "notice": words[f"sent_{notice}"] if notice in NOTICES else None,
        "state": state or FormState(form="", errors=[]),
        "submission": submission,
        "expires": words["expires"].format(
            date=fmt.date(view.expires_at, tz=timezone, style="long")
        ),
        "contact": words["contact"].format(contact=contact) if contact else "",
    }
    return _render("portal.html.j2", context)


def render_invalid_link() -> str:
    """The page of an expired or forged link: both languages, since nobody is known."""
    return _render(
        "invalid.html.j2", {"lang": "en", "title": INVALID_LINK["title"], "text": INVALID_LINK}
    )


def _render(name: str, context: Mapping[str, object]) -> str:
    pages = _pages()
    return pages.environment.get_template(name).render(css=pages.css, **context)


def _decimal(value: str) -> Decimal:
    return Decimal(value)
