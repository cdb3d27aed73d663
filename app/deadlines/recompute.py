"""Open dossiers follow their calendar: when a day off or a working day is set or removed, every
open dossier whose deadline it changes is recomputed in the same transaction, with a timeline
entry, a `dossier.due_changed` webhook and its figures moved. Closed dossiers keep theirs."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth.rules import Principal
from app.calendar.changes import DayOverridden
from app.calendar.models import NATIONAL
from app.calendar.service import calendar_for
from app.catalog.models import ProcedureVersion, Unit
from app.catalog.schemas import ProcessingTimeIn, rule_steps
from app.core.clock import VN_TZ
from app.dossiers import rules
from app.dossiers.deadline import lifecycle_events
from app.dossiers.intake import fingerprint
from app.dossiers.models import Dossier, DossierEvent
from app.dossiers.records import record_of, state_of
from app.notifications.outbox import enqueue
from app.stats import projection
from app.stats import service as stats

DUE_CHANGED = "due_changed"  # the timeline entry
DUE_CHANGED_WEBHOOK = "dossier.due_changed"
# Replayed events were accepted when posted: the replay's `now` only has to admit them.
_SKEW = timedelta(0)


def on_override(session: Session, change: DayOverridden) -> int:
    """After an override of a day was set or removed, nationally or for a unit's subtree:
    recompute the open deadlines it moves; how many moved."""
    scope = change.unit or NATIONAL
    described: dict[str, Any] = {
        "scope": scope, "date": change.day.isoformat(),
        "action": "set" if change.body is not None else "removed", **(change.body or {})}
    return after_calendar_change(session, change.who, scope, change.day, described, change.now)


def _candidates(session: Session, scope: str, day: date) -> list[Dossier]:
    """Open dossiers of the scope whose clock ran, or runs, across `day`: received by its end
    and due (or newly due after an apology) on it or later. A day after the appointment cannot
    move it, nor can a day before the receipt."""
    start = datetime.combine(day, time(0), VN_TZ)
    query = select(Dossier).where(
        Dossier.status.in_(rules.OPEN), Dossier.received_at < start + timedelta(days=1),
        or_(Dossier.due_at >= start, Dossier.rescheduled_due_at >= start),
    ).order_by(Dossier.id).with_for_update()
    if scope != NATIONAL:
        unit = session.get(Unit, scope)
        if unit is None:
            return []
        codes = select(Unit.code).where(Unit.path.startswith(unit.path, autoescape=True))
        query = query.where(Dossier.receiving_unit.in_(codes))
    return list(session.scalars(query))


def after_calendar_change(
    session: Session, who: Principal, scope: str, day: date, change: dict[str, Any],
    now: datetime,
) -> int:
    """Recompute the open dossiers a calendar change on `day` in `scope` may move; returns how
    many changed. `change` describes the override (set or removed) for the timeline."""
    dossiers = _candidates(session, scope, day)
    if not dossiers:
        return 0
    ids = [d.id for d in dossiers]
    timelines: dict[int, list[DossierEvent]] = defaultdict(list)
    for e in session.scalars(select(DossierEvent).where(DossierEvent.dossier_id.in_(ids))
                             .order_by(DossierEvent.dossier_id, DossierEvent.at,
                                       DossierEvent.id)):
        timelines[e.dossier_id].append(e)
    units = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(
        {c for d in dossiers for c in (d.receiving_unit, d.handling_unit)})))}
    versions = {(v.procedure_code, v.version): v for v in session.scalars(
        select(ProcedureVersion).where(ProcedureVersion.procedure_code.in_(
            {d.procedure_code for d in dossiers})))}
    counted = projection.counted_events(session, projection.timeline.c.dossier_id.in_(ids))
    paths = {code: u.path for code, u in units.items()}
    holders = {c for events in counted.values() for c in projection.past_holders(events)}
    paths |= dict(session.execute(select(Unit.code, Unit.path).where(
        Unit.code.in_(holders - set(paths)))).all())
    moves = []
    changed = 0
    for d in dossiers:
        timeline = timelines[d.id]
        version = versions.get((d.procedure_code, d.procedure_version))
        if not timeline or version is None:
            continue  # foreign keys and the receipt row make both exist
        time_ = ProcessingTimeIn.model_validate(version.time_for(d.channel)).to_rules()
        cal = calendar_for(session, units[d.receiving_unit], d.received_at, now)
        old = state_of(d)
        handling = str(timeline[0].payload.get("handling_unit") or d.handling_unit)
        new = rules.recompute(old, handling, time_, cal, lifecycle_events(timeline[1:]),
                              max(now, d.last_event_at), _SKEW, rule_steps(version.steps))
        if new is None:
            continue
        before = projection.contribution(record_of(d), counted.get(d.id, []), paths)
        for name, value in vars(new).items():
            setattr(d, name, value)
        d.updated_at = now
        moves.append((before, projection.contribution(record_of(d), counted.get(d.id, []), paths)))
        _record(session, who, d, old, new, change, now)
        changed += 1
    session.flush()
    stats.apply_all(session, moves)
    return changed


def _record(session: Session, who: Principal, d: Dossier, old: rules.DossierState,
            new: rules.DossierState, change: dict[str, Any], now: datetime) -> None:
    """The timeline entry, the webhook and the audit entry of one recomputed dossier."""
    details = {
        "old_due_at": old.due_at.astimezone(VN_TZ).isoformat(),
        "new_due_at": new.due_at.astimezone(VN_TZ).isoformat(),
        "old_rescheduled_due_at": _iso(old.rescheduled_due_at),
        "new_rescheduled_due_at": _iso(new.rescheduled_due_at),
        "override": change,
    }
    client_id = f"{DUE_CHANGED}-{uuid.uuid4().hex}"
    session.add(DossierEvent(
        dossier_id=d.id, province_code=d.province_code, client_id=client_id, type=DUE_CHANGED,
        at=now, recorded_at=now, key_id=who.key_id, payload=details, flags={},
        request_hash=fingerprint(details), response=details))
    enqueue(session, DUE_CHANGED_WEBHOOK, f"{DUE_CHANGED_WEBHOOK}:{client_id}",
                          d.code, {"dossier": d.code, **details}, now, due_at=new.due_at)
    record(session, who, now, DUE_CHANGED, "dossier", d.code,
           {"due_at": details["old_due_at"], "rescheduled_due_at": details[
               "old_rescheduled_due_at"]},
           {"due_at": details["new_due_at"], "rescheduled_due_at": details[
               "new_rescheduled_due_at"]})


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(VN_TZ).isoformat()
