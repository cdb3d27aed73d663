"""API keys: looking up the caller's, creating, listing and revoking them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth.models import ApiKey
from app.auth.rules import Principal, Role, new_secret, parse_prefix, same_secret
from app.auth.schemas import KeyIn, KeyOut, NewKeyOut
from app.catalog.models import Unit
from app.catalog.service import referenced_unit
from app.core.problems import (
    Conflict,
    Forbidden,
    InvalidParam,
    NotFound,
    Unauthorized,
    Unprocessable,
)

_KEY = (select(ApiKey.id, ApiKey.role, ApiKey.unit_code, ApiKey.secret_hash, ApiKey.revoked_at,
               ApiKey.expires_at, Unit.path)
        .outerjoin(Unit, Unit.code == ApiKey.unit_code)
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


def key_out(key: ApiKey) -> KeyOut:
    """The listing view of a key."""
    return KeyOut(id=key.id, name=key.name, role=key.role,
                  unit=key.unit_code, created_at=key.created_at, expires_at=key.expires_at,
                  revoked_at=key.revoked_at)


def create_key(session: Session, who: Principal, body: KeyIn, now: datetime) -> NewKeyOut:
    """Issue a key; only its hash is stored."""
    if body.role in ("counter", "dashboard") and body.unit is None:
        raise Unprocessable(
            f"A {body.role} key must be scoped to a unit.", code="unit_required",
            invalid_params=[InvalidParam("unit", "required", f"required for {body.role} keys")],
        )
    if body.role == "admin" and body.unit is not None:
        # An admin key can mint keys of any scope, so a "provincial admin" would be national
        # in all but name; admin keys are national, and unit scoping is for the other roles.
        raise Unprocessable(
            "Admin keys are national; scope counter, dashboard or postal keys instead.",
            code="admin_key_is_national",
            invalid_params=[InvalidParam("unit", "not_allowed", "not allowed for admin keys")],
        )
    if body.expires_at is not None and body.expires_at <= now:
        raise Unprocessable("expires_at is in the past.", code="expired",
                            invalid_params=[InvalidParam("expires_at", "past", "in the past")])
    unit = referenced_unit(session, body.unit, "unit").code if body.unit else None
    secret, prefix, digest = new_secret()
    key = ApiKey(prefix=prefix, secret_hash=digest, name=body.name, role=body.role,
                 unit_code=unit, created_at=now, expires_at=body.expires_at)
    session.add(key)
    session.flush()
    record(session, who, now, "create", "api_key", str(key.id), None,
           {"name": key.name, "role": key.role, "unit": unit})
    return NewKeyOut(**key_out(key).model_dump(), key=secret)


def list_keys(session: Session) -> list[KeyOut]:
    """Every key, newest first, without secrets."""
    return [key_out(k) for k in session.scalars(select(ApiKey).order_by(ApiKey.id.desc()))]


def revoke_key(session: Session, who: Principal, key_id: int, now: datetime) -> KeyOut:
    """Revoke a key; it is refused from the next request on."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"No key {key_id}.", code="key_not_found")
    if key.revoked_at is not None:
        raise Conflict(f"Key {key_id} is already revoked.", code="already_revoked")
    key.revoked_at = now
    session.flush()
    record(session, who, now, "revoke", "api_key", str(key.id), {"revoked_at": None},
           {"revoked_at": now.isoformat()})
    return key_out(key)
