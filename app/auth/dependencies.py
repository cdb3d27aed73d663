"""Who is calling: the X-API-Key header resolved to a Principal."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header
from sqlalchemy import bindparam, select

from app.auth.models import ApiKey
from app.auth.rules import Principal, Role, parse_prefix, same_secret
from app.catalog.models import Unit
from app.core.db import Database
from app.core.deps import AppSettings, Now, get_db
from app.core.problems import Forbidden, Unauthorized

_KEY = (select(ApiKey.id, ApiKey.role, ApiKey.unit_code, ApiKey.secret_hash, ApiKey.revoked_at,
               ApiKey.expires_at, Unit.path)
        .outerjoin(Unit, Unit.code == ApiKey.unit_code)
        .where(ApiKey.prefix == bindparam("prefix")))
ADMIN_BOOTSTRAP = Principal(key_id=None, role="admin", unit_code=None, unit_path=None)


def authenticate(
    db: Annotated[Database, Depends(get_db)],
    settings: AppSettings,
    now: Now,
    x_api_key: Annotated[str | None, Header(description="API key (khóa truy cập)")] = None,
) -> Principal:
    """Resolve the key; read from the primary so a revoked key is refused at once."""
    if not x_api_key:
        raise Unauthorized("Send your API key in the X-API-Key header.", code="missing_key")
    bootstrap = settings.admin_api_key
    if bootstrap and hmac.compare_digest(x_api_key, bootstrap.get_secret_value()):
        return ADMIN_BOOTSTRAP
    prefix = parse_prefix(x_api_key)
    if prefix is not None:
        # A connection, not an ORM session: this runs on every request.
        with db.fresh_engine.connect() as conn:
            key = conn.execute(_KEY, {"prefix": prefix}).first()
        if key is not None:
            usable = key.revoked_at is None and (key.expires_at is None or key.expires_at > now)
            if usable and same_secret(x_api_key, key.secret_hash):
                role: Role = key.role
                return Principal(key_id=key.id, role=role, unit_code=key.unit_code,
                                 unit_path=key.path)
    raise Unauthorized("The API key is unknown, revoked or expired.", code="invalid_key")


def require(*roles: Role) -> object:
    """A dependency that admits only the given roles and returns the Principal."""

    # async: a role comparison needs no thread of the pool (authenticate, which reads the
    # database, still runs in one).
    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"This operation needs one of the roles: {', '.join(roles)}.",
                            code="role_not_allowed")
        return principal

    return Depends(check)


Admin = Annotated[Principal, require("admin")]
Counter = Annotated[Principal, require("admin", "counter")]
Reader = Annotated[Principal, require("admin", "counter", "dashboard")]
Anyone = Annotated[Principal, require("admin", "counter", "dashboard", "postal")]
