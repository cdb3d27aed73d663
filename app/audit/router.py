"""The audit trail, read-only: there is deliberately no endpoint that changes it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.dependencies import Admin
from app.core.cursor import BY_ID, CursorQuery, decode_cursor, encode_cursor
from app.core.deps import ReadSession
from app.core.timefmt import LocalDatetime

router = APIRouter(prefix="/api/v1", tags=["audit (nhật ký)"])


class AuditOut(BaseModel):
    """One audit entry."""

    id: int
    at: LocalDatetime
    key_id: int | None
    role: str
    action: str
    entity: str
    entity_id: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None


class AuditPage(BaseModel):
    """A page of the trail, newest first."""

    items: list[AuditOut]
    next_cursor: str | None


@router.get("/audit", summary="Read the audit trail", response_model=AuditPage)
def audit(
    session: ReadSession, _who: Admin,
    entity: Annotated[str | None, Query(max_length=40)] = None,
    entity_id: Annotated[str | None, Query(max_length=80)] = None,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """Who changed what, when, through which key, with old and new values."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    if cursor:
        query = query.where(AuditEntry.id < decode_cursor(cursor, BY_ID)[0])
    rows = list(session.scalars(query))
    items = [AuditOut.model_validate(r, from_attributes=True) for r in rows]
    nxt = encode_cursor(rows[-1].id) if len(rows) == limit else None
    return AuditPage(items=items, next_cursor=nxt)
