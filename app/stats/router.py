"""Statistics endpoints: on-time figures, rankings and the official II.06a report."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from app.auth.dependencies import Overseer, Reader
from app.auth.rules import Principal
from app.catalog.models import Unit
from app.catalog.schemas import Level
from app.catalog.service import COVERED_UNIT, covered_unit, unit_heading
from app.core.deps import Now, ReadSession
from app.core.examples import UNIT_EXAMPLE
from app.core.openapi import problems
from app.core.params import CODE_LENGTH, FieldQuery, ProcedureQuery
from app.core.problems import InvalidParam, Unprocessable
from app.core.timefmt import Day, Period
from app.stats import report, rules, service
from app.stats.schemas import (
    By,
    GroupBy,
    OfficerList,
    OnTime,
    OnTimeByStep,
    OnTimeGrouped,
    Ranking,
)

router = APIRouter(prefix="/api/v1", tags=["statistics (thống kê)"])

PeriodQuery = Annotated[Period | None, Query(
    description="The period (kỳ báo cáo): 2026, 2026-Q3, 2026-H1 or 2026-09; or give from and "
                "to", examples=["2026-Q1"])]
FromQuery = Annotated[Day | None, Query(
    alias="from", description="First day (Vietnamese time), inclusive, instead of a period",
    examples=["2026-01-01"])]
ToQuery = Annotated[Day | None, Query(
    alias="to", description="Last day (Vietnamese time), inclusive, instead of a period",
    examples=["2026-03-31"])]
UnitQuery = Annotated[str | None, Query(
    max_length=CODE_LENGTH, examples=[UNIT_EXAMPLE],
    description="Unit code (mã đơn vị; default: the key's own); the key must cover it")]
ByQuery = Annotated[By, Query(
    description="Count each dossier for the unit deciding it (handling) or the one that "
                "received it (receiving)", examples=["handling"])]


def scoped_unit(session: Session, who: Principal, code: str | None) -> Unit | None:
    """The unit asked for (default: the key's own), which the key must cover."""
    code = code or who.unit_code
    return None if code is None else covered_unit(session, who, code)


UNIT_FIGURES = (*COVERED_UNIT, "unit_required", "invalid_period")
"""The problem codes of the figures of one unit and period (`required_unit`, the period)."""


def required_unit(session: Session, who: Principal, code: str | None) -> Unit:
    """Like scoped_unit, for figures of one unit: a national key must name it (422)."""
    unit = scoped_unit(session, who, code)
    if unit is None:
        raise Unprocessable(
            "Name a unit: this key is national.", code="unit_required",
            invalid_params=[InvalidParam("unit", "required", "required for a national key")])
    return unit


@router.get("/stats/on-time", summary="On-time figures of a unit and period",
            response_model=OnTime | OnTimeGrouped | OnTimeByStep,
            responses=problems(*UNIT_FIGURES, "then_by_without_group_by"))
def on_time(
    session: ReadSession, who: Reader, now: Now,
    unit: UnitQuery = None,
    include_descendants: Annotated[bool, Query(
        description="Also the units below it in the tree", examples=[True])] = True,
    by: ByQuery = "handling",
    period: PeriodQuery = None,
    from_: FromQuery = None,
    to: ToQuery = None,
    procedure: ProcedureQuery = None,
    field: FieldQuery = None,
    group_by: Annotated[GroupBy | None, Query(
        description="Split the figures by month, quarter, field, procedure or child unit, "
                    "with the total beside; `step` lists the late dossiers by the step of "
                    "the internal process (liên thông) and the unit that overran it",
        examples=["step"])] = None,
    include_merged: Annotated[bool, Query(
        description="Also count units merged into this one (2025 reform)",
        examples=[False])] = False,
    then_by: Annotated[rules.Grouping | None, Query(
        description="With group_by unit, field or procedure: split each group again by "
                    "month, quarter or year, e.g. every child unit's figures for each month "
                    "of a year in one answer", examples=["month"])] = None,
) -> dict[str, Any]:
    """On-time figures of a unit for a period, as docs/figures.md defines them."""
    if then_by is not None and group_by not in ("unit", "field", "procedure"):
        raise Unprocessable(
            "then_by splits the groups of group_by=unit, field or procedure.",
            code="then_by_without_group_by",
            invalid_params=[InvalidParam("then_by", "invalid",
                                         "needs group_by=unit, field or procedure")])
    base = required_unit(session, who, unit)
    start, end = rules.resolve_period(period, from_, to)
    units = [base, *(service.merged_into(session, base) if include_merged else [])]
    procedures = ([procedure] if procedure else
                  service.procedures_of_field(session, field) if field else None)
    if procedures is None and group_by not in ("field", "procedure"):
        procedures = [rules.ALL]
    today = rules.local_day(now)
    scope = {"unit": base.code, "from": start, "to": end, "by": by,
             "include_descendants": include_descendants, "include_merged": include_merged,
             "procedure": procedure, "field": field}
    common: dict[str, Any] = {"base": units, "include_descendants": include_descendants,
                              "by": by, "procedures": procedures, "start": start, "end": end,
                              "today": today}
    # Grouping by field or procedure reads every procedure's rows; the total reads the "*" rows.
    # A field no procedure belongs to matches nothing: zeros, not every procedure's figures.
    total = service.figures_for(session, **{
        **common, "procedures": [rules.ALL] if procedures is None else procedures})
    if group_by is None:
        return {**scope, **total}
    if group_by == "step":
        steps = service.late_by_step(session, base=units, include_descendants=include_descendants,
                                     by=by, procedures=procedures, start=start, end=end)
        return {**scope, "group_by": group_by, "groups": steps, "total": total}
    groups = service.grouped(session, **common, group_by=group_by, then_by=then_by)
    return {**scope, "group_by": group_by, "then_by": then_by, "groups": groups,
            "total": total}


@router.get("/stats/ranking", summary="Rank units by on-time rate", response_model=Ranking,
            responses=problems(*COVERED_UNIT, "invalid_period"))
def ranking(
    session: ReadSession, who: Reader, now: Now,
    level: Annotated[Level, Query(
        description="Rank the units of this level (commune, agency, district, province)",
        examples=["commune"])] = "commune",
    unit: Annotated[str | None, Query(
        max_length=CODE_LENGTH,
        description="Rank within this unit's subtree (default: the key's own; a national key "
                    "ranks every unit)", examples=["000.00.00.H12"])] = None,
    by: ByQuery = "handling",
    period: PeriodQuery = None,
    from_: FromQuery = None,
    to: ToQuery = None,
    include_merged: Annotated[bool, Query(
        description="Add to each unit the units merged into it (2025 reform); a merged unit "
                    "is then not ranked on its own", examples=[True])] = True,
) -> dict[str, Any]:
    """Units of a level ranked by on-time rate, so a province sees its best and worst."""
    root = scoped_unit(session, who, unit)
    start, end = rules.resolve_period(period, from_, to)
    items = service.ranking(session, root=root, level=level, by=by, start=start, end=end,
                            today=rules.local_day(now), include_merged=include_merged)
    return {"level": level, "unit": root.code if root else None, "from": start, "to": end,
            "items": items}


@router.get("/stats/officers", summary="Figures per officer of a unit and period",
            response_model=OfficerList, responses=problems(*UNIT_FIGURES))
def officers(
    session: ReadSession, who: Overseer,
    unit: UnitQuery = None,
    period: PeriodQuery = None,
    from_: FromQuery = None,
    to: ToQuery = None,
) -> dict[str, Any]:
    """Per officer (cán bộ, công chức) named in the unit's subtree: dossiers received, resolved
    (early, on time, late) and the applicants' ratings of the results they returned, for a
    period, as docs/figures.md (Officers) defines them. Read from the dossiers at request
    time, not from the aggregate tables. Admin and dashboard keys only; a dashboard key only
    for units of its own subtree."""
    base = required_unit(session, who, unit)
    start, end = rules.resolve_period(period, from_, to)
    return {"unit": base.code, "from": start, "to": end,
            "items": service.officers(session, base, start, end)}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/reports/ii06a", summary="Periodic report II.06a/VPCP/KSTT", response_model=None,
            responses={200: {"content": {"text/csv": {}, XLSX: {}}}, **problems(*UNIT_FIGURES)})
def report_ii06a(
    session: ReadSession, who: Reader, now: Now,
    unit: UnitQuery = None,
    period: PeriodQuery = None,
    from_: FromQuery = None,
    to: ToQuery = None,
    by: ByQuery = "handling",
    rows: Annotated[Literal["field", "unit"], Query(
        description="One row per field (lĩnh vực) or per direct child unit",
        examples=["field"])] = "field",
    format: Annotated[Literal["json", "csv", "xlsx"], Query(
        description="json, csv (with a BOM for Excel) or xlsx (headed, dated and signed)",
        examples=["xlsx"])] = "json",
    include_merged: Annotated[bool, Query(
        description="Also count units merged into this one (2025 reform), e.g. what they "
                    "carried over", examples=[True])] = True,
) -> Response | dict[str, Any]:
    """The periodic report II.06a/VPCP/KSTT with a total row, as JSON, CSV or XLSX."""
    base = required_unit(session, who, unit)
    start, end = rules.resolve_period(period, from_, to)
    today = rules.local_day(now)
    units = [base, *(service.merged_into(session, base) if include_merged else [])]
    common: dict[str, Any] = {"base": units, "include_descendants": True, "by": by,
                              "start": start, "end": end, "today": today}
    # The report shows no processing-time percentile: its histograms are not read.
    groups = service.grouped(session, **common, procedures=None if rows == "field"
                             else [rules.ALL], group_by=rows, histogram=False)
    total = service.figures_for(session, **common, procedures=[rules.ALL], histogram=False)
    heading = unit_heading(session, base)
    data = report.Report(
        unit=base.code, unit_name=base.name, start=start, end=end, rows_by=rows,
        rows=[report.row(g["key"], g.get("name"), g) for g in groups],
        total=report.row("total", "Tổng cộng", total),
        signed=report.Signed(heading.authority, heading.issuer, heading.place, today),
    )
    stem = f"II06a-{base.code}-{start:%Y%m%d}-{end:%Y%m%d}"
    if format == "csv":
        return Response(report.to_csv(data), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'})
    if format == "xlsx":
        return Response(report.to_xlsx(data), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'})
    return {"unit": data.unit, "unit_name": data.unit_name, "from": start, "to": end,
            "rows_by": rows, "rows": data.rows, "total": data.total}
