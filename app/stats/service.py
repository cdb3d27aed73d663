"""Keeping the aggregates in step with dossiers, and answering figures from them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, and_, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import ColumnElement

from app.catalog.models import Procedure, Unit
from app.dossiers.models import Dossier, DossierEvent
from app.stats import rules
from app.stats.models import stat_day, stat_histogram, stat_month
from app.stats.rules import ALL, FLOWS, HIST, RUNNING, Contribution, EventFact, Facts, Sums

STAT_EVENTS = ("supplement_requested", "apology_issued")


# ---- write side ----------------------------------------------------------------------------


def stat_events(session: Session, dossier_id: int) -> list[EventFact]:
    """The timeline events that figures depend on."""
    rows = session.execute(
        select(DossierEvent.type, DossierEvent.at, DossierEvent.flags)
        .where(DossierEvent.dossier_id == dossier_id, DossierEvent.type.in_(STAT_EVENTS))
        .order_by(DossierEvent.at, DossierEvent.id)
    )
    return [EventFact(t, at, flags) for t, at, flags in rows]


def contribution(session: Session, d: Dossier, events: Iterable[EventFact]) -> Contribution:
    """Where a dossier row counts now and what it contributes."""
    paths = {code: path for code, path in session.execute(
        select(Unit.code, Unit.path).where(Unit.code.in_({d.handling_unit, d.receiving_unit}))
    )}
    facts = Facts(
        procedure=d.procedure_code, channel=d.channel, status=d.status,
        received_at=d.received_at, due_at=d.due_at, paused_at=d.paused_at,
        finished_at=d.finished_at, timeliness=d.timeliness,
        processing_millidays=d.processing_millidays, returned_at=d.returned_at,
        return_method=d.return_method, rating=d.rating, events=tuple(events),
    )
    return Contribution(
        units=rules.unit_roles(paths[d.handling_unit], paths[d.receiving_unit]),
        procedure=d.procedure_code, cells=rules.cells(facts),
    )


@lru_cache(maxsize=16)
def _upsert_statement(dialect: str, table: Table, keys: tuple[str, ...],
                      measures: tuple[str, ...]) -> Executable:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    return stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={m: table.c[m] + stmt.excluded[m] for m in measures},
    )


def _upsert(session: Session, table: Table, rows: list[dict[str, Any]],
            keys: Sequence[str], measures: Sequence[str]) -> None:
    # One statement executed for many rows: a multi-row VALUES differs with every row count,
    # so it was compiled afresh on each event (half the demo loader's time in pyinstrument).
    if rows:
        dialect = session.get_bind().dialect.name
        session.execute(_upsert_statement(dialect, table, tuple(keys), tuple(measures)), rows)


def apply(session: Session, old: Contribution | None, new: Contribution | None) -> None:
    """Move the aggregates from a dossier's old contribution to its new one, in the caller's
    transaction, so figures and dossiers never disagree."""
    changes = rules.delta(old, new)
    if not changes:
        return
    days: list[dict[str, Any]] = []
    hist: list[dict[str, Any]] = []
    months: dict[tuple[str, str, str, date], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(RUNNING, 0))
    for (role, unit, procedure, day), measures in sorted(changes.items()):
        key = {"role": role, "unit": unit, "procedure": procedure}
        row = {**key, "day": day, **dict.fromkeys(FLOWS + RUNNING, 0)}
        for measure, value in measures.items():
            if measure.startswith(HIST):
                hist.append({**key, "day": day, "bucket": int(measure[len(HIST):]),
                             "count": value})
            else:
                row[measure] = value
                if measure in RUNNING:
                    months[(role, unit, procedure, rules.month_start(day))][measure] += value
        days.append(row)
    month_rows = [{"role": r, "unit": u, "procedure": p, "month": m, **v}
                  for (r, u, p, m), v in sorted(months.items())]
    _upsert(session, stat_day, days, ("unit", "procedure", "day", "role"), FLOWS + RUNNING)
    _upsert(session, stat_month, month_rows, ("unit", "procedure", "month", "role"), RUNNING)
    _upsert(session, stat_histogram, hist, ("unit", "procedure", "day", "role", "bucket"),
            ("count",))


# ---- read side -----------------------------------------------------------------------------

Signed = list[tuple[int, str]]  # (+1 or -1, unit): a unit's rows added or subtracted


def roles_for(by: str) -> tuple[str, str]:
    """Stored roles that make up figures by handling or by receiving unit."""
    return ("h", "b") if by == "handling" else ("r", "b")


def merged_into(session: Session, unit: Unit) -> list[Unit]:
    """Units whose merged_into chain leads to `unit`, outside its own subtree."""
    found: list[Unit] = []
    frontier = {unit.code}
    seen = set(frontier)
    while frontier:
        rows = list(session.scalars(select(Unit).where(Unit.merged_into_code.in_(frontier))))
        frontier = {u.code for u in rows} - seen
        seen |= frontier
        found += [u for u in rows if u.code in frontier]
    return [u for u in found if not u.path.startswith(unit.path)]


def own_rows(session: Session, units: Iterable[Unit]) -> Signed:
    """A unit's own dossiers: its subtree rows minus each direct child's subtree rows."""
    units = list(units)
    children = session.scalars(
        select(Unit.code).where(Unit.parent_code.in_([u.code for u in units]))
    )
    return [(1, u.code) for u in units] + [(-1, c) for c in children]


def fetch(
    session: Session, *, signed: Signed, by: str, procedures: Sequence[str] | None,
    start: date, end: date, judged: date, group: str | None = None,
    group_of: dict[str, str] | None = None,
) -> dict[str, Sums]:
    """Sums for one period, per group: a unit (group="unit") or a procedure, or one total.

    `procedures` None means every procedure's own rows (for grouping by procedure or field).
    """
    sign: dict[str, int] = {}
    for s, u in signed:
        sign[u] = sign.get(u, 0) + s
    units = [u for u, s in sign.items() if s]
    roles = roles_for(by)
    # Day rows from the first month touched; months before it come from the monthly sums.
    first = rules.month_start(min(start, judged))
    out: dict[str, dict[str, dict[Any, int]]] = defaultdict(
        lambda: {"flows": defaultdict(int), "before": defaultdict(int),
                 "end": defaultdict(int), "judged": defaultdict(int),
                 "hist": defaultdict(int)})

    def key_of(unit: str, procedure: str) -> str:
        raw = unit if group == "unit" else procedure if group == "procedure" else ""
        return (group_of or {}).get(raw, raw)

    def where(t: Table) -> ColumnElement[bool]:
        chosen = (t.c.procedure != ALL if procedures is None
                  else t.c.procedure.in_(procedures))
        return and_(t.c.unit.in_(units), t.c.role.in_(roles), chosen)

    if not units:
        return {}
    day = stat_day.c
    cols = [func.sum(case((day.day >= start, day[m]), else_=0)) for m in FLOWS]
    cols += [func.sum(case((day.day < start, day[m]), else_=0)) for m in RUNNING]
    cols += [func.sum(case((day.day <= judged, day[m]), else_=0)) for m in RUNNING]
    cols += [func.sum(day[m]) for m in RUNNING]
    q = (select(day.unit, day.procedure, *cols)
         .where(where(stat_day), day.day >= first, day.day <= end)
         .group_by(day.unit, day.procedure))
    n, r = len(FLOWS), len(RUNNING)
    for row in session.execute(q):
        bucket = out[key_of(row[0], row[1])]
        s, values = sign[row[0]], row[2:]
        for i, m in enumerate(FLOWS):
            bucket["flows"][m] += s * int(values[i] or 0)
        for i, m in enumerate(RUNNING):
            bucket["before"][m] += s * int(values[n + i] or 0)
            bucket["judged"][m] += s * int(values[n + r + i] or 0)
            bucket["end"][m] += s * int(values[n + 2 * r + i] or 0)
    month = stat_month.c
    q2 = (select(month.unit, month.procedure, *[func.sum(month[m]) for m in RUNNING])
          .where(where(stat_month), month.month < first)
          .group_by(month.unit, month.procedure))
    for row in session.execute(q2):
        bucket = out[key_of(row[0], row[1])]
        s = sign[row[0]]
        for i, m in enumerate(RUNNING):
            v = s * int(row[2 + i] or 0)
            bucket["before"][m] += v
            bucket["judged"][m] += v
            bucket["end"][m] += v
    hist = stat_histogram.c
    q3 = (select(hist.unit, hist.procedure, hist.bucket, func.sum(hist.count))
          .where(where(stat_histogram), hist.day >= start, hist.day <= end)
          .group_by(hist.unit, hist.procedure, hist.bucket))
    for unit, procedure, b, count in session.execute(q3):
        out[key_of(unit, procedure)]["hist"][int(b)] += sign[unit] * int(count)
    return {
        k: Sums(flows=v["flows"], before=v["before"], through_end=v["end"],
                through_judged=v["judged"], histogram={b: c for b, c in v["hist"].items() if c})
        for k, v in out.items()
    }


def judged_day(end: date, today: date) -> date:
    """Overdue is judged at the period's end, or at yesterday's end for a period not over."""
    return min(end, today - timedelta(days=1))


def procedures_of_field(session: Session, field: str) -> list[str]:
    """Codes of the procedures in a field (lĩnh vực)."""
    return list(session.scalars(select(Procedure.code).where(Procedure.field_code == field)))


EMPTY = Sums(flows={}, before={}, through_end={}, through_judged={}, histogram={})


def _signed(session: Session, base: list[Unit], include_descendants: bool) -> Signed:
    return ([(1, u.code) for u in base] if include_descendants else own_rows(session, base))


def figures_for(
    session: Session, *, base: list[Unit], include_descendants: bool, by: str,
    procedures: Sequence[str] | None, start: date, end: date, today: date,
) -> dict[str, Any]:
    """The figures of the given units (subtrees, or own dossiers only) for one period."""
    sums = fetch(session, signed=_signed(session, base, include_descendants), by=by,
                 procedures=procedures, start=start, end=end, judged=judged_day(end, today))
    return rules.figures(sums.get("", EMPTY))


def _has_dossiers(s: Sums) -> bool:
    return any(s.flows.values()) or any(s.before.values()) or any(s.through_end.values())


def grouped(
    session: Session, *, base: list[Unit], include_descendants: bool, by: str,
    procedures: Sequence[str] | None, start: date, end: date, today: date, group_by: str,
) -> list[dict[str, Any]]:
    """Figures per month/quarter/year, per direct child unit, per field or per procedure."""
    if group_by in ("month", "quarter", "year"):
        return [
            {"key": key, "from": a, "to": b,
             **figures_for(session, base=base, include_descendants=include_descendants,
                           by=by, procedures=procedures, start=a, end=b, today=today)}
            for key, a, b in rules.groups(start, end, group_by)  # type: ignore[arg-type]
        ]
    judged = judged_day(end, today)
    if group_by == "unit":
        children = list(session.scalars(
            select(Unit).where(Unit.parent_code.in_([u.code for u in base]))
            .order_by(Unit.code)))
        sums = fetch(session, signed=[(1, c.code) for c in children], by=by,
                     procedures=procedures, start=start, end=end, judged=judged, group="unit")
        out = [{"key": c.code, "name": c.name, **rules.figures(sums.get(c.code, EMPTY))}
               for c in children]
        # Dossiers decided by the unit itself (not by any child) form their own group.
        own = fetch(session, signed=own_rows(session, base), by=by, procedures=procedures,
                    start=start, end=end, judged=judged).get("", EMPTY)
        if _has_dossiers(own):
            out.insert(0, {"key": base[0].code, "name": base[0].name, **rules.figures(own)})
        return out
    query = select(Procedure)
    if procedures is not None:
        query = query.where(Procedure.code.in_(procedures))
    catalogue = list(session.scalars(query))
    if group_by == "field":
        group_of = {p.code: p.field_code for p in catalogue}
        names = {p.field_code: p.field_name for p in catalogue}
    else:
        group_of, names = None, {p.code: p.name for p in catalogue}
    sums = fetch(session, signed=_signed(session, base, include_descendants), by=by,
                 procedures=procedures, start=start, end=end, judged=judged,
                 group="procedure", group_of=group_of)
    return [{"key": k, "name": names.get(k), **rules.figures(v)}
            for k, v in sorted(sums.items())]


def ranking(
    session: Session, *, root: Unit | None, level: str, by: str, start: date, end: date,
    today: date,
) -> list[dict[str, Any]]:
    """Units of a level under `root`, best on-time rate first; ties by volume resolved."""
    query = select(Unit).where(Unit.level == level)
    if root is not None:
        query = query.where(Unit.path.startswith(root.path, autoescape=True))
    units = list(session.scalars(query))
    sums = fetch(session, signed=[(1, u.code) for u in units], by=by, procedures=[ALL],
                 start=start, end=end, judged=judged_day(end, today), group="unit")
    rows = []
    for u in units:
        f = rules.figures(sums.get(u.code, EMPTY))
        rows.append({
            "unit": u.code, "name": u.name, "received": f["received"]["total"],
            "resolved": f["resolved"]["total"],
            "early_or_on_time": f["resolved"]["early"] + f["resolved"]["on_time"],
            "late": f["resolved"]["late"], "pending_overdue": f["pending"]["overdue"],
            "on_time_rate": f["rates"]["on_time"],
            "national_progress": f["rates"]["national_progress"],
        })
    rows.sort(key=lambda r: (r["on_time_rate"] is None, -(r["on_time_rate"] or 0),
                             -r["resolved"], r["unit"]))
    return [{"rank": i + 1, **r} for i, r in enumerate(rows)]
