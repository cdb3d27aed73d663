"""Keeping the aggregates in step with dossiers, and answering figures from them."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.catalog.models import Procedure, Unit
from app.core.clock import VN_TZ
from app.core.observability import AGGREGATE_ANOMALIES, check_failed
from app.dossiers.decisions import DossierChange
from app.dossiers.models import Dossier, DossierEvent
from app.dossiers.records import record_of
from app.dossiers.rules import STEP_HANDOFFS
from app.stats import projection, rules
from app.stats.models import stat_day, stat_histogram, stat_histogram_month, stat_month
from app.stats.projection import contribution, write
from app.stats.rules import ALL, FLOWS, MEASURES, RUNNING, Contribution, Sums

AGGREGATES = (stat_day, stat_month, stat_histogram, stat_histogram_month)
log = logging.getLogger(__name__)
_REBUILD_CHUNK = 5000


# ---- write side: the projection (app/stats/projection.py) over stored dossiers --------------


def apply_all(
    session: Session, moves: Iterable[tuple[Contribution | None, Contribution | None]]
) -> None:
    """Move the aggregates for many dossiers at once: their deltas summed, one write."""
    total: dict[rules.Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for old, new in moves:
        for key, measures in rules.delta(old, new).items():
            _add(total, {key: measures})
    write(session, _nonzero(total))


def _add(total: dict[rules.Key, dict[str, int]], changes: projection.Changes) -> None:
    for key, measures in changes.items():
        row = total[key]
        for measure, value in measures.items():
            row[measure] += value


def _nonzero(total: dict[rules.Key, dict[str, int]]) -> projection.Changes:
    return {k: {m: v for m, v in row.items() if v} for k, row in total.items()
            if any(row.values())}


def rebuild(session: Session) -> int:
    """Recompute every aggregate from the dossiers themselves; returns the dossiers counted.

    Every stored dossier goes through the projection the write path uses, as a change from
    nothing to its stored state; for a restore, a backfill, or to prove the running aggregates
    right (`python -m app stats check`).
    """
    for table in AGGREGATES:
        session.execute(table.delete())
    prepared = projection.prepare_all(session)
    total: dict[rules.Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    n = 0
    chunk: list[DossierChange] = []
    for d in session.scalars(select(Dossier).execution_options(yield_per=_REBUILD_CHUNK)):
        n += 1
        chunk.append(DossierChange.as_stored(record_of(d)))
        if len(chunk) == _REBUILD_CHUNK:
            _add(total, projection.project(chunk, prepared))
            chunk = []
    _add(total, projection.project(chunk, prepared))
    write(session, _nonzero(total))
    return n


def refile(session: Session, paths_then: dict[str, str]) -> int:
    """After units moved in the tree, move their dossiers' figures to the new ancestors: the
    dossiers they receive or handle, and those they held before a transfer."""
    moved = list(paths_then)
    t = projection.timeline.c
    handed_on = select(t.dossier_id).where(
        t.type == "transferred", t.flags["from_unit"].as_string().in_(moved))
    records = [record_of(d) for d in session.scalars(select(Dossier).where(
        Dossier.handling_unit.in_(moved) | Dossier.receiving_unit.in_(moved)
        | Dossier.id.in_(handed_on)))]
    counted = projection.counted_events(session, t.dossier_id.in_([r.id for r in records]))
    paths = {code: path for code, path in session.execute(select(Unit.code, Unit.path))}
    before = {**paths, **paths_then}
    touched = [r for r in records
               if {r.state.handling_unit, r.receiving_unit,
                   *projection.past_holders(counted.get(r.id, ()))} & set(moved)]
    apply_all(session, ((contribution(r, counted.get(r.id, ()), before),
                         contribution(r, counted.get(r.id, ()), paths)) for r in touched))
    return len(touched)


# ---- read side -----------------------------------------------------------------------------

Signed = list[tuple[int, str]]  # (+1 or -1, unit): a unit's rows added or subtracted


def roles_for(by: str) -> tuple[str, str]:
    """Stored roles that make up figures by handling or by receiving unit."""
    return ("h", "b") if by == "handling" else ("r", "b")


def _merged_map(session: Session) -> dict[str, tuple[str, str]]:
    rows = session.execute(select(Unit.code, Unit.merged_into_code, Unit.path)
                           .where(Unit.merged_into_code.is_not(None)))
    return {code: (into, path) for code, into, path in rows if into is not None}


def merged_into(session: Session, unit: Unit) -> list[Unit]:
    """Units whose merged_into chain leads to `unit`, outside its own subtree."""
    codes = rules.merged_chain(unit.code, unit.path, _merged_map(session))
    found = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(codes)))}
    return [found[c] for c in codes]


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
    group_of: dict[str, str] | None = None, own: Sequence[str] = (),
) -> dict[str, Sums]:
    """Sums for one period, per group: a unit (group="unit") or a procedure, or one total.

    Every measure is summed up to three days (the eve of the period, the judged day and the
    period's end) from whole months in the monthly table and the days of a partial month in
    the daily table; flows are the difference of the sums at the end and on the eve. So a
    year reads twelve monthly rows per unit, not 365 daily ones. `procedures` None means
    every procedure's own rows (for grouping by procedure or field). `own`: units (among
    those added) whose correction rows are added too, for their own dossiers by handling unit
    (see rules.Contribution).
    """
    sign: dict[str, int] = {}
    for s, u in signed:
        sign[u] = sign.get(u, 0) + s
    units = [u for u, s in sign.items() if s]
    if not units or (procedures is not None and not procedures):
        return {}  # nothing to sum: no unit left, or a filter no procedure matches
    roles = roles_for(by)
    points = {"before": start - timedelta(days=1), "judged": judged, "end": end}
    out: dict[str, dict[str, dict[Any, int]]] = defaultdict(
        lambda: {p: defaultdict(int) for p in (*points, "hist")})

    def key_of(unit: str, procedure: str) -> str:
        raw = unit if group == "unit" else procedure if group == "procedure" else ""
        return (group_of or {}).get(raw, raw)

    corrected = [u for u in own if sign.get(u, 0) > 0] if by == "handling" else []

    def where(t: Table) -> ColumnElement[bool]:
        chosen = (t.c.procedure != ALL if procedures is None
                  else t.c.procedure.in_(procedures))
        rows = and_(t.c.unit.in_(units), t.c.role.in_(roles))
        if corrected:
            rows = or_(rows, and_(t.c.unit.in_(corrected), t.c.role == "c"))
        return and_(rows, chosen)

    dialect = session.get_bind().dialect.name
    params: dict[str, Any] = {}

    def bind(name: str, value: Any) -> str:
        # SQLite keeps dates as ISO text; psycopg binds date objects.
        params[name] = value.isoformat() if dialect == "sqlite" and isinstance(value, date) \
            else value
        return f":{name}" if dialect == "sqlite" else f"%({name})s"

    def listed(prefix: str, values: Sequence[str]) -> str:
        return ", ".join(bind(f"{prefix}{i}", v) for i, v in enumerate(values))

    chosen = (f"procedure <> {bind('all', ALL)}" if procedures is None
              else f"procedure IN ({listed('p', procedures)})")
    rows = f"unit IN ({listed('u', units)}) AND role IN ({listed('r', roles)})"
    if corrected:
        rows = f"(({rows}) OR (unit IN ({listed('o', corrected)}) AND role = {bind('c', 'c')}))"
    scope = f"{rows} AND {chosen}"

    def add(table: str, conditions: list[tuple[str, str]], extra: str) -> None:
        # Plain SQL built per call: with ~100 conditional sums, building and cache-keying a
        # SQLAlchemy expression costs more than the query itself.
        sums = ", ".join(f"SUM(CASE WHEN {c} THEN {m} ELSE 0 END)"
                         for _, c in conditions for m in MEASURES)
        # Only fixed identifiers are interpolated; every value is a bound parameter.
        sql = (f"SELECT unit, procedure, {sums} FROM {table} WHERE {scope} AND ({extra}) "  # noqa: S608
               "GROUP BY unit, procedure")
        for row in session.connection().exec_driver_sql(sql, params).fetchall():
            bucket, s = out[key_of(row[0], row[1])], sign[row[0]]
            values = row[2:]
            for i, (point, _) in enumerate(conditions):
                target = bucket[point]
                for j, m in enumerate(MEASURES):
                    target[m] += s * int(values[i * len(MEASURES) + j] or 0)

    splits = {p: rules.prefix_split(d) for p, d in points.items()}
    by_month = [(p, f"month < {bind(f'm_{p}', m)}") for p, (m, _) in splits.items()]
    add("stat_month", by_month,
        f"month < {bind('m_max', max(m for m, _ in splits.values()))}")
    by_day = [(p, f"(day >= {bind(f'd_{p}', d)} AND day <= {bind(f'x_{p}', points[p])})")
              for p, (_, d) in splits.items() if d is not None]
    if by_day:
        add("stat_day", by_day, " OR ".join(c for _, c in by_day))
    months, day_ranges = rules.range_split(start, end)
    hist_queries = []
    if months:
        h = stat_histogram_month.c
        hist_queries.append(select(h.unit, h.procedure, h.bucket, func.sum(h.count))
                            .where(where(stat_histogram_month), h.month.in_(months))
                            .group_by(h.unit, h.procedure, h.bucket))
    if day_ranges:
        h = stat_histogram.c
        hist_queries.append(select(h.unit, h.procedure, h.bucket, func.sum(h.count))
                            .where(where(stat_histogram),
                                   or_(*[h.day.between(a, b) for a, b in day_ranges]))
                            .group_by(h.unit, h.procedure, h.bucket))
    for query in hist_queries:
        # All rows at once: a year of buckets for forty units is a thousand rows or more.
        for unit, procedure, b, count in session.execute(query).all():
            out[key_of(unit, procedure)]["hist"][int(b)] += sign[unit] * int(count)
    return {
        k: Sums(flows={m: v["end"][m] - v["before"][m] for m in FLOWS},
                before={m: v["before"][m] for m in RUNNING},
                through_end={m: v["end"][m] for m in RUNNING},
                through_judged={m: v["judged"][m] for m in RUNNING},
                histogram={b: c for b, c in v["hist"].items() if c})
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


def _own(base: list[Unit], include_descendants: bool) -> list[str]:
    """The units whose own dossiers are asked for: their correction rows are read too."""
    return [] if include_descendants else [u.code for u in base]


def figures_for(
    session: Session, *, base: list[Unit], include_descendants: bool, by: str,
    procedures: Sequence[str] | None, start: date, end: date, today: date,
) -> dict[str, Any]:
    """The figures of the given units (subtrees, or own dossiers only) for one period."""
    sums = fetch(session, signed=_signed(session, base, include_descendants), by=by,
                 procedures=procedures, start=start, end=end, judged=judged_day(end, today),
                 own=_own(base, include_descendants))
    return checked_figures(sums.get("", EMPTY), [u.code for u in base], start, end)


def checked_figures(sums: Sums, units: list[str], start: date, end: date) -> dict[str, Any]:
    """The figures, answered even from damaged aggregates, which are logged and counted
    (`motcua_aggregates_anomalies_total`) for an operator to alert on and `stats rebuild`."""
    bad = rules.impossible(sums)
    if bad:
        AGGREGATE_ANOMALIES.inc()
        detail = (f"statistics aggregates are inconsistent for {','.join(units)}, "
                  f"{start}..{end}: negative {', '.join(bad)}; run `python -m app stats check`")
        check_failed(detail)
        log.error("%s", detail)
    return rules.figures(sums)


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
        # One read for the children and the base units: the base's own dossiers (decided by
        # the unit itself, not by any child) are its subtree minus its children's subtrees.
        codes = {c.code for c in children} | {u.code for u in base}
        # The base units' correction rows make their own dossiers exact after transfers; the
        # base units' sums are read only as that difference.
        sums = fetch(session, signed=[(1, code) for code in sorted(codes)], by=by,
                     procedures=procedures, start=start, end=end, judged=judged, group="unit",
                     own=[u.code for u in base])
        out = [{"key": c.code, "name": c.name,
                **checked_figures(sums.get(c.code, EMPTY), [c.code], start, end)}
               for c in children
               if rules.listed(c.valid_from, c.valid_to, start, end, sums.get(c.code, EMPTY))]
        own = rules.combine([(1, sums.get(u.code, EMPTY)) for u in base]
                            + [(-1, sums.get(c.code, EMPTY)) for c in children])
        if _has_dossiers(own):
            out.insert(0, {"key": base[0].code, "name": base[0].name,
                           **checked_figures(own, [base[0].code], start, end)})
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
                 group="procedure", group_of=group_of, own=_own(base, include_descendants))
    units = [u.code for u in base]
    return [{"key": k, "name": names.get(k), **checked_figures(v, units, start, end)}
            for k, v in sorted(sums.items())]


def late_by_step(
    session: Session, *, base: list[Unit], include_descendants: bool, by: str,
    procedures: Sequence[str] | None, start: date, end: date,
) -> list[dict[str, Any]]:
    """The period's resolved dossiers by the step of the internal process and the unit that
    overran it, with how many of them were late, read from the step records of their events
    (no aggregate cell holds steps).

    The dossiers are those the figures count as resolved in the period for these units:
    resolved on a (local) day of it, held then by a unit of the scope (by handling unit, the
    unit that resolved it; by receiving unit, the one that received it).
    """
    column = Dossier.handling_unit if by == "handling" else Dossier.receiving_unit
    units = (select(Unit.code).where(or_(*[Unit.path.startswith(u.path, autoescape=True)
                                           for u in base]))
             if include_descendants else [u.code for u in base])
    query = (select(DossierEvent.dossier_id, Dossier.timeliness, DossierEvent.flags)
             .join(Dossier)
             .where(Dossier.resolved_at >= datetime.combine(start, time(0), VN_TZ),
                    Dossier.resolved_at < datetime.combine(end + timedelta(days=1), time(0),
                                                           VN_TZ),
                    column.in_(units),
                    DossierEvent.type.in_(STEP_HANDOFFS)))
    if procedures is not None and list(procedures) != [ALL]:
        query = query.where(Dossier.procedure_code.in_(procedures))
    counts = rules.overran_steps((dossier, verdict == "late", flags.get("steps") or [])
                                 for dossier, verdict, flags in session.execute(query))
    names = dict(session.execute(select(Unit.code, Unit.name).where(
        Unit.code.in_({unit for _, _, unit in counts}))).all()) if counts else {}
    return [{"position": position, "step": name, "unit": unit, "unit_name": names.get(unit),
             "overran": overran, "late": late}
            for (position, name, unit), (overran, late) in counts.items()]


def ranking(
    session: Session, *, root: Unit | None, level: str, by: str, start: date, end: date,
    today: date, include_merged: bool,
) -> list[dict[str, Any]]:
    """Units of a level under `root`, best on-time rate first; ties by volume resolved.

    With include_merged, a unit's row adds the units merged into it, and a merged unit of the
    same ranking is not listed on its own (it would be counted twice)."""
    query = select(Unit).where(Unit.level == level)
    if root is not None:
        query = query.where(Unit.path.startswith(root.path, autoescape=True))
    units = list(session.scalars(query))
    merged = _merged_map(session) if include_merged else {}
    chains = {u.code: rules.merged_chain(u.code, u.path, merged) for u in units}
    folded = {m for chain in chains.values() for m in chain}
    codes = sorted({u.code for u in units} | folded)
    sums = fetch(session, signed=[(1, c) for c in codes], by=by, procedures=[ALL],
                 start=start, end=end, judged=judged_day(end, today), group="unit")
    rows = []
    for u in units:
        if u.code in folded:
            continue
        s = rules.combine([(1, sums.get(c, EMPTY)) for c in (u.code, *chains[u.code])])
        if not rules.listed(u.valid_from, u.valid_to, start, end, s):
            continue
        f = checked_figures(s, [u.code], start, end)
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


def snapshot_aggregates(session: Session) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Every non-zero aggregate row, keyed by table and primary key."""
    out: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for table in AGGREGATES:
        keys = [c.name for c in table.primary_key.columns]
        values = [c.name for c in table.columns if c.name not in keys]
        for row in session.execute(select(table)).mappings():
            measured = tuple(row[v] for v in values)
            if any(measured):
                out[(table.name, *(row[k] for k in keys))] = measured
    return out


def check(session: Session) -> list[str]:
    """Differences between the running aggregates and a full recomputation (empty: they agree).

    Rebuilds inside the caller's transaction; roll it back to leave the data untouched.
    """
    before = snapshot_aggregates(session)
    rebuild(session)
    after = snapshot_aggregates(session)
    return [f"{key}: running {before.get(key)} != recomputed {after.get(key)}"
            for key in sorted(set(before) | set(after), key=str)
            if before.get(key) != after.get(key)]
