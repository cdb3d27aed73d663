"""The audit trail, read-only: there is deliberately no endpoint that changes it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.dependencies import Admin
from app.core.cursor import (
    BY_ID,
    CURSOR_EXAMPLE,
    NEXT_CURSOR,
    decode_cursor,
    encode_cursor,
)
from app.core.deps import ReadSession
from app.core.openapi import problems
from app.core.params import CursorQuery
from app.core.timefmt import LocalDatetime

router = APIRouter(prefix="/api/v1", tags=["audit (nhật ký)"])


class AuditOut(BaseModel):
    """One audit entry."""

    id: int = Field(description="The entry's number, increasing with time.", examples=[4821])
    at: LocalDatetime = Field(description="When the change was made (Vietnamese time).")
    key_id: int | None = Field(description="The API key that made it; null for the bootstrap "
                                           "admin key.", examples=[7])
    role: str = Field(description="That key's role.", examples=["admin"])
    action: str = Field(description="What was done.", examples=["update"])
    entity: str = Field(description="The kind of thing changed (unit, procedure, key, ...).",
                        examples=["unit"])
    entity_id: str = Field(description="Its code or id.", examples=["000.00.20.H12"])
    old: dict[str, Any] | None = Field(description="Its values before; null when created.",
                                       examples=[{"name": "UBND xã Hạ Long"}])
    new: dict[str, Any] | None = Field(description="Its values after; null when deleted.",
                                       examples=[{"name": "UBND phường Hạ Long"}])


class AuditPage(BaseModel):
    """A page of the trail, newest first."""

    items: list[AuditOut] = Field(description="The entries, newest first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR, examples=[CURSOR_EXAMPLE])


@router.get("/audit", summary="Read the audit trail", response_model=AuditPage,
            responses=problems("invalid_cursor"))
def audit(
    session: ReadSession, _who: Admin,
    entity: Annotated[str | None, Query(
        max_length=40, description="Only changes to this kind of thing (unit, procedure, "
        "key, ...)", examples=["unit"])] = None,
    entity_id: Annotated[str | None, Query(
        max_length=80, description="Only changes to the thing with this code or id",
        examples=["000.00.20.H12"])] = None,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size, 1-1000",
                                examples=[100])] = 100,
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
