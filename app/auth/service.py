"""The caller's API key: looked up by its prefix, proven by its hash, admitted by its role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, String, bindparam, column, select, table
from sqlalchemy.orm import Session

from app.auth.models import ApiKey
from app.auth.rules import Principal, Role, parse_prefix, same_secret
from app.core.problems import Forbidden, Unauthorized

# A key's scope is a unit's subtree. Its path is read from the units table by name, as the
# foreign key names it: the catalogue, which owns that table, sits above this access check,
# which every capability (the catalogue's own endpoints included) relies on.
_UNITS = table("units", column("code", String), column("path", String))

_KEY = (select(ApiKey.id, ApiKey.role, ApiKey.unit_code, ApiKey.secret_hash, ApiKey.revoked_at,
               ApiKey.expires_at, _UNITS.c.path)
        .outerjoin(_UNITS, _UNITS.c.code == ApiKey.unit_code)
        .where(ApiKey.prefix == bindparam("prefix")))


@dataclass(frozen=True)
class Credential:
    """A key whose lookup a request left to the group-commit writer, with the roles it needs.

    The writer looks it up inside the transaction that applies the request (one query per key
    and group instead of a transaction and a thread hand-off per request); it is refused
    there exactly as `authenticate` and `require` would have refused it.
    """

    secret: str
    roles: tuple[Role, ...]


def look_up(executor: Connection | Session, secret: str, now: datetime) -> Principal:
    """The principal of a stored key; 401 if unknown, revoked or expired."""
    prefix = parse_prefix(secret)
    if prefix is not None:
        key = executor.execute(_KEY, {"prefix": prefix}).first()
        if key is not None:
            usable = key.revoked_at is None and (key.expires_at is None or key.expires_at > now)
            if usable and same_secret(secret, key.secret_hash):
                role: Role = key.role
                return Principal(key_id=key.id, role=role, unit_code=key.unit_code,
                                 unit_path=key.path)
    raise Unauthorized("The API key is unknown, revoked or expired.", code="invalid_key")


def admit(principal: Principal, roles: tuple[Role, ...]) -> Principal:
    """The principal if its role is one of `roles`, else 403."""
    if principal.role not in roles:
        raise Forbidden(f"This operation needs one of the roles: {', '.join(roles)}.",
                        code="role_not_allowed")
    return principal
