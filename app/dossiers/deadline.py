"""A deadline that explains itself: the dossier's timeline replayed through the rules with a
trace (app/dossiers/rules.py `explain`), and each day it skipped named with its source."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.rules import Principal
from app.calendar.schemas import DayStatus
from app.calendar.service import calendar_days, calendar_for
from app.catalog.models import ProcedureVersion, Unit
from app.catalog.schemas import ProcessingTimeIn, rule_steps
from app.core.problems import ProblemError
from app.dossiers import rules
from app.dossiers.models import Dossier, DossierEvent
from app.dossiers.schemas import (
    CalendarWalk,
    CountedDay,
    DeadlineApology,
    DeadlineOut,
    DeadlinePause,
    DeadlineRule,
    DeadlineStep,
    SkippedDay,
)
from app.dossiers.views import covered_dossier
from app.worktime.rules import ProcessingTime, Walk, working_time_between

# Replayed events were accepted when posted: the replay's `now` only has to admit them.
_SKEW = timedelta(0)
_REASONS: dict[str, Any] = {"weekly_pattern": "weekend", "package": "holiday",
                            "national_override": "national_override",
                            "unit_override": "unit_override"}


def lifecycle_events(timeline: Iterable[DossierEvent]) -> list[rules.Event]:
    """The stored lifecycle events (not the receipt, nor entries such as a recomputed
    appointment) as the rules take them, in timeline order."""
    return [_event(e) for e in timeline if e.type in rules.EVENT_TYPES]


def _event(e: DossierEvent) -> rules.Event:
    """A stored timeline event as the rules take it."""
    new_due = e.payload.get("new_due_at")
    return rules.Event(
        type=e.type,  # type: ignore[arg-type]  # stored events passed these rules once
        at=e.at, to_unit=e.payload.get("to_unit"),
        new_due_at=datetime.fromisoformat(new_due) if isinstance(new_due, str) else None,
        method=e.payload.get("method"), rating=e.payload.get("rating"))


def _skipped_days(walks: Iterable[Walk]) -> list[date]:
    return sorted({d for w in walks for d in w.skipped})


class _Days:
    """The source of each skipped day, from the unit's calendar listing."""

    def __init__(self, session: Session, unit: str, days: list[date]) -> None:
        self.by_day: dict[date, DayStatus] = {}
        if days:
            listing = calendar_days(session, unit, days[0], days[-1])
            self.by_day = {d.date: d for d in listing.days}

    def walk(self, w: Walk) -> CalendarWalk:
        skipped = [SkippedDay(date=d, reason=_REASONS[self.by_day[d].source.kind],
                              source=self.by_day[d].source)
                   for d in w.skipped if d in self.by_day]
        return CalendarWalk(
            start=w.start, working_seconds=int(w.total.total_seconds()),
            counted=[CountedDay(date=d, working_seconds=int(t.total_seconds()))
                     for d, t in sorted(w.counted.items())],
            skipped=skipped)


def _rule(d: Dossier, time: ProcessingTime) -> DeadlineRule:
    return DeadlineRule(procedure=d.procedure_code, procedure_version=d.procedure_version,
                        channel=d.channel, kind=time.kind, working_days=time.days,
                        working_hours=time.hours, calendar_days=time.calendar_days,
                        cutoff=time.cutoff)


def explain_deadline(session: Session, who: Principal, code: str, now: datetime) -> DeadlineOut:
    """Why the dossier is due when it is, step by step; 404/403 as for the dossier itself."""
    dossier = covered_dossier(session, who, code)
    stored = list(session.scalars(
        select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)
        .order_by(DossierEvent.at, DossierEvent.id)))
    receipt, events = stored[0], lifecycle_events(stored[1:])
    receiving = session.get(Unit, dossier.receiving_unit)
    version = session.get(ProcedureVersion, (dossier.procedure_code, dossier.procedure_version))
    assert receiving is not None and version is not None  # foreign keys guarantee both
    time = ProcessingTimeIn.model_validate(version.time_for(dossier.channel)).to_rules()
    until = max([now, dossier.last_event_at, *(e.at for e in events)])
    # The receiving counter's calendar keeps the clock, as when the events were posted.
    cal = calendar_for(session, receiving, dossier.received_at, until)
    handling = str(receipt.payload.get("handling_unit") or dossier.handling_unit)
    steps = rule_steps(version.steps)
    note: str | None = None
    try:
        state, trace = rules.explain(handling, dossier.received_at, time, cal, events, until,
                                     _SKEW, steps)
    except (ProblemError, ValueError) as exc:
        # A timeline stored under older rules may not replay; say so rather than guess.
        state, trace = None, rules.Trace()
        rules.receive(handling, dossier.received_at, time, cal, trace, steps)
        note = f"The timeline could not be replayed under today's rules: {exc}"
    walks = [trace.receipt, *(w for p in trace.pauses for w in (p.window, p.extension))]
    days = _Days(session, receiving.code, _skipped_days(walks))
    pauses = [_pause(p, days) for p in trace.pauses]
    if state is not None and state.paused_at is not None:
        # The pause still running: what it has paused so far; it moves nothing yet.
        window = Walk()
        working_time_between(cal, state.paused_at, max(now, state.paused_at), window)
        pauses.append(DeadlinePause(
            kind=rules.PAUSE_KINDS.get(state.status, "supplement"), requested_at=state.paused_at,
            moved=False, not_moved_because=None, ended_at=None,
            paused_working_seconds=int(window.total.total_seconds()), pause=days.walk(window),
            due_before=state.due_at, due_after=None, moved_by=None,
            rescheduled_before=state.rescheduled_due_at, rescheduled_after=None))
    explained = state.due_at if state is not None else None
    if state is not None and explained != dossier.due_at:
        note = ("The stored appointment differs from the one today's calendar gives: the "
                "calendar changed after the dossier closed, and a closed dossier keeps its "
                "deadline." if dossier.status not in rules.OPEN else
                "The stored appointment differs from the one today's calendar gives: it was "
                "set under an earlier calendar or earlier rules that a replay cannot apply "
                "(an apology's new appointment no longer later than the moved one).")
    assert trace.receipt_due is not None and trace.receipt.start is not None  # receive sets them
    return DeadlineOut(
        code=dossier.code, received_at=dossier.received_at, start_at=trace.receipt.start,
        rule=_rule(dossier, time), receipt=days.walk(trace.receipt),
        receipt_due_at=trace.receipt_due, pauses=pauses,
        apologies=[DeadlineApology(issued_at=a.issued_at, new_due_at=a.new_due_at,
                                   tardy=a.tardy) for a in trace.apologies],
        explained_due_at=explained, due_at=dossier.due_at,
        matches_stored=explained == dossier.due_at,
        rescheduled_due_at=dossier.rescheduled_due_at,
        steps=[DeadlineStep(position=r.position, name=r.name, unit=r.unit,
                            started_at=r.started_at, due_at=r.due_at, ended_at=r.ended_at,
                            result=r.result) for _, r in sorted(trace.steps.items())],
        note=note)


def _pause(p: rules.PauseTrace, days: _Days) -> DeadlinePause:
    return DeadlinePause(
        kind=p.kind, requested_at=p.requested_at, moved=p.moved,
        not_moved_because=p.not_moved_because, ended_at=p.ended_at,
        paused_working_seconds=int(p.paused.total_seconds()),
        pause=days.walk(p.window) if p.moved else None,
        due_before=p.due_before, due_after=p.due_after,
        moved_by=days.walk(p.extension) if p.moved else None,
        rescheduled_before=p.rescheduled_before, rescheduled_after=p.rescheduled_after)
