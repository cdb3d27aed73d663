"""Catalogue use cases: load, check, write, flush. The caller's transaction commits.

What a change of units means elsewhere (calendars, figures) is published, not called: see
app/catalog/changes.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.service import record, snapshot
from app.auth.rules import Principal
from app.catalog.changes import UnitsChanged, UnitsMoved
from app.catalog.headings import Heading, UnitLine, heading
from app.catalog.models import Procedure, ProcedureVersion, Unit
from app.catalog.rules import LegalTime, check_steps, in_force, overlaps
from app.catalog.schemas import (
    ProcedureIn,
    ProcedureOut,
    ProcedurePatch,
    ProcedureVersionIn,
    ProcedureVersionOut,
    ProcessingTimeIn,
    StepIn,
    UnitIn,
    UnitOut,
    UnitPatch,
    WorkingHoursIn,
)
from app.core.changes import publish
from app.core.clock import local_day
from app.core.problems import Conflict, Forbidden, InvalidParam, NotFound, Unprocessable
from app.worktime.rules import WorkingHours

UNIT_FIELDS = ("name", "level", "parent_code", "valid_from", "valid_to", "merged_into_code",
               "working_hours")
PROCEDURE_FIELDS = ("name", "field_code", "field_name", "online", "postal")
VERSION_FIELDS = ("version", "effective_from", "processing_time", "online_processing_time",
                  "steps")


def get_unit(session: Session, code: str) -> Unit:
    """The unit with that code, or 404."""
    unit = session.get(Unit, code)
    if unit is None:
        raise NotFound(f"No unit with code '{code}'.", code="unit_not_found")
    return unit


COVERED_UNIT = ("unit_not_found", "outside_unit_scope")
"""The problem codes of `covered_unit`, for the operations that name a unit of the key's."""


def covered_unit(session: Session, who: Principal, code: str) -> Unit:
    """The unit with that code, which the key's subtree must cover (404, then 403)."""
    unit = get_unit(session, code)
    if not who.covers(unit.path):
        raise Forbidden("This key's unit does not cover that unit.", code="outside_unit_scope")
    return unit


def referenced_unit(session: Session, code: str, field: str) -> Unit:
    """The unit a body names in `field`; an unknown code is a field error (422), not a 404."""
    unit = session.get(Unit, code)
    if unit is None:
        raise unknown_unit(code, field)
    return unit


def unknown_unit(code: str, field: str) -> Unprocessable:
    """The field error for a body naming a unit that does not exist."""
    return Unprocessable(
        f"No unit with code '{code}'.", code="unknown_unit",
        invalid_params=[InvalidParam(field, "unknown_unit", f"no unit '{code}'")],
    )


def working_hours_of(session: Session, unit: Unit) -> WorkingHours:
    """The unit's own working hours, else the nearest ancestor's, else the default."""
    codes = [c for c in unit.path.strip("/").split("/") if c]
    rows = {code: hours for code, hours in session.execute(
        select(Unit.code, Unit.working_hours).where(Unit.code.in_(codes))
    )}
    for code in reversed(codes):
        hours = rows.get(code)
        if hours:
            return hours_from_json(hours)
    return WorkingHours()


def hours_from_json(data: dict[str, Any]) -> WorkingHours:
    """Stored working hours back to the pure value."""
    return WorkingHours(
        sessions=tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in data["sessions"]),
        weekdays=frozenset(data["weekdays"]),
    )


def _hours_json(hours: WorkingHoursIn | None) -> dict[str, Any] | None:
    if hours is None:
        return None
    return {
        "sessions": [[a.isoformat("minutes"), b.isoformat("minutes")] for a, b in hours.sessions],
        "weekdays": sorted(set(hours.weekdays)),
    }


def unit_out(unit: Unit) -> UnitOut:
    """The API view of a unit."""
    hours = unit.working_hours
    return UnitOut(
        code=unit.code, name=unit.name, level=unit.level,
        parent=unit.parent_code, province=unit.province_code, valid_from=unit.valid_from,
        valid_to=unit.valid_to, merged_into=unit.merged_into_code,
        working_hours=WorkingHoursIn.model_validate(hours) if hours else None,
    )


def _check_validity(unit: Unit) -> None:
    if unit.valid_from and unit.valid_to and unit.valid_to < unit.valid_from:
        raise Unprocessable(
            "valid_to is before valid_from.", code="invalid_validity",
            invalid_params=[InvalidParam("valid_to", "before_valid_from", "must not be earlier")],
        )


def _place(session: Session, unit: Unit, parent_code: str | None) -> frozenset[str]:
    """Hang the unit (and its subtree) under a parent, keeping materialised paths right;
    the codes of the units that moved (none for a new unit)."""
    old_path = unit.path
    if parent_code is None:
        unit.path = f"/{unit.code}/"
    else:
        parent = referenced_unit(session, parent_code, "parent")
        if old_path and parent.path.startswith(old_path):
            raise Unprocessable(
                "A unit cannot be placed under itself or its descendants.", code="unit_cycle",
                invalid_params=[InvalidParam("parent", "cycle", "would create a cycle")],
            )
        unit.path = f"{parent.path}{unit.code}/"
    unit.parent_code = parent_code
    unit.province_code = unit.path.strip("/").split("/")[0]
    if old_path and old_path != unit.path:
        paths_then = {unit.code: old_path}
        descendants = session.scalars(
            select(Unit).where(Unit.path.startswith(old_path, autoescape=True),
                               Unit.code != unit.code)
        )
        for child in descendants:
            paths_then[child.code] = child.path
            child.path = unit.path + child.path[len(old_path):]
            child.province_code = unit.province_code
        session.flush()
        paths_now = {code: unit.path + path[len(old_path):] for code, path in paths_then.items()}
        publish(session, UnitsMoved(paths_before=paths_then, paths_after=paths_now))
        return frozenset(paths_then)
    return frozenset()


def _merge_target(session: Session, unit: Unit, target: str | None) -> None:
    if target is None:
        unit.merged_into_code = None
        return
    seen = {unit.code}
    code: str | None = referenced_unit(session, target, "merged_into").code
    while code is not None:
        if code in seen:
            raise Unprocessable(
                "merged_into would form a cycle.", code="merge_cycle",
                invalid_params=[InvalidParam("merged_into", "cycle", "would form a cycle")],
            )
        seen.add(code)
        nxt = session.get(Unit, code)
        code = nxt.merged_into_code if nxt else None
    unit.merged_into_code = target


def create_unit(session: Session, who: Principal, body: UnitIn, now: datetime) -> Unit:
    """Create a unit under its parent."""
    if session.get(Unit, body.code) is not None:
        raise Conflict(f"A unit with code '{body.code}' exists.", code="unit_exists")
    unit = Unit(code=body.code, name=body.name, level=body.level, path="",
                valid_from=body.valid_from, valid_to=body.valid_to,
                working_hours=_hours_json(body.working_hours))
    _check_validity(unit)
    _place(session, unit, body.parent)
    session.add(unit)
    session.flush()
    _merge_target(session, unit, body.merged_into)
    session.flush()
    publish(session, UnitsChanged(frozenset({unit.code})))
    record(session, who, now, "create", "unit", unit.code, None, snapshot(unit, UNIT_FIELDS))
    return unit


def update_unit(
    session: Session, who: Principal, code: str, patch: UnitPatch, now: datetime
) -> Unit:
    """Change the given fields of a unit."""
    unit = get_unit(session, code)
    old = snapshot(unit, UNIT_FIELDS)
    given = patch.model_fields_set
    for name in ("name", "level", "valid_from", "valid_to"):
        if name in given:
            value = getattr(patch, name)
            if value is None and name in ("name", "level"):
                raise Unprocessable(f"{name} cannot be null.", code="null_field",
                                    invalid_params=[InvalidParam(name, "null", "required")])
            setattr(unit, name, value)
    _check_validity(unit)
    if "working_hours" in given:
        unit.working_hours = _hours_json(patch.working_hours)
    moved: frozenset[str] = frozenset()
    if "parent" in given and patch.parent != unit.parent_code:
        moved = _place(session, unit, patch.parent)
    if "merged_into" in given:
        _merge_target(session, unit, patch.merged_into)
    session.flush()
    publish(session, UnitsChanged(moved | {code}))
    record(session, who, now, "update", "unit", code, old, snapshot(unit, UNIT_FIELDS))
    return unit


def delete_unit(session: Session, who: Principal, code: str, now: datetime) -> None:
    """Delete a unit that nothing refers to; history is kept by closing it (valid_to) instead."""
    unit = get_unit(session, code)
    old = snapshot(unit, UNIT_FIELDS)
    with _unless_referenced(session, Conflict(
            f"Unit '{code}' has sub-units, merged units, dossiers or keys; set valid_to instead.",
            code="unit_in_use")):
        session.delete(unit)
        session.flush()
    publish(session, UnitsChanged(frozenset({code})))
    record(session, who, now, "delete", "unit", code, old, None)


@contextmanager
def _unless_referenced(session: Session, refused: Conflict) -> Iterator[None]:
    """Run a delete in a savepoint, refused (and undone) while any row still refers to it.

    The foreign keys (all RESTRICT) know every table that refers to a unit or a procedure,
    dossiers and keys included, so the catalogue need not name the packages above it that
    own them; and the database's own check cannot race a concurrent insert.
    """
    try:
        with session.begin_nested():
            yield
    except IntegrityError:
        raise refused from None


def list_units(
    session: Session, *, parent: str | None, under: str | None, level: str | None,
    after: str | None, limit: int,
) -> list[Unit]:
    """Units by code, filtered by parent, subtree and level."""
    query = select(Unit).order_by(Unit.code).limit(limit)
    if parent is not None:
        query = query.where(Unit.parent_code == parent)
    if under is not None:
        query = query.where(Unit.path.startswith(get_unit(session, under).path, autoescape=True))
    if level is not None:
        query = query.where(Unit.level == level)
    if after is not None:
        query = query.where(Unit.code > after)
    return list(session.scalars(query))


def get_procedure(session: Session, code: str) -> Procedure:
    """The procedure with that code, or 404."""
    procedure = session.get(Procedure, code)
    if procedure is None:
        raise NotFound(f"No procedure with code '{code}'.", code="procedure_not_found")
    return procedure


def versions_of(session: Session, codes: Iterable[str]) -> dict[str, list[ProcedureVersion]]:
    """Every version of these procedures, oldest first, by procedure code."""
    found: dict[str, list[ProcedureVersion]] = defaultdict(list)
    for v in session.scalars(select(ProcedureVersion)
                             .where(ProcedureVersion.procedure_code.in_(set(codes)))
                             .order_by(ProcedureVersion.version)):
        found[v.procedure_code].append(v)
    return found


def _time(value: dict[str, Any] | None) -> ProcessingTimeIn | None:
    return None if value is None else ProcessingTimeIn.model_validate(value)


def _stored(value: ProcessingTimeIn) -> dict[str, Any]:
    return value.model_dump(mode="json", exclude_none=True)


def _stored_online(value: ProcessingTimeIn | None) -> dict[str, Any] | None:
    return None if value is None else _stored(value)


def stored_steps(v: ProcedureVersion) -> list[StepIn]:
    """A version's steps as the API wrote them."""
    return [StepIn.model_validate(s) for s in v.steps]


def _legal(time_: ProcessingTimeIn, online: ProcessingTimeIn | None) -> list[LegalTime]:
    return [time_.legal("processing_time"),
            *([] if online is None else [online.legal("online_processing_time")])]


def _checked_steps(session: Session, steps: list[StepIn], time_: ProcessingTimeIn,
                   online: ProcessingTimeIn | None) -> list[dict[str, Any]]:
    """The steps as stored, once they divide both legal times and name existing units."""
    check_steps([s.to_rules() for s in steps], _legal(time_, online))
    named = {s.unit for s in steps if s.unit}
    known = set(session.scalars(select(Unit.code).where(Unit.code.in_(named)))) if named else set()
    unknown = [InvalidParam(f"steps[{i}].unit", "unknown_unit", f"no unit '{s.unit}'")
               for i, s in enumerate(steps) if s.unit and s.unit not in known]
    if unknown:
        raise Unprocessable("A step names a unit that does not exist.", code="unknown_unit",
                            invalid_params=unknown)
    return [s.model_dump(mode="json", exclude_none=True) for s in steps]


def version_out(v: ProcedureVersion) -> ProcedureVersionOut:
    """The API view of a procedure version."""
    time_ = _time(v.processing_time)
    assert time_ is not None  # the column is NOT NULL
    return ProcedureVersionOut(version=v.version, effective_from=v.effective_from,
                               processing_time=time_,
                               online_processing_time=_time(v.online_processing_time),
                               steps=stored_steps(v))


def procedure_out(p: Procedure, versions: list[ProcedureVersion], today: date) -> ProcedureOut:
    """The API view of a procedure, with the times of the version in force today."""
    current = version_out(in_force(versions, today))
    return ProcedureOut(
        code=p.code, name=p.name, field_code=p.field_code, field_name=p.field_name,
        processing_time=current.processing_time,
        online_processing_time=current.online_processing_time, version=current.version,
        online=p.online, postal=p.postal, steps=current.steps,
    )


def procedures_out(session: Session, ps: list[Procedure], now: datetime) -> list[ProcedureOut]:
    """API views of procedures, their versions loaded in one query."""
    versions = versions_of(session, [p.code for p in ps])
    return [procedure_out(p, versions[p.code], local_day(now)) for p in ps]


def procedure_view(session: Session, p: Procedure, now: datetime) -> ProcedureOut:
    """The API view of one procedure."""
    return procedures_out(session, [p], now)[0]


def list_versions(session: Session, code: str) -> list[ProcedureVersionOut]:
    """Every version of a procedure, oldest first (404 for an unknown procedure)."""
    get_procedure(session, code)
    return [version_out(v) for v in versions_of(session, [code])[code]]


def create_procedure(
    session: Session, who: Principal, body: ProcedureIn, now: datetime
) -> Procedure:
    """Create a procedure with its version 1, in force since always."""
    if session.get(Procedure, body.code) is not None:
        raise Conflict(f"A procedure with code '{body.code}' exists.", code="procedure_exists")
    procedure = Procedure(
        code=body.code, name=body.name, field_code=body.field_code, field_name=body.field_name,
        online=body.online, postal=body.postal,
    )
    steps = _checked_steps(session, body.steps, body.processing_time,
                           body.online_processing_time)
    session.add(procedure)
    session.flush()
    first = ProcedureVersion(procedure_code=body.code, version=1, effective_from=None,
                             processing_time=_stored(body.processing_time),
                             online_processing_time=_stored_online(body.online_processing_time),
                             steps=steps)
    session.add(first)
    session.flush()
    record(session, who, now, "create", "procedure", body.code, None,
           {**snapshot(procedure, PROCEDURE_FIELDS), **snapshot(first, VERSION_FIELDS)})
    return procedure


def update_procedure(
    session: Session, who: Principal, code: str, patch: ProcedurePatch, now: datetime
) -> Procedure:
    """Change the given fields of a procedure; dossiers already received keep their due time.

    New times change the version in force today; add a version to change them from a date.
    """
    procedure = get_procedure(session, code)
    current = in_force(versions_of(session, [code])[code], local_day(now))
    old = {**snapshot(procedure, PROCEDURE_FIELDS), **snapshot(current, VERSION_FIELDS)}
    for name in ("name", "field_code", "field_name", "online", "postal", "processing_time"):
        if name in patch.model_fields_set and getattr(patch, name) is None:
            raise Unprocessable(f"{name} cannot be null.", code="null_field",
                                invalid_params=[InvalidParam(name, "null", "required")])
    time_ = patch.processing_time or _time(current.processing_time)
    online = (patch.online_processing_time if "online_processing_time" in patch.model_fields_set
              else _time(current.online_processing_time))
    assert time_ is not None  # the column is NOT NULL
    # New times must still hold the version's steps (which never change themselves).
    check_steps([s.to_rules() for s in stored_steps(current)], _legal(time_, online))
    for name in ("name", "field_code", "field_name", "online", "postal"):
        if name in patch.model_fields_set:
            setattr(procedure, name, getattr(patch, name))
    current.processing_time = _stored(time_)
    current.online_processing_time = _stored_online(online)
    session.flush()
    record(session, who, now, "update", "procedure", code, old,
           {**snapshot(procedure, PROCEDURE_FIELDS), **snapshot(current, VERSION_FIELDS)})
    return procedure


def add_version(
    session: Session, who: Principal, code: str, body: ProcedureVersionIn, now: datetime
) -> ProcedureVersion:
    """Add processing rules in force from a date; dossiers received before keep theirs."""
    get_procedure(session, code)
    versions = versions_of(session, [code])[code]
    if overlaps(versions, body.effective_from):
        detail = ("effective_from must come after every existing version's date "
                  f"(latest: {max(str(v.effective_from) for v in versions)}).")
        raise Unprocessable(detail, code="overlapping_effective_date", invalid_params=[
            InvalidParam("effective_from", "overlapping_effective_date", detail)])
    steps = _checked_steps(session, body.steps, body.processing_time,
                           body.online_processing_time)
    version = ProcedureVersion(
        procedure_code=code, version=max(v.version for v in versions) + 1,
        effective_from=body.effective_from, processing_time=_stored(body.processing_time),
        online_processing_time=_stored_online(body.online_processing_time), steps=steps)
    session.add(version)
    session.flush()
    record(session, who, now, "create", "procedure_version", f"{code}/{version.version}", None,
           snapshot(version, VERSION_FIELDS))
    return version


def delete_procedure(session: Session, who: Principal, code: str, now: datetime) -> None:
    """Delete a procedure no dossier uses."""
    procedure = get_procedure(session, code)
    old = snapshot(procedure, PROCEDURE_FIELDS)
    with _unless_referenced(session, Conflict(f"Procedure '{code}' has dossiers.",
                                              code="procedure_in_use")):
        session.execute(delete(ProcedureVersion).where(ProcedureVersion.procedure_code == code))
        session.delete(procedure)
        session.flush()
    record(session, who, now, "delete", "procedure", code, old, None)


def list_procedures(
    session: Session, *, field_code: str | None, after: str | None, limit: int
) -> list[Procedure]:
    """Procedures by code, optionally of one field (lĩnh vực)."""
    query = select(Procedure).order_by(Procedure.code).limit(limit)
    if field_code is not None:
        query = query.where(Procedure.field_code == field_code)
    if after is not None:
        query = query.where(Procedure.code > after)
    return list(session.scalars(query))


# A unit tree is a few levels deep; the bound only guards against a damaged parent cycle.
_MAX_DEPTH = 16


def unit_heading(session: Session, unit: Unit) -> Heading:
    """The heading of what `unit` issues (forms, reports): its line of authority and place."""
    chain = [unit]
    while (code := chain[-1].parent_code) is not None and len(chain) < _MAX_DEPTH:
        parent = session.get(Unit, code)
        if parent is None:
            break
        chain.append(parent)
    return heading([UnitLine(u.level, u.name) for u in chain])
