"""Dependencies of the HTTP layer, as Annotated aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from service.config import Settings
from service.db import Database
from service.errors import Forbidden, NotAuthenticated
from service.tenancy import service as tenancy
from service.tenancy.models import ApiKey, Role, Tenant


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_session(
    database: Annotated[Database, Depends(get_database)],
) -> AsyncIterator[AsyncSession]:
    # scope="function" below: the commit happens before the response is sent, so a client that
    # got 2xx can read what it wrote with its next request.
    async with database.transaction() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DatabaseDep = Annotated[Database, Depends(get_database)]
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="an API key of the tenant")


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API key and the tenant it belongs to."""

    key: ApiKey
    tenant: Tenant

    @property
    def role(self) -> Role:
        return self.key.role


async def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("missing bearer API key")
    found = await tenancy.authenticate(session, presented=credentials.credentials)
    if found is None:
        raise NotAuthenticated("invalid API key")
    return Principal(key=found[0], tenant=found[1])


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_role(*roles: Role) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    allowed = frozenset(roles)

    async def check(principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(f"this action needs one of the roles: {sorted(allowed)}")
        return principal

    return check


STAFF = (Role.admin, Role.integration, Role.supervisor, Role.agent)
WRITERS = (Role.admin, Role.integration)
StaffDep = Annotated[Principal, Depends(require_role(*STAFF))]
WriterDep = Annotated[Principal, Depends(require_role(*WRITERS))]
SupervisorDep = Annotated[Principal, Depends(require_role(Role.admin, Role.supervisor))]
AdminDep = Annotated[Principal, Depends(require_role(Role.admin))]
