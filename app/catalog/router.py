"""Catalogue endpoints: /api/v1/units and /api/v1/procedures, addressed by code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.auth.dependencies import Admin, Reader
from app.catalog import service
from app.catalog.schemas import (
    PROVINCE_EXAMPLE,
    Level,
    ProcedureIn,
    ProcedureList,
    ProcedureOut,
    ProcedurePatch,
    ProcedureVersionIn,
    ProcedureVersionList,
    ProcedureVersionOut,
    UnitIn,
    UnitList,
    UnitOut,
    UnitPatch,
)
from app.core.cursor import BY_CODE, decode_cursor, encode_cursor
from app.core.deps import Now, ReadSession, TreeSession, WriteSession
from app.core.openapi import problems
from app.core.params import CODE_LENGTH, CursorQuery, FieldQuery, ProcedurePath, UnitPath

router = APIRouter(prefix="/api/v1", tags=["catalogue (danh mục)"])
Limit = Annotated[int, Query(ge=1, le=5000, description="Page size, 1-5000", examples=[500])]
LevelQuery = Annotated[Level | None, Query(
    description="Only units of this level (cấp: province, agency, district, commune)",
    examples=["commune"])]
# The faults of check_steps that new times alone can give a version's stored steps.
TIME_STEP_PROBLEMS = ("step_allotment_kind_mismatch", "steps_need_working_time",
                      "step_allotments_exceed_legal_time")
# Every fault of check_steps: the steps of a new procedure or version.
STEP_PROBLEMS = ("step_name_empty", "step_name_duplicated", "step_performer_missing",
                 "step_allotment_not_positive", *TIME_STEP_PROBLEMS)
ParentQuery = Annotated[str | None, Query(
    max_length=CODE_LENGTH, examples=[PROVINCE_EXAMPLE],
    description="Only the direct children of this unit (one level below it, not the unit "
                "itself); an unknown code lists none")]
UnderQuery = Annotated[str | None, Query(
    max_length=CODE_LENGTH, examples=[PROVINCE_EXAMPLE],
    description="Only this unit and every unit below it, at any depth (its whole subtree); an "
                "unknown code is a 404")]


@router.post("/units", summary="Create a unit", status_code=201, response_model=UnitOut,
             responses=problems("unit_exists", "invalid_validity", "unknown_unit"))
def create_unit(body: UnitIn, session: WriteSession, who: Admin, now: Now) -> UnitOut:
    """Create a unit (đơn vị)."""
    return service.unit_out(service.create_unit(session, who, body, now))


@router.get("/units", summary="List units (children, subtree or all)", response_model=UnitList,
            responses=problems("unit_not_found", "invalid_cursor"))
def list_units(
    session: ReadSession, _who: Reader,
    parent: ParentQuery = None, under: UnderQuery = None, level: LevelQuery = None,
    cursor: CursorQuery = None, limit: Limit = 500,
) -> UnitList:
    """Units ordered by code: children of `parent`, the subtree `under` a unit, or all."""
    units = service.list_units(session, parent=parent, under=under, level=level,
                               after=decode_cursor(cursor, BY_CODE)[0] if cursor else None,
                               limit=limit)
    nxt = encode_cursor(units[-1].code) if len(units) == limit else None
    return UnitList(items=[service.unit_out(u) for u in units], next_cursor=nxt)


@router.get("/units/{code}", summary="Read a unit", response_model=UnitOut,
            responses=problems("unit_not_found"))
def get_unit(code: UnitPath, session: ReadSession, _who: Reader) -> UnitOut:
    """One unit."""
    return service.unit_out(service.get_unit(session, code))


@router.patch("/units/{code}", summary="Change a unit", response_model=UnitOut,
              responses=problems("unit_not_found", "null_field", "invalid_validity",
                                 "unknown_unit", "unit_cycle", "merge_cycle"))
def update_unit(
    code: UnitPath, patch: UnitPatch, session: TreeSession, who: Admin, now: Now
) -> UnitOut:
    """Change a unit: rename, move, close (valid_to) or record a merger (merged_into)."""
    return service.unit_out(service.update_unit(session, who, code, patch, now))


@router.delete("/units/{code}", summary="Delete a unit", status_code=204,
               responses=problems("unit_not_found", "unit_in_use"))
def delete_unit(code: UnitPath, session: WriteSession, who: Admin, now: Now) -> Response:
    """Delete an unused unit."""
    service.delete_unit(session, who, code, now)
    return Response(status_code=204)


@router.post("/procedures", summary="Create a procedure",
             status_code=201, response_model=ProcedureOut,
             responses=problems("procedure_exists", "unknown_unit", *STEP_PROBLEMS))
def create_procedure(
    body: ProcedureIn, session: WriteSession, who: Admin, now: Now
) -> ProcedureOut:
    """Create a procedure (thủ tục hành chính)."""
    return service.procedure_view(session, service.create_procedure(session, who, body, now), now)


@router.get("/procedures", summary="List procedures, optionally of one field",
            response_model=ProcedureList,
            responses=problems("invalid_cursor"))
def list_procedures(
    session: ReadSession, _who: Reader, now: Now,
    field: FieldQuery = None, cursor: CursorQuery = None, limit: Limit = 500,
) -> ProcedureList:
    """Procedures ordered by code, optionally of one field (lĩnh vực)."""
    items = service.list_procedures(session, field_code=field, limit=limit,
                                    after=decode_cursor(cursor, BY_CODE)[0] if cursor else None)
    nxt = encode_cursor(items[-1].code) if len(items) == limit else None
    return ProcedureList(items=service.procedures_out(session, items, now), next_cursor=nxt)


@router.get("/procedures/{code}", summary="Read a procedure", response_model=ProcedureOut,
            responses=problems("procedure_not_found"))
def get_procedure(
    code: ProcedurePath, session: ReadSession, _who: Reader, now: Now
) -> ProcedureOut:
    """One procedure, with the times of the version in force today."""
    return service.procedure_view(session, service.get_procedure(session, code), now)


@router.patch("/procedures/{code}", summary="Change a procedure", response_model=ProcedureOut,
              responses=problems("procedure_not_found", "null_field", *TIME_STEP_PROBLEMS))
def update_procedure(
    code: ProcedurePath, patch: ProcedurePatch, session: WriteSession, who: Admin, now: Now
) -> ProcedureOut:
    """Change a procedure; dossiers already received keep their appointment."""
    return service.procedure_view(session, service.update_procedure(session, who, code, patch, now),
                                  now)


@router.post("/procedures/{code}/versions", status_code=201,
             summary="Add a version of a procedure's processing rules",
             response_model=ProcedureVersionOut,
             responses=problems("procedure_not_found", "overlapping_effective_date",
                                "unknown_unit", *STEP_PROBLEMS))
def add_procedure_version(
    code: ProcedurePath, body: ProcedureVersionIn, session: WriteSession, who: Admin, now: Now
) -> ProcedureVersionOut:
    """Add processing rules in force from a date (ngày hiệu lực); received dossiers keep theirs."""
    return service.version_out(service.add_version(session, who, code, body, now))


@router.get("/procedures/{code}/versions",
            summary="List the versions of a procedure's processing rules",
            response_model=ProcedureVersionList,
            responses=problems("procedure_not_found"))
def list_procedure_versions(
    code: ProcedurePath, session: ReadSession, _who: Reader
) -> ProcedureVersionList:
    """Every version of a procedure's processing rules, oldest first."""
    return ProcedureVersionList(items=service.list_versions(session, code))


@router.delete("/procedures/{code}", summary="Delete a procedure", status_code=204,
               responses=problems("procedure_not_found", "procedure_in_use"))
def delete_procedure(code: ProcedurePath, session: WriteSession, who: Admin, now: Now) -> Response:
    """Delete a procedure no dossier uses."""
    service.delete_procedure(session, who, code, now)
    return Response(status_code=204)
