"""Import the unit tree or the procedure catalogue from a spreadsheet (XLSX) or CSV file.

A province moving to this service has its units and procedures in spreadsheets. A row is the
API's request body flattened: one column per field, dotted names for nested ones
(`processing_time.working_days`), a JSON value in a cell for a list
(`working_hours.sessions` = `[["07:30","11:30"],["13:30","17:00"]]`). Each row goes through
the same validation and service as `POST` or `PATCH`, with the same audit entries, in a
savepoint of its own: a refused row is reported (row number, field, reason) and changes
nothing, the others land. Importing the same file again changes nothing (rows equal to what
is stored are "unchanged"), so an import stopped halfway is finished by running it again.
Units may come in any order: a row whose parent or successor comes later is retried after the
others.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar
from zipfile import BadZipFile

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from app.auth.rules import Principal
from app.catalog import service
from app.catalog.models import Procedure, Unit
from app.catalog.schemas import ProcedureIn, ProcedurePatch, UnitIn, UnitPatch
from app.core.problems import ProblemError

Outcome = Literal["created", "updated", "unchanged"]
Row = dict[str, Any]
In = TypeVar("In", bound=BaseModel)
Patch = TypeVar("Patch", bound=BaseModel)


@dataclass(frozen=True)
class Refusal:
    """Why a row was not imported: its number in the file (the header is row 1), the field."""

    row: int
    field: str
    reason: str


@dataclass
class Report:
    """What an import did, row by row."""

    counts: dict[str, int] = field(default_factory=lambda: {
        "created": 0, "updated": 0, "unchanged": 0, "refused": 0})
    refusals: list[Refusal] = field(default_factory=list)


def read_rows(path: Path) -> Iterator[tuple[int, Row]]:
    """(row number, {column: cell}) for each non-empty row; empty cells are left out."""
    if path.suffix.lower() == ".xlsx":
        yield from _xlsx_rows(path)
    elif path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = [h.strip() for h in next(reader, [])]
            for number, cells in enumerate(reader, start=2):
                yield from _row(number, header, cells)
    else:
        raise ValueError(f"{path.name}: expected a .xlsx or .csv file")


def _xlsx_rows(path: Path) -> Iterator[tuple[int, Row]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException) as exc:
        raise ValueError(f"{path.name}: not an .xlsx workbook ({exc})") from exc
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        for number, cells in enumerate(rows, start=2):
            yield from _row(number, header, [_cell_text(c) for c in cells])
    finally:
        book.close()


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold (dates as ISO days, 5.0 as 5)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _row(number: int, header: list[str], cells: list[str]) -> Iterator[tuple[int, Row]]:
    row = {name: cell.strip() for name, cell in zip(header, cells, strict=False)
           if name and cell is not None and cell.strip()}
    if row:
        yield number, row


# Booleans are strict in the API (1 or "yes" is not a boolean); a cell spells them out.
_BOOLEANS = {"true": True, "false": False}


class CellError(ValueError):
    """A cell that cannot be read at all: the row is refused, naming the column."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"{column}: {reason}")
        self.column, self.reason = column, reason


def _cell_value(name: str, text: str) -> Any:
    if text[:1] not in "[{":
        return _BOOLEANS.get(text.lower(), text)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CellError(name, f"a cell starting with {text[0]!r} must be JSON: {exc}") from exc


def nest(row: Row) -> Row:
    """Dotted columns become nested objects; a cell that is a JSON list or object is parsed,
    `true` and `false` are booleans, and everything else stays text for the model to read.
    A cell that starts like JSON but is not raises CellError."""
    out: Row = {}
    for name, text in row.items():
        value = _cell_value(name, text)
        target = out
        *parents, leaf = name.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return out


@dataclass(frozen=True)
class Resource(Generic[In, Patch]):
    """How one resource is created, compared and updated through its service."""

    name: str
    create_model: type[In]
    patch_model: type[Patch]
    find: Callable[[Session, str], Any]
    current: Callable[[Session, Any, datetime], Row]
    create: Callable[[Session, Principal, In, datetime], object]
    update: Callable[[Session, Principal, str, Patch, datetime], object]
    # A refusal worth retrying once the other rows are in (a unit's parent not yet created).
    retry: Callable[[ProblemError], bool] = lambda _: False


def _unit_current(_session: Session, unit: Unit, _now: datetime) -> Row:
    return service.unit_out(unit).model_dump(mode="json")


def _procedure_current(session: Session, procedure: Procedure, now: datetime) -> Row:
    return service.procedure_view(session, procedure, now).model_dump(mode="json")


UNITS: Resource[UnitIn, UnitPatch] = Resource(
    "unit", UnitIn, UnitPatch, lambda s, code: s.get(Unit, code), _unit_current,
    service.create_unit, service.update_unit,
    retry=lambda problem: problem.code == "unknown_unit")
PROCEDURES: Resource[ProcedureIn, ProcedurePatch] = Resource(
    "procedure", ProcedureIn, ProcedurePatch, lambda s, code: s.get(Procedure, code),
    _procedure_current, service.create_procedure, service.update_procedure)
RESOURCES: dict[str, Resource[Any, Any]] = {"units": UNITS, "procedures": PROCEDURES}


def import_row(session: Session, who: Principal, resource: Resource[In, Patch], row: Row,
               now: datetime) -> Outcome:
    """Create or update one resource from a row; raises ValidationError, CellError or
    ProblemError."""
    body = resource.create_model.model_validate_strings(nest(row))
    code: str = body.model_dump(include={"code"})["code"]
    existing = resource.find(session, code)
    if existing is None:
        resource.create(session, who, body, now)
        return "created"
    # Only the columns the row has; each compared whole, as the API would show it.
    given = body.model_dump(mode="json", include=body.model_fields_set - {"code"})
    stored = resource.current(session, existing, now)
    changed = {k: v for k, v in given.items() if stored.get(k) != v}
    if not changed:
        return "unchanged"
    resource.update(session, who, code, resource.patch_model.model_validate(changed), now)
    return "updated"


def run(session: Session, who: Principal, resource: Resource[In, Patch],
        rows: list[tuple[int, Row]], now: datetime,
        progress: Callable[[int], None] = lambda _: None) -> Report:
    """Import the rows, each in a savepoint; retry deferrable refusals until none succeeds."""
    report = Report()
    pending = rows
    while pending:
        deferred: list[tuple[int, Row, ProblemError]] = []
        for number, row in pending:
            try:
                with session.begin_nested():
                    outcome = import_row(session, who, resource, row, now)
            except ValidationError as exc:
                _refuse(report, number, [(".".join(map(str, e["loc"])) or "row", e["msg"])
                                         for e in exc.errors()])
                progress(1)
            except CellError as exc:
                _refuse(report, number, [(exc.column, exc.reason)])
                progress(1)
            except ProblemError as exc:
                if resource.retry(exc):
                    deferred.append((number, row, exc))
                    continue
                _refuse(report, number, _problem_fields(exc))
                progress(1)
            else:
                report.counts[outcome] += 1
                progress(1)
        if len(deferred) == len(pending):
            for number, _, problem in deferred:
                _refuse(report, number, _problem_fields(problem))
                progress(1)
            break
        pending = [(number, row) for number, row, _ in deferred]
    report.refusals.sort(key=lambda r: r.row)
    return report


def _problem_fields(exc: ProblemError) -> list[tuple[str, str]]:
    if exc.invalid_params:
        return [(p.name, p.reason) for p in exc.invalid_params]
    return [("row", exc.detail)]


def _refuse(report: Report, number: int, fields: list[tuple[str, str]]) -> None:
    report.counts["refused"] += 1
    report.refusals.extend(Refusal(number, name, reason) for name, reason in fields)
