"""Who is calling: the X-API-Key header resolved to a Principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from app.auth.rules import KEY_EXAMPLE, KEY_HEADER_LENGTH, Principal, Role, same_bytes
from app.auth.service import Credential, admit, look_up
from app.core.db import Database
from app.core.deps import AppSettings, Now, get_db
from app.core.observability import identify_key
from app.core.problems import Unauthorized

KeyHeader = Annotated[str | None, Header(
    max_length=KEY_HEADER_LENGTH, description="API key (khóa truy cập), as issued once by POST "
    "/api/v1/keys", examples=[KEY_EXAMPLE])]
ADMIN_BOOTSTRAP = Principal(key_id=None, role="admin", unit_code=None, unit_path=None)


def _without_lookup(settings: AppSettings, secret: str | None) -> Principal | str:
    """The bootstrap admin, or the secret still to look up; 401 when no key was sent."""
    if not secret:
        raise Unauthorized("Send your API key in the X-API-Key header.", code="missing_key")
    bootstrap = settings.admin_api_key
    if bootstrap and same_bytes(secret, bootstrap.get_secret_value()):
        return ADMIN_BOOTSTRAP
    return secret


def authenticate(
    db: Annotated[Database, Depends(get_db)],
    settings: AppSettings,
    now: Now,
    x_api_key: KeyHeader = None,
) -> Principal:
    """Resolve the key; read from the primary so a revoked key is refused at once."""
    found = _without_lookup(settings, x_api_key)
    if isinstance(found, Principal):
        return found
    # A connection, not an ORM session: this runs on every request.
    with db.fresh_engine.connect() as conn:
        return look_up(conn, found, now)


def require(*roles: Role) -> object:
    """A dependency that admits only the given roles and returns the Principal."""

    # async: a role comparison needs no thread of the pool (authenticate, which reads the
    # database, still runs in one).
    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        identify_key(principal.key_id)
        return admit(principal, roles)

    return Depends(check)


def presented(*roles: Role) -> object:
    """Like `require`, for the group-commit writes: the stored key is looked up later, in the
    writer's transaction (a missing key and the bootstrap key are settled here)."""

    async def check(settings: AppSettings, x_api_key: KeyHeader = None,
                    ) -> Principal | Credential:
        found = _without_lookup(settings, x_api_key)
        return admit(found, roles) if isinstance(found, Principal) else Credential(found, roles)

    return Depends(check)


Admin = Annotated[Principal, require("admin")]
Counter = Annotated[Principal, require("admin", "counter")]
# Single receipts and events: checked in the group-commit writer (app/dossiers/intake.py).
CounterWrite = Annotated[Principal | Credential, presented("admin", "counter")]
Reader = Annotated[Principal, require("admin", "counter", "dashboard")]
# Figures about named officers: for oversight (admins, dashboards), not for the counters.
Overseer = Annotated[Principal, require("admin", "dashboard")]
Anyone = Annotated[Principal, require("admin", "counter", "dashboard", "postal")]
