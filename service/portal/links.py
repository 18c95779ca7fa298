"""The one shape of a portal link, used by reminders, agents and the portal itself.

``{COBRO_PUBLIC_URL}/portal/{token}``: the token (``service.security.portal_token``) names one
customer and expires; nothing else rides in the URL, so the page a link opens and the JSON API
under ``/portal/v1/{token}`` accept the same token.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from service.config import Settings
from service.security import PORTAL_TOKEN_DAYS, portal_token

PAGE_PREFIX = "/portal"
API_PREFIX = "/portal/v1"


@dataclass(frozen=True)
class PortalLink:
    url: str
    token: str
    expires_at: datetime


def portal_link(
    settings: Settings, *, customer_id: uuid.UUID, days: int = PORTAL_TOKEN_DAYS
) -> PortalLink:
    """A fresh signed link to ``customer_id``'s portal, valid for ``days``."""
    token, expires_at = portal_token(settings.resolved_secret_key(), customer_id, days=days)
    return PortalLink(
        url=f"{settings.public_url}{page_path(token)}", token=token, expires_at=expires_at
    )


def page_path(token: str) -> str:
    return f"{PAGE_PREFIX}/{token}"
