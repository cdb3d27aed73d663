"""Keeping the aggregates in step with dossiers, and answering figures from them."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.catalog.models import Procedure, Unit
from app.core.clock import VN_TZ, day_start
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


Window = tuple[date, date, date]  # a period's first and last day, and the day overdue is judged


def fetch(
    session: Session, *, signed: Signed, by: str, procedures: Sequence[str] | None,
    start: date, end: date, judged: date, group: str | None = None,
    group_of: dict[str, str] | None = None, own: Sequence[str] = (), histogram: bool = True,
) -> dict[str, Sums]:
    """Sums for one period, per group: a unit (group="unit") or a procedure, or one total."""
    return fetch_many(session, signed=signed, by=by, procedures=procedures,
                      windows=[(start, end, judged)], group=group, group_of=group_of,
                      own=own, histogram=histogram)[0]


def fetch_many(
    session: Session, *, signed: Signed, by: str, procedures: Sequence[str] | None,
    windows: Sequence[Window], group: str | None = None,
    group_of: dict[str, str] | None = None, own: Sequence[str] = (), histogram: bool = True,
) -> list[dict[str, Sums]]:
    """Sums for several periods at once, per group, in the order of `windows`.

    A period needs every measure summed up to three days (its eve, its judged day and its
    end); flows are the difference of the sums at the end and on the eve. All the periods'
    days are read together: whole months from the monthly table, grouped by month and summed
    up in order, and the days of partial months from the daily table. So twelve months of
    forty units are one read of a few thousand rows, not twelve. `procedures` None means every
    procedure's own rows (for grouping by procedure or field). `own`: units (among those
    added) whose correction rows are added too, for their own dossiers by handling unit (see
    rules.Contribution). Without `histogram` the processing-time histograms are not read.
    """
    sign: dict[str, int] = {}
    for s, u in signed:
        sign[u] = sign.get(u, 0) + s
    units = [u for u, s in sign.items() if s]
    if not units or (procedures is not None and not procedures):
        return [{} for _ in windows]  # nothing to sum: no unit left, or no procedure matches
    read = _Reader(session, units, roles_for(by), procedures,
                   [u for u in own if sign.get(u, 0) > 0] if by == "handling" else [])

    def key_of(unit: str, procedure: str) -> str:
        raw = unit if group == "unit" else procedure if group == "procedure" else ""
        return (group_of or {}).get(raw, raw)

    points = sorted({p for start, end, judged in windows
                     for p in (start - timedelta(days=1), judged, end)})
    through = _through(read, points, key_of, sign)
    histograms: list[dict[str, dict[int, int]]] = (
        _histograms(read, windows, key_of, sign) if histogram else [{} for _ in windows])
    zero = [0] * len(MEASURES)
    out: list[dict[str, Sums]] = []
    for (start, end, judged), hist in zip(windows, histograms, strict=True):
        eve = start - timedelta(days=1)
        sums = {}
        for key, at in through.items():
            before, last, seen = at.get(eve, zero), at.get(end, zero), at.get(judged, zero)
            sums[key] = Sums(
                flows={m: last[i] - before[i] for i, m in enumerate(FLOWS)},
                before={m: before[i] for i, m in _RUNNING_AT},
                through_end={m: last[i] for i, m in _RUNNING_AT},
                through_judged={m: seen[i] for i, m in _RUNNING_AT},
                histogram={b: c for b, c in hist.get(key, {}).items() if c})
        for key, buckets in hist.items():
            if key not in sums and any(buckets.values()):
                sums[key] = Sums(flows={}, before={}, through_end={}, through_judged={},
                                 histogram={b: c for b, c in buckets.items() if c})
        out.append(sums)
    return out


_RUNNING_AT = [(len(FLOWS) + i, m) for i, m in enumerate(RUNNING)]


class _Reader:
    """Plain SQL over the aggregate tables for one scope (units, roles, procedures).

    Built per call: with dozens of sums, building and cache-keying a SQLAlchemy expression
    costs more than the query itself. Only fixed identifiers are interpolated; every value is
    a bound parameter.
    """

    def __init__(self, session: Session, units: Sequence[str], roles: Sequence[str],
                 procedures: Sequence[str] | None, corrected: Sequence[str]) -> None:
        self.session = session
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.params: dict[str, Any] = {}
        chosen = (f"procedure <> {self.bind(ALL)}" if procedures is None
                  else f"procedure IN ({self.listed(procedures)})")
        rows = f"unit IN ({self.listed(units)}) AND role IN ({self.listed(roles)})"
        if corrected:
            rows = f"(({rows}) OR (unit IN ({self.listed(corrected)}) AND role = {self.bind('c')}))"
        self.scope = f"{rows} AND {chosen}"

    def bind(self, value: Any) -> str:
        """A placeholder for `value`."""
        name = f"v{len(self.params)}"
        self.params[name] = self.stored(value)
        return f":{name}" if self.sqlite else f"%({name})s"

    def stored(self, value: Any) -> Any:
        """A value as the driver binds and returns it: SQLite keeps dates as ISO text (which
        sorts like the dates), psycopg binds dates. Rows are compared in this form, unparsed."""
        return value.isoformat() if self.sqlite and isinstance(value, date) else value

    def listed(self, values: Iterable[Any]) -> str:
        return ", ".join(self.bind(v) for v in values)

    def rows(self, table: str, keys: str, where: str, sums: str | None = None) -> list[Any]:
        """(unit, procedure, *keys, *sums) of the scope's rows matching `where`, summed over
        the roles; or, without sums, the stored rows themselves (`keys` naming the values)."""
        sql = (f"SELECT unit, procedure, {keys}{f', {sums}' if sums else ''} "  # noqa: S608
               f"FROM {table} WHERE {self.scope} AND ({where})"
               f"{f' GROUP BY unit, procedure, {keys}' if sums else ''}")
        return list(self.session.connection().exec_driver_sql(sql, self.params).fetchall())


def _measure_sums(read: _Reader) -> str:
    # PostgreSQL sums a BIGINT as NUMERIC; cast back so every value arrives as an int.
    cast = "{}" if read.sqlite else "CAST({} AS BIGINT)"
    return ", ".join(cast.format(f"SUM({m})") for m in MEASURES)


def _through(
    read: _Reader, points: Sequence[date], key_of: Callable[[str, str], str],
    sign: dict[str, int],
) -> dict[str, dict[date, list[int]]]:
    """Every measure summed over all days up to each point, per group."""
    splits = {p: rules.prefix_split(p) for p in points}
    sums = _measure_sums(read)
    # Whole months: each month's sums, added up in order and read off at each point's month.
    monthly: dict[str, dict[Any, list[int]]] = defaultdict(dict)
    last = max(m for m, _ in splits.values())
    for row in read.rows("stat_month", "month", f"month < {read.bind(last)}", sums):
        _accumulate(monthly[key_of(row[0], row[1])], row[2], sign[row[0]], row[3:])
    out: dict[str, dict[date, list[int]]] = {}
    cuts = sorted({m for m, _ in splits.values()})
    for key, months in monthly.items():
        running = [0] * len(MEASURES)
        at_cut: dict[date, list[int]] = {}
        pending = iter(sorted(months.items()))
        item = next(pending, None)
        for cut in cuts:
            while item is not None and item[0] < read.stored(cut):
                running = [a + b for a, b in zip(running, item[1], strict=True)]
                item = next(pending, None)
            at_cut[cut] = running
        out[key] = {p: at_cut[m] for p, (m, _) in splits.items()}
    # Partial months: the days from the month's first to the point.
    ranges = {(d, p) for p, (_, d) in splits.items() if d is not None}
    if ranges:
        where = " OR ".join(f"(day >= {read.bind(a)} AND day <= {read.bind(b)})"
                            for a, b in sorted(ranges))
        daily: dict[str, dict[Any, list[int]]] = defaultdict(dict)
        for row in read.rows("stat_day", "day", where, sums):
            _accumulate(daily[key_of(row[0], row[1])], row[2], sign[row[0]], row[3:])
        for key, days in daily.items():
            at = out.setdefault(key, {p: [0] * len(MEASURES) for p in points})
            for p, (_, first) in splits.items():
                if first is None:
                    continue
                lo, hi, total = read.stored(first), read.stored(p), at[p]
                for day, values in days.items():
                    if lo <= day <= hi:
                        total = [a + b for a, b in zip(total, values, strict=True)]
                at[p] = total
    return out


def _accumulate(into: dict[Any, list[int]], at: Any, sign: int, values: Sequence[int]) -> None:
    had = into.get(at)
    signed = [sign * v for v in values] if sign != 1 else list(values)
    into[at] = signed if had is None else [a + b for a, b in zip(had, signed, strict=True)]


def _histograms(
    read: _Reader, windows: Sequence[Window], key_of: Callable[[str, str], str],
    sign: dict[str, int],
) -> list[dict[str, dict[int, int]]]:
    """The processing-time histogram of each period, per group: whole months from the monthly
    table, the rest from the daily one, both read once for all the periods."""
    split = [rules.range_split(start, end) for start, end, _ in windows]
    months = sorted({m for ms, _ in split for m in ms})
    ranges = sorted({r for _, rs in split for r in rs})
    # Each stored row's group and sign, looked up once per unit and procedure: a year of forty
    # units is some fifteen thousand rows, and per-row calls were most of the read's cost.
    seen: dict[tuple[str, str], tuple[str, int]] = {}

    def summed(rows: Iterable[Any]) -> dict[Any, dict[str, dict[int, int]]]:
        """Stored rows (unit, procedure, day or month, bucket, count), summed per day or month,
        group and bucket: here, as grouping them in SQL sorts them first and costs more."""
        out: dict[Any, dict[str, dict[int, int]]] = defaultdict(dict)
        for unit, procedure, at, bucket, count in rows:
            found = seen.get((unit, procedure))
            if found is None:
                found = seen[(unit, procedure)] = (key_of(unit, procedure), sign[unit])
            buckets = out[at].setdefault(found[0], {})
            buckets[bucket] = buckets.get(bucket, 0) + found[1] * count
        return out

    by_month = summed(read.rows("stat_histogram_month", "month, bucket, count",
                                f"month IN ({read.listed(months)})")) if months else {}
    by_day: dict[Any, dict[str, dict[int, int]]] = {}
    if ranges:
        where = " OR ".join(f"(day >= {read.bind(a)} AND day <= {read.bind(b)})"
                            for a, b in ranges)
        by_day = summed(read.rows("stat_histogram", "day, bucket, count", where))
    out = []
    for ms, rs in split:
        bounds = [(read.stored(a), read.stored(b)) for a, b in rs]
        picked = [by_month[m] for m in (read.stored(m) for m in ms) if m in by_month] + [
            groups for day, groups in by_day.items() if any(a <= day <= b for a, b in bounds)]
        if len(picked) == 1:  # a single month: its sums as they are
            out.append({key: dict(buckets) for key, buckets in picked[0].items()})
            continue
        hist: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for groups in picked:
            for key, buckets in groups.items():
                into = hist[key]
                for bucket, count in buckets.items():
                    into[bucket] += count
        out.append(hist)
    return out


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
    histogram: bool = True,
) -> dict[str, Any]:
    """The figures of the given units (subtrees, or own dossiers only) for one period."""
    sums = fetch(session, signed=_signed(session, base, include_descendants), by=by,
                 procedures=procedures, start=start, end=end, judged=judged_day(end, today),
                 own=_own(base, include_descendants), histogram=histogram)
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
    then_by: rules.Grouping | None = None, histogram: bool = True,
) -> list[dict[str, Any]]:
    """Figures per month/quarter/year, per direct child unit, per field or per procedure.

    `then_by` splits each unit, field or procedure again by month, quarter or year (its
    `groups`), all read at once. Without `histogram` the processing-time p90 is left out (None),
    for answers that do not show it."""
    common: dict[str, Any] = {"by": by, "procedures": procedures, "histogram": histogram}
    if group_by in ("month", "quarter", "year"):
        calendar = rules.groups(start, end, group_by)  # type: ignore[arg-type]
        found = fetch_many(session, signed=_signed(session, base, include_descendants),
                           windows=[(a, b, judged_day(b, today)) for _, a, b in calendar],
                           own=_own(base, include_descendants), **common)
        units = [u.code for u in base]
        return [{"key": key, "from": a, "to": b,
                 **checked_figures(sums.get("", EMPTY), units, a, b)}
                for (key, a, b), sums in zip(calendar, found, strict=True)]
    split = rules.groups(start, end, then_by) if then_by else []
    windows = [(start, end, judged_day(end, today)),
               *((a, b, judged_day(b, today)) for _, a, b in split)]

    def pick(key: str) -> Callable[[dict[str, Sums]], Sums]:
        return lambda sums: sums.get(key, EMPTY)

    def row(key: str, name: str | None, units: list[str],
            sums_of: Callable[[dict[str, Sums]], Sums], found: list[dict[str, Sums]],
            ) -> dict[str, Any]:
        out = {"key": key, "name": name, **checked_figures(sums_of(found[0]), units, start, end)}
        if then_by:
            out["groups"] = [{"key": k, "from": a, "to": b,
                              **checked_figures(sums_of(sums), units, a, b)}
                             for (k, a, b), sums in zip(split, found[1:], strict=True)]
        return out

    if group_by == "unit":
        children = list(session.scalars(
            select(Unit).where(Unit.parent_code.in_([u.code for u in base]))
            .order_by(Unit.code)))
        # One read for the children and the base units: the base's own dossiers (decided by
        # the unit itself, not by any child) are its subtree minus its children's subtrees.
        codes = {c.code for c in children} | {u.code for u in base}
        # The base units' correction rows make their own dossiers exact after transfers; the
        # base units' sums are read only as that difference.
        found = fetch_many(session, signed=[(1, code) for code in sorted(codes)],
                           windows=windows, group="unit", own=[u.code for u in base], **common)

        def own(sums: dict[str, Sums]) -> Sums:
            return rules.combine([(1, sums.get(u.code, EMPTY)) for u in base]
                                 + [(-1, sums.get(c.code, EMPTY)) for c in children])

        rows = [row(c.code, c.name, [c.code], pick(c.code), found)
                for c in children if rules.listed(c.valid_from, c.valid_to, start, end,
                                                  found[0].get(c.code, EMPTY))]
        if _has_dossiers(own(found[0])):
            rows.insert(0, row(base[0].code, base[0].name, [base[0].code], own, found))
        return rows
    query = select(Procedure)
    if procedures is not None:
        query = query.where(Procedure.code.in_(procedures))
    catalogue = list(session.scalars(query))
    if group_by == "field":
        group_of = {p.code: p.field_code for p in catalogue}
        names = {p.field_code: p.field_name for p in catalogue}
    else:
        group_of, names = None, {p.code: p.name for p in catalogue}
    found = fetch_many(session, signed=_signed(session, base, include_descendants),
                       windows=windows, group="procedure", group_of=group_of,
                       own=_own(base, include_descendants), **common)
    units = [u.code for u in base]
    return [row(k, names.get(k), units, pick(k), found)
            for k in sorted(found[0])]


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


def officers(session: Session, unit: Unit, start: date, end: date) -> list[dict[str, Any]]:
    """The figures of each officer of `unit`'s subtree for [start, end] (rules.officer_figures),
    read from the dossiers' officer columns at read time: no aggregate holds officers.

    A receipt and a return count for the subtree when it holds the receiving unit, a result
    when it holds the handling unit (the unit that resolved it)."""
    codes = select(Unit.code).where(Unit.path.startswith(unit.path, autoescape=True))
    subtree = set(session.scalars(codes))
    low, high = day_start(start), day_start(end + timedelta(days=1))

    def within(column: Any) -> Any:
        return and_(column >= low, column < high)

    d = Dossier
    query = select(
        d.receiving_unit, d.handling_unit, d.received_at, d.received_by_officer_id,
        d.received_by_officer_name, d.resolved_at, d.resolved_by_officer_id,
        d.resolved_by_officer_name, d.timeliness, d.returned_at, d.returned_by_officer_id,
        d.returned_by_officer_name, d.rating,
    ).where(or_(
        and_(d.receiving_unit.in_(codes), or_(
            and_(d.received_by_officer_id.is_not(None), within(d.received_at)),
            and_(d.returned_by_officer_id.is_not(None), within(d.returned_at)))),
        and_(d.handling_unit.in_(codes), d.resolved_by_officer_id.is_not(None),
             within(d.resolved_at)),
    ))

    def act(id_: str | None, name: str | None, at: datetime | None, here: bool
            ) -> rules.OfficerAct | None:
        return (rules.OfficerAct(id_, name, at)
                if here and id_ is not None and name is not None and at is not None else None)

    rows = (rules.OfficerRow(
        received=act(rec_id, rec_name, received_at, receiving in subtree),
        resolved=act(res_id, res_name, resolved_at, handling in subtree),
        timeliness=timeliness,
        returned=act(ret_id, ret_name, returned_at, receiving in subtree),
        rating=rating,
    ) for (receiving, handling, received_at, rec_id, rec_name, resolved_at, res_id, res_name,
           timeliness, returned_at, ret_id, ret_name, rating) in session.execute(query))
    return rules.officer_figures(rows, start, end)


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
