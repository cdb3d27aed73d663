"""The scorecard from the statistics aggregates, the catalogue and the portal's acknowledgements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth.rules import Principal
from app.catalog.models import Procedure, Unit
from app.core.clock import VN_TZ
from app.core.cursor import RowId, decode_cursor, encode_cursor
from app.core.problems import InvalidParam, Unprocessable
from app.core.timefmt import Instant
from app.dossiers.models import Dossier, DossierEvent
from app.dossiers.rules import OPEN
from app.portal.models import PortalSync
from app.scorecard import rules
from app.scorecard.models import ScorecardWeight
from app.stats import rules as stats_rules
from app.stats import service as stats
from app.stats.rules import ALL, PROCESSING_STEPS, Sums

BY = "handling"  # the portal scores a dossier for the unit that decides it
BY_DUE: TypeAdapter[tuple[str, int]] = TypeAdapter(
    tuple[Annotated[str, Field(min_length=1, max_length=40)], RowId])
"""At-risk dossiers ordered by appointment (an ISO instant), then row id."""
INSTANT: TypeAdapter[datetime] = TypeAdapter(Instant)


def _position(cursor: str) -> tuple[datetime, int]:
    due, last = decode_cursor(cursor, BY_DUE)
    try:
        return INSTANT.validate_python(due), last
    except ValidationError as exc:
        # The answer any other forged cursor gets.
        raise Unprocessable("The cursor is not valid.", code="invalid_cursor",
                            invalid_params=[InvalidParam("cursor", "invalid", "not a cursor")]
                            ) from exc


def versions(session: Session) -> list[rules.Version]:
    """Every weights version, with its rows."""
    out: dict[int, list[ScorecardWeight]] = {}
    for row in session.scalars(select(ScorecardWeight).order_by(
            ScorecardWeight.version, ScorecardWeight.group_code, ScorecardWeight.indicator)):
        out.setdefault(row.version, []).append(row)
    return [rules.Version(v, rows[0].effective_from, tuple(_weight(r) for r in rows))
            for v, rows in out.items()]


def _weight(r: ScorecardWeight) -> rules.Weight:
    return rules.Weight(
        indicator=r.indicator, group_code=r.group_code, group_name=r.group_name,
        group_max_points=Decimal(r.group_max_points), name=r.name,
        max_points=Decimal(r.max_points),
        threshold=None if r.threshold is None else Decimal(r.threshold),
        measure="percent" if r.measure == "percent" else "working_days", source=r.source)


def weights_for(session: Session, end: date) -> rules.Version:
    """The version in force on the period's last day; 422 before the first one."""
    version = rules.in_force(versions(session), end)
    if version is None:
        raise Unprocessable(
            "No scorecard weights were in force at the end of this period.",
            code="no_scorecard_weights",
            invalid_params=[InvalidParam("period", "no_scorecard_weights",
                                         "ends before the first weights version")])
    return version


def add_version(session: Session, who: Principal, rows: Sequence[Mapping[str, str]],
                effective_from: date, now: datetime) -> rules.Version:
    """Store a new weights version in force from `effective_from`, after every existing one,
    and audit it; a table whose groups do not add up to 100 (and any other fault) is refused
    with every problem listed, and nothing is stored."""
    weights, problems = rules.parse_weights(rows)
    existing = versions(session)
    latest = max((v.effective_from for v in existing), default=None)
    if latest is not None and effective_from <= latest:
        problems.append(f"effective_from: must be after {latest}, the latest version's")
    if problems:
        raise Unprocessable("The weights table is not valid: " + "; ".join(problems),
                            code="invalid_scorecard_weights",
                            invalid_params=[InvalidParam(p.split(":")[0], "invalid", p)
                                            for p in problems])
    number = max((v.version for v in existing), default=0) + 1
    for w in weights:
        session.add(ScorecardWeight(
            version=number, indicator=w.indicator, effective_from=effective_from,
            group_code=w.group_code, group_name=w.group_name,
            group_max_points=w.group_max_points, name=w.name, max_points=w.max_points,
            threshold=w.threshold, measure=w.measure, source=w.source))
    session.flush()
    record(session, who, now, "create", "scorecard_weights", str(number), None,
           {"effective_from": effective_from.isoformat(),
            "indicators": {w.indicator: rules.plain(w.max_points) for w in weights}})
    return rules.Version(number, effective_from, tuple(weights))


def as_rows(version: rules.Version) -> list[dict[str, str]]:
    """A version as table rows (rules.COLUMNS), to export, edit and add as the next one."""
    return [{"indicator": w.indicator, "group_code": str(w.group_code),
             "group_name": w.group_name, "group_max_points": rules.plain(w.group_max_points),
             "name": w.name, "max_points": rules.plain(w.max_points),
             "threshold": "" if w.threshold is None else rules.plain(w.threshold),
             "measure": w.measure, "source": w.source} for w in version.weights]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time(0), VN_TZ),
            datetime.combine(end + timedelta(days=1), time(0), VN_TZ))


def _sums(session: Session, unit: Unit, start: date, end: date, judged: date,
          procedures: Sequence[str] | None = (ALL,), group: str | None = None
          ) -> dict[str, Sums]:
    return stats.fetch(session, signed=[(1, unit.code)], by=BY, procedures=procedures,
                       start=start, end=end, judged=judged, group=group)


def _subtree(unit: Unit) -> Any:
    return select(Unit.code).where(Unit.path.startswith(unit.path, autoescape=True))


def _synced(session: Session, unit: Unit, start: date, end: date) -> int:
    """Dossiers received in P and decided in the subtree that the portal acknowledged;
    refusals at receipt are in no received total, so not here either."""
    first, after = _bounds(start, end)
    processed = exists().where(DossierEvent.dossier_id == Dossier.id,
                               DossierEvent.type.in_(PROCESSING_STEPS))
    return int(session.scalar(
        select(func.count()).select_from(Dossier)
        .join(PortalSync, PortalSync.dossier_id == Dossier.id)
        .where(Dossier.handling_unit.in_(_subtree(unit)), Dossier.received_at >= first,
               Dossier.received_at < after, PortalSync.acked_version.is_not(None),
               or_(Dossier.status != "refused", processed))) or 0)


def measure(session: Session, unit: Unit, start: date, end: date, today: date,
            sync_on: bool) -> tuple[dict[str, rules.Measured], dict[str, tuple[str, ...]], bool]:
    """What the service counts for each indicator it can compute, the data missing for the
    others (beyond rules.MISSING), and whether the period is still open."""
    open_period = today <= end
    now = _sums(session, unit, start, end, stats.judged_day(end, today)).get("", stats.EMPTY)
    figures = stats.checked_figures(now, [unit.code], start, end)
    at_end = (_sums(session, unit, start, end, end).get("", stats.EMPTY)
              if open_period else None)

    def same(numerator: int | Decimal, denominator: int) -> rules.Measured:
        # Only 2.1 moves between now and the end: nothing else depends on an appointment.
        if not open_period:
            return rules.Measured(numerator, denominator)
        return rules.Measured(numerator, denominator, numerator, denominator)

    out: dict[str, rules.Measured] = {}
    missing: dict[str, tuple[str, ...]] = {}
    progress = stats_rules.national_progress(now)
    forecast = stats_rules.national_progress(at_end) if at_end is not None else (None, None)
    out["2.1"] = rules.Measured(*progress, *forecast)
    millidays = now.flows.get("processing_millidays", 0)
    out["2.2"] = same(Decimal(millidays) / 1000, figures["resolved"]["total"])
    catalogue = {code: online for code, online in session.execute(
        select(Procedure.code, Procedure.online))}
    online = {code for code, flag in catalogue.items() if flag}
    out["3.1"] = same(len(online), len(catalogue))
    by_procedure = _sums(session, unit, start, end, stats.judged_day(end, today),
                         procedures=None, group="procedure")
    used = {code for code, s in by_procedure.items()
            if code in online and s.flows.get("received_online", 0) > 0}
    out["3.2"] = same(len(used), len(online))
    if sync_on:
        out["1.4"] = same(_synced(session, unit, start, end), figures["received"]["new"])
    else:
        missing["1.4"] = rules.SYNC_OFF
    return out, missing, open_period


def scorecard(session: Session, unit: Unit, start: date, end: date, today: date,
              sync_on: bool) -> dict[str, Any]:
    """The scorecard of a unit (its subtree, by deciding unit) for a period."""
    version = weights_for(session, end)
    counted, missing, open_period = measure(session, unit, start, end, today, sync_on)
    scored = [rules.score(w, counted.get(w.indicator), missing.get(w.indicator, ()))
              for w in version.weights]
    groups = []
    for code in sorted({w.group_code for w in version.weights}):
        members = [s for s in scored if s.weight.group_code == code]
        t = rules.total(members, members[0].weight.group_max_points, open_period)
        groups.append({"code": code, "name": members[0].weight.group_name, **_total(t)})
    overall = rules.total(scored, sum((g["max_points"] for g in groups), Decimal(0)),
                          open_period)
    return {"unit": unit.code, "from": start, "to": end, "open": open_period,
            "weights": {"version": version.version, "effective_from": version.effective_from},
            "indicators": [_indicator(s) for s in scored], "groups": groups,
            "total": _total(overall)}


def _total(t: rules.Total) -> dict[str, Any]:
    return {"points": t.points, "computable_max": t.computable_max, "max_points": t.max_points,
            "forecast_points": t.forecast_points}


def _indicator(s: rules.Scored) -> dict[str, Any]:
    w = s.weight
    forecast = None if s.forecast is None else {
        "numerator": s.forecast.numerator, "denominator": s.forecast.denominator,
        "rate": s.forecast.rate, "points": s.forecast.points}
    return {"code": w.indicator, "group": w.group_code, "name": w.name, "measure": w.measure,
            "status": s.status, "numerator": s.numerator, "denominator": s.denominator,
            "rate": s.rate, "points": s.points, "max_points": w.max_points,
            "threshold": w.threshold, "missing": list(s.missing), "source": w.source,
            "forecast": forecast}


# ---- the dossiers at risk ------------------------------------------------------------------


def at_risk(session: Session, unit: Unit, start: date, end: date, now: datetime,
            cursor: str | None, limit: int) -> dict[str, Any]:
    """Open dossiers of the subtree that will be overdue at the period's end if nothing
    changes, soonest appointment first, each with the points it costs in indicator 2.1."""
    today = stats_rules.local_day(now)
    version = weights_for(session, end)
    weight = next((w for w in version.weights if w.indicator == "2.1"), None)
    base: dict[str, Any] = {"unit": unit.code, "from": start, "to": end, "open": today <= end}
    if today > end or weight is None:
        return {**base, "dossiers": 0, "points_at_risk": Decimal(0), "items": [],
                "next_cursor": None}
    numerator, denominator = stats_rules.national_progress(
        _sums(session, unit, start, end, end).get("", stats.EMPTY))
    cost = rules.marginal_cost(numerator, denominator, weight)
    _, after = _bounds(start, end)
    # Narrowed in SQL to what the rule can call at risk; the rule decides each row.
    candidates = and_(Dossier.handling_unit.in_(_subtree(unit)), Dossier.status.in_(OPEN),
                      Dossier.received_at < after, Dossier.due_at < after,
                      Dossier.paused_at.is_(None), Dossier.supplement_count <= 1)
    count = int(session.scalar(select(func.count()).select_from(Dossier).where(candidates))
                or 0)
    query = (select(Dossier, Procedure.name).join(Procedure)
             .where(candidates).order_by(Dossier.due_at, Dossier.id))
    if cursor:
        due, last = _position(cursor)
        query = query.where(or_(Dossier.due_at > due,
                                and_(Dossier.due_at == due, Dossier.id > last)))
    items: list[dict[str, Any]] = []
    rows = session.execute(query.limit(limit)).all()
    for d, name in rows:
        outlook = rules.outlook(status_open=d.status in OPEN, paused=d.paused_at is not None,
                                due_at=d.due_at, supplements=d.supplement_count,
                                period_end=after)
        if not rules.at_risk(outlook):
            continue
        items.append({"code": d.code, "procedure": d.procedure_code, "procedure_name": name,
                      "handling_unit": d.handling_unit, "due_at": d.due_at.astimezone(VN_TZ),
                      "overdue_now": now > d.due_at, "indicator": weight.indicator,
                      "points": cost})
    nxt = (encode_cursor(rows[-1][0].due_at.isoformat(), rows[-1][0].id)
           if len(rows) == limit else None)
    lost = rules.points(rules.percent(numerator + count, denominator), weight.max_points,
                        weight.threshold or Decimal(100))
    got = rules.points(rules.percent(numerator, denominator), weight.max_points,
                       weight.threshold or Decimal(100))
    risk = (lost or Decimal(0)) - (got or Decimal(0))
    return {**base, "dossiers": count, "points_at_risk": risk, "items": items,
            "next_cursor": nxt}
