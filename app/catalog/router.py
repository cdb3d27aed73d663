"""Catalogue endpoints: /api/v1/units and /api/v1/procedures, addressed by code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.auth.dependencies import Admin, Reader
from app.catalog import service
from app.catalog.schemas import (
    Level,
    ProcedureIn,
    ProcedureList,
    ProcedureOut,
    ProcedurePatch,
    UnitIn,
    UnitList,
    UnitOut,
    UnitPatch,
)
from app.core.cursor import BY_CODE, CursorQuery, decode_cursor, encode_cursor
from app.core.deps import Now, ReadSession, WriteSession

router = APIRouter(prefix="/api/v1", tags=["catalogue (danh mục)"])
Limit = Annotated[int, Query(ge=1, le=5000)]


@router.post("/units", status_code=201, response_model=UnitOut)
def create_unit(body: UnitIn, session: WriteSession, who: Admin, now: Now) -> UnitOut:
    """Create a unit (đơn vị)."""
    return service.unit_out(service.create_unit(session, who, body, now))


@router.get("/units", response_model=UnitList)
def list_units(
    session: ReadSession, _who: Reader,
    parent: str | None = None, under: str | None = None, level: Level | None = None,
    cursor: CursorQuery = None, limit: Limit = 500,
) -> UnitList:
    """Units ordered by code: children of `parent`, the subtree `under` a unit, or all."""
    units = service.list_units(session, parent=parent, under=under, level=level,
                               after=decode_cursor(cursor, BY_CODE)[0] if cursor else None,
                               limit=limit)
    nxt = encode_cursor(units[-1].code) if len(units) == limit else None
    return UnitList(items=[service.unit_out(u) for u in units], next_cursor=nxt)


@router.get("/units/{code}", response_model=UnitOut)
def get_unit(code: str, session: ReadSession, _who: Reader) -> UnitOut:
    """One unit."""
    return service.unit_out(service.get_unit(session, code))


@router.patch("/units/{code}", response_model=UnitOut)
def update_unit(
    code: str, patch: UnitPatch, session: WriteSession, who: Admin, now: Now
) -> UnitOut:
    """Change a unit: rename, move, close (valid_to) or record a merger (merged_into)."""
    return service.unit_out(service.update_unit(session, who, code, patch, now))


@router.delete("/units/{code}", status_code=204)
def delete_unit(code: str, session: WriteSession, who: Admin, now: Now) -> Response:
    """Delete an unused unit."""
    service.delete_unit(session, who, code, now)
    return Response(status_code=204)


@router.post("/procedures", status_code=201, response_model=ProcedureOut)
def create_procedure(
    body: ProcedureIn, session: WriteSession, who: Admin, now: Now
) -> ProcedureOut:
    """Create a procedure (thủ tục hành chính)."""
    return service.procedure_out(service.create_procedure(session, who, body, now))


@router.get("/procedures", response_model=ProcedureList)
def list_procedures(
    session: ReadSession, _who: Reader,
    field: str | None = None, cursor: CursorQuery = None, limit: Limit = 500,
) -> ProcedureList:
    """Procedures ordered by code, optionally of one field (lĩnh vực)."""
    items = service.list_procedures(session, field_code=field, limit=limit,
                                    after=decode_cursor(cursor, BY_CODE)[0] if cursor else None)
    nxt = encode_cursor(items[-1].code) if len(items) == limit else None
    return ProcedureList(items=[service.procedure_out(p) for p in items], next_cursor=nxt)


@router.get("/procedures/{code}", response_model=ProcedureOut)
def get_procedure(code: str, session: ReadSession, _who: Reader) -> ProcedureOut:
    """One procedure."""
    return service.procedure_out(service.get_procedure(session, code))


@router.patch("/procedures/{code}", response_model=ProcedureOut)
def update_procedure(
    code: str, patch: ProcedurePatch, session: WriteSession, who: Admin, now: Now
) -> ProcedureOut:
    """Change a procedure; dossiers already received keep their appointment."""
    return service.procedure_out(service.update_procedure(session, who, code, patch, now))


@router.delete("/procedures/{code}", status_code=204)
def delete_procedure(code: str, session: WriteSession, who: Admin, now: Now) -> Response:
    """Delete a procedure no dossier uses."""
    service.delete_procedure(session, who, code, now)
    return Response(status_code=204)
