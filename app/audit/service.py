"""Writing the audit trail; callers pass JSON-ready snapshots of old and new values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.auth.rules import Principal


def jsonable(value: Any) -> Any:
    """Dates as ISO strings, so a snapshot fits a JSON column on every engine."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of a row, JSON-ready."""
    return {f: jsonable(getattr(obj, f)) for f in fields}


def record(
    session: Session,
    who: Principal,
    at: datetime,
    action: str,
    entity: str,
    entity_id: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
) -> None:
    """Append one audit entry in the caller's transaction."""
    session.add(
        AuditEntry(at=at, key_id=who.key_id, role=who.role, action=action, entity=entity,
                   entity_id=entity_id, old=old, new=new)
    )


def entry(
    who: Principal, at: datetime, action: str, entity: str, entity_id: str,
    old: dict[str, Any] | None, new: dict[str, Any] | None,
) -> dict[str, Any]:
    """One audit entry as a row, for record_many."""
    return {"at": at, "key_id": who.key_id, "role": who.role, "action": action,
            "entity": entity, "entity_id": entity_id, "old": old, "new": new}


def record_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Append many audit entries in one statement, in the caller's transaction."""
    if rows:
        session.execute(insert(AuditEntry), rows)
