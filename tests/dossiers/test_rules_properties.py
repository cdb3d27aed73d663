"""Random event sequences through the pure lifecycle, checked against an independent oracle.

The oracle restates the lifecycle, not rules.py: an event is legal iff it is not in the future,
not earlier than the last one, allowed in the current state and complete; due_at is the
receipt appointment moved by the working time of the completed pauses and nothing else
(only the first supplement request pauses, and only when made by the appointment; every
financial-obligation request made by the appointment pauses, its time kept apart);
timeliness exists iff a result exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.problems import Conflict, ProblemError, Unprocessable
from app.dossiers import rules
from app.dossiers.rules import DossierState, Event
from app.worktime.rules import (
    ProcessingTime,
    WorkCalendar,
    WorkingHours,
    add_working_time,
    build_calendar,
    timeliness,
    working_time_between,
)
from tests.factories import vn

YEARS = range(2025, 2029)
CALENDARS = [
    build_calendar(WorkingHours(), YEARS, {}),
    build_calendar(WorkingHours(sessions=((time(7, 30), time(11, 30)), (time(13, 30), time(17))),
                                weekdays=frozenset(range(6))), YEARS, {}),
]
SKEW = timedelta(minutes=2)
UNITS = ("U", "V")
RESULT_STATES = frozenset({"resolved", "returned"})
# Ending events are drawn less often, so that most sequences live long enough to pause,
# resume, apologise and resolve.
TYPES = [t for t in rules.EVENT_TYPES for _ in range(
    1 if t in rules.ENDED_OTHERWISE else 2 if t in ("resolved", "returned") else 4)]


@dataclass
class Oracle:
    """What the lifecycle says a dossier must look like after the events accepted so far."""

    receipt_due: datetime
    cal: WorkCalendar
    pauses: list[tuple[datetime, datetime]] = field(default_factory=list)
    obligation_pauses: list[tuple[datetime, datetime]] = field(default_factory=list)
    accepted: list[Event] = field(default_factory=list)
    pause_start: datetime | None = None

    def refusals(self, state: DossierState, event: Event, now: datetime) -> set[type]:
        """The errors this event deserves; empty when it is legal."""
        found: set[type] = set()
        if event.at > now + SKEW:
            found.add(Unprocessable)
        if event.at < state.last_event_at:
            found.add(Conflict)
        if event.type not in rules.TRANSITIONS.get(state.status, {}):
            found.add(Conflict)
        elif not self._complete(state, event):
            found.add(Unprocessable)
        elif event.type == "step_completed" and state.current_step is None:
            found.add(Conflict)  # the scenarios' procedures have no internal steps
        elif event.type in ("delivered", "delivery_failed") and (
                state.return_method != "postal" or state.delivered_at is not None):
            found.add(Conflict)  # only a result handed to the post is delivered, once
        return found

    @staticmethod
    def _complete(state: DossierState, event: Event) -> bool:
        if event.type == "transferred":
            return event.to_unit is not None and event.to_unit != state.handling_unit
        if event.type == "apology_issued":
            current = state.rescheduled_due_at or state.due_at
            return event.new_due_at is not None and event.new_due_at > current
        if event.type == "returned":
            return event.method in ("counter", "postal")
        return True

    def record(self, before: DossierState, event: Event) -> None:
        """Note an accepted event, closing a pause when it leaves a waiting state."""
        self.accepted.append(event)
        overlay = rules.TRANSITIONS[before.status][event.type] == "="
        if event.type == "supplement_requested":
            # Guidance is given once: only the first request, made by the appointment, pauses.
            first = sum(e.type == "supplement_requested" for e in self.accepted) == 1
            self.pause_start = event.at if first and event.at <= before.due_at else None
        elif event.type == "financial_obligation_requested":
            self.pause_start = event.at if event.at <= before.due_at else None
        elif before.status in ("awaiting_supplement", "awaiting_financial_obligation") and (
                not overlay):
            if self.pause_start is not None:
                kept = (self.pauses if before.status == "awaiting_supplement"
                        else self.obligation_pauses)
                kept.append((self.pause_start, event.at))
            self.pause_start = None

    def check(self, state: DossierState) -> None:
        """Every invariant of a stored dossier."""
        supplement = sum((working_time_between(self.cal, a, b) for a, b in self.pauses),
                         timedelta(0))
        obligation = sum((working_time_between(self.cal, a, b)
                          for a, b in self.obligation_pauses), timedelta(0))
        assert state.paused_seconds == supplement.total_seconds()
        assert state.obligation_paused_seconds == obligation.total_seconds()
        paused = supplement + obligation
        expected_due = add_working_time(self.cal, self.receipt_due, paused) if paused else (
            self.receipt_due)
        assert state.due_at == expected_due
        assert (state.timeliness is not None) == (state.status in RESULT_STATES)
        if state.resolved_at is not None:
            assert state.timeliness == timeliness(state.resolved_at, state.due_at, self.cal.tz)
        assert (state.finished_at is None) == (state.status in rules.OPEN)
        assert state.paused_at == self.pause_start
        if state.paused_at is not None:
            assert state.status in ("awaiting_supplement", "awaiting_financial_obligation")
        types = [e.type for e in self.accepted]
        assert state.supplement_count == types.count("supplement_requested")
        assert state.apology_count == types.count("apology_issued")
        assert state.last_event_at == max([state.received_at, *(e.at for e in self.accepted)])


@dataclass(frozen=True)
class Scenario:
    """A received dossier, the instant the events are posted at, and the events."""

    state: DossierState
    time: ProcessingTime
    cal: WorkCalendar
    now: datetime
    events: list[Event]


DAYS_OR_HOURS = st.one_of(st.builds(ProcessingTime, days=st.integers(1, 30)),
                          st.builds(ProcessingTime, hours=st.integers(1, 40)))


@st.composite
def scenarios(
    draw: st.DrawFn, calendars: list[WorkCalendar] = CALENDARS,
    units: tuple[str, str] = UNITS, times: st.SearchStrategy[ProcessingTime] = DAYS_OR_HOURS,
    max_events: int = 15,
) -> Scenario:
    """A receipt at any minute of 2026 (by units[0]) and events, legal or not."""
    cal = draw(st.sampled_from(calendars))
    received_at = vn("2026-01-01 00:00") + timedelta(minutes=draw(st.integers(0, 364 * 1440)))
    time_ = draw(times)
    state = rules.receive(units[0], received_at, time_, cal)
    now = received_at + timedelta(days=draw(st.integers(0, 90)))
    events = []
    at = received_at
    for _ in range(draw(st.integers(0, max_events))):
        # Mostly forward in time, sometimes back (out of order), sometimes far ahead (future).
        at += timedelta(minutes=draw(st.integers(-600, 6 * 1440)))
        events.append(Event(
            type=draw(st.sampled_from(TYPES)), at=at,
            to_unit=draw(st.sampled_from([None, *units])),
            new_due_at=draw(st.one_of(st.none(), st.just(at + timedelta(
                days=draw(st.integers(-20, 60)))))),
            method=draw(st.sampled_from([None, "counter", "postal", "drone"])),
            rating=draw(st.one_of(st.none(), st.integers(1, 5))),
        ))
    return Scenario(state, time_, cal, now, events)


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_random_event_sequences_never_break_the_lifecycle(scenario: Scenario) -> None:
    state, cal, now = scenario.state, scenario.cal, scenario.now
    oracle = Oracle(receipt_due=state.due_at, cal=cal)
    oracle.check(state)
    for event in scenario.events:
        reasons = oracle.refusals(state, event, now)
        try:
            new, _ = rules.apply_event(state, event, cal, now, SKEW)
        except ProblemError as exc:
            assert reasons, f"legal {event} refused: {exc.detail}"
            assert type(exc) in reasons, (type(exc), reasons)
            continue
        assert not reasons, f"illegal {event} accepted ({reasons}) in {state.status}"
        oracle.record(state, event)
        state = new
        oracle.check(state)


def test_the_oracle_closes_a_pause_like_domain_md_says() -> None:
    # A worked example, so the oracle itself is known to be right: paused Tue 10:00 to
    # Thu 10:00 is 16 working hours, so the Friday 17:00 appointment moves to Tue 17:00.
    cal = CALENDARS[0]
    state = rules.receive("U", vn("2026-03-02 08:00"), ProcessingTime(days=5), cal)
    oracle = Oracle(receipt_due=state.due_at, cal=cal)
    now = vn("2026-04-01 08:00")
    steps: list[dict[str, Any]] = [
        {"type": "supplement_requested", "at": vn("2026-03-03 10:00")},
        {"type": "apology_issued", "at": vn("2026-03-04 10:00"),
         "new_due_at": vn("2026-03-20 17:00")},
        {"type": "supplement_received", "at": vn("2026-03-05 10:00")},
    ]
    for step in steps:
        event = Event(**step)
        new, _ = rules.apply_event(state, event, cal, now, SKEW)
        oracle.record(state, event)
        state = new
    oracle.check(state)
    assert state.due_at == vn("2026-03-10 17:00")
    assert oracle.pauses == [(vn("2026-03-03 10:00"), vn("2026-03-05 10:00"))]
