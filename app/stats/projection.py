"""Statistics as a projection of dossier changes: each dossier's cells before and after, the
difference added to the aggregate tables with one upsert per table.

The same `project` serves the write path and the full recomputation (`stats rebuild` and
`stats check`, app/stats/service.py), so running and rebuilt figures cannot drift apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import JSON, Insert, String, Table, column, select, table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.catalog.models import Unit
from app.core.db import BigId, UTCDateTime
from app.dossiers.decisions import DossierChange, Record
from app.stats import rules
from app.stats.models import stat_day, stat_histogram, stat_histogram_month, stat_month
from app.stats.rules import HIST, MEASURES, PROCESSING_STEPS, Contribution, EventFact, Facts

# The processing steps tell a refusal at receipt from one after appraisal.
STAT_EVENTS = ("supplement_requested", "apology_issued", *PROCESSING_STEPS)
Changes = dict[rules.Key, dict[str, int]]

# The stored timeline, as far as figures read it (the table, not the dossiers' ORM model).
timeline = table("dossier_events", column("id", BigId), column("dossier_id", BigId),
                  column("type", String), column("at", UTCDateTime()), column("flags", JSON()))


@dataclass(frozen=True)
class Prepared:
    """The counted events stored before the changes, and the units' paths."""

    counted: Mapping[int, Sequence[EventFact]]
    paths: Mapping[str, str]


def prepare(session: Session, changes: Sequence[DossierChange]) -> Prepared:
    """The counted events of the changed dossiers that were already stored, and the paths of
    their units: receiving, handling, and every unit that held one before a transfer."""
    ids = {c.after.id for c in changes if c.before is not None}
    counted = counted_events(session, timeline.c.dossier_id.in_(ids)) if ids else {}
    codes = {code for c in changes for r in (c.before, c.after) if r is not None
             for code in (r.receiving_unit, r.state.handling_unit)}
    codes |= {code for events in counted.values() for code in past_holders(events)}
    codes |= set(past_holders(EventFact(c.event.type, c.event.at, c.flags) for c in changes
                              if c.event is not None))
    paths = dict(session.execute(select(Unit.code, Unit.path).where(Unit.code.in_(codes))).all())
    return Prepared(counted, paths)


def past_holders(events: Iterable[EventFact]) -> list[str]:
    """The units that held a dossier before its transfers (named on the transfer events)."""
    return [str(e.flags["from_unit"]) for e in events
            if e.type == "transferred" and "from_unit" in e.flags]


def prepare_all(session: Session) -> Prepared:
    """Every counted event and every unit: what a full recomputation projects from."""
    paths = dict(session.execute(select(Unit.code, Unit.path)).all())
    return Prepared(counted_events(session, None), paths)


def counted_events(session: Session, where: ColumnElement[bool] | None
                   ) -> dict[int, list[EventFact]]:
    """The timeline events figures depend on, by dossier, in timeline order."""
    t = timeline.c
    query = (select(t.dossier_id, t.type, t.at, t.flags).where(t.type.in_(STAT_EVENTS))
             .order_by(t.dossier_id, t.at, t.id))
    if where is not None:
        query = query.where(where)
    out: dict[int, list[EventFact]] = defaultdict(list)
    for dossier_id, type_, at, flags in session.execute(query):
        out[dossier_id].append(EventFact(type_, at, flags))
    return out


def facts_of(r: Record, events: Iterable[EventFact]) -> Facts:
    """The statistics view of a dossier and its counted events."""
    s = r.state
    return Facts(
        procedure=r.procedure, handling_unit=s.handling_unit, channel=r.channel,
        status=s.status,
        received_at=s.received_at, due_at=s.due_at, paused_at=s.paused_at,
        finished_at=s.finished_at, timeliness=s.timeliness,
        processing_millidays=s.processing_millidays, returned_at=s.returned_at,
        return_method=s.return_method, rating=s.rating, events=tuple(events),
    )


def contribution(r: Record, events: Iterable[EventFact], paths: Mapping[str, str]
                 ) -> Contribution:
    """Where a dossier counts and what it contributes, given the paths of its units (the
    receiving unit and every unit that held it)."""
    return rules.contribution(facts_of(r, events), paths[r.receiving_unit], paths)


def project(changes: Sequence[DossierChange], prepared: Prepared) -> Changes:
    """The aggregate rows' changes: per dossier, its cells after all its changes here minus
    its cells before the first. A dossier whose figures cannot have changed (the same facts
    in the same units) is skipped without computing a cell."""
    by_dossier: dict[int, list[DossierChange]] = {}
    for c in changes:
        by_dossier.setdefault(c.after.id, []).append(c)
    total: dict[rules.Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    paths = prepared.paths
    for dossier_id, own in by_dossier.items():
        counted = list(prepared.counted.get(dossier_id, ()))
        first, last = own[0].before, own[-1].after
        new = counted + [EventFact(c.event.type, c.event.at, c.flags) for c in own
                         if c.event is not None and c.event.type in STAT_EVENTS]
        if first is not None and len(new) == len(counted) and _same_figures(first, last):
            continue
        old = None if first is None else contribution(first, counted, paths)
        for key, measures in rules.delta(old, contribution(last, new, paths)).items():
            row = total[key]
            for measure, value in measures.items():
                row[measure] += value
    return {k: {m: v for m, v in row.items() if v} for k, row in total.items()
            if any(row.values())}


def _same_figures(a: Record, b: Record) -> bool:
    return (a.state.handling_unit == b.state.handling_unit
            and facts_of(a, ()) == facts_of(b, ()))


Rows = dict[Table, list[dict[str, Any]]]


def table_rows(changes: Changes) -> Rows:
    """Per-row measure changes as rows of the daily and monthly tables and histograms."""
    days: list[dict[str, Any]] = []
    hist: dict[tuple[str, str, str, date, int], int] = defaultdict(int)
    hist_months: dict[tuple[str, str, str, date, int], int] = defaultdict(int)
    months: dict[tuple[str, str, str, date], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(MEASURES, 0))
    for (role, unit, procedure, day), measures in sorted(changes.items()):
        row = {"role": role, "unit": unit, "procedure": procedure, "day": day,
               **dict.fromkeys(MEASURES, 0)}
        month = months[(role, unit, procedure, rules.month_start(day))]
        for measure, value in measures.items():
            if measure.startswith(HIST):
                bucket = int(measure[len(HIST):])
                hist[(role, unit, procedure, day, bucket)] += value
                hist_months[(role, unit, procedure, rules.month_start(day), bucket)] += value
            else:
                row[measure] = value
                month[measure] += value
        days.append(row)

    def keyed(k: tuple[Any, ...], period: str) -> dict[str, Any]:
        return {"role": k[0], "unit": k[1], "procedure": k[2], period: k[3]}

    return {
        stat_day: days,
        stat_month: [{**keyed(k, "month"), **v} for k, v in sorted(months.items())],
        stat_histogram: [{**keyed(k, "day"), "bucket": k[4], "count": c}
                         for k, c in sorted(hist.items())],
        stat_histogram_month: [{**keyed(k, "month"), "bucket": k[4], "count": c}
                               for k, c in sorted(hist_months.items())],
    }


# Upsert statements by (dialect, table): built once, since building one (about thirty SET
# expressions) cost more than running it.
_UPSERTS: dict[tuple[str, str], Insert] = {}


def _upsert(session: Session, table_: Table, rows: list[dict[str, Any]],
            keys: Sequence[str], measures: Sequence[str]) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    stmt = _UPSERTS.get((dialect, table_.name))
    if stmt is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        new = insert(table_)
        stmt = _UPSERTS[(dialect, table_.name)] = new.on_conflict_do_update(
            index_elements=list(keys),
            set_={m: table_.c[m] + new.excluded[m] for m in measures},
        )
    # One statement executed for many rows, compiled once and cached, where a multi-row VALUES
    # statement was compiled afresh on every write. Every row has every column.
    session.execute(stmt, rows)


def write(session: Session, changes: Changes) -> None:
    """Add measure changes to the aggregate tables."""
    for table_, rows in table_rows(changes).items():
        keys = [c.name for c in table_.primary_key.columns]
        measures = [c.name for c in table_.columns if c.name not in keys]
        _upsert(session, table_, rows, keys, measures)
