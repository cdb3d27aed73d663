"""API key administration: creating, listing and revoking keys, each change audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth.models import ApiKey
from app.auth.rules import Principal, new_secret
from app.catalog.service import referenced_unit
from app.core.problems import Conflict, InvalidParam, NotFound, Unprocessable
from app.keys.schemas import KeyIn, KeyOut, NewKeyOut


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
