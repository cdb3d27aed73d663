"""The deadline's explanation (rules.explain) against the computation it traces, over random
calendars, processing times and pauses: it always gives the stored due_at, and its steps add
up to it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.problems import ProblemError
from app.dossiers import rules
from app.dossiers.rules import Event
from app.worktime.rules import (
    ProcessingTime,
    WorkCalendar,
    WorkingHours,
    add_working_time,
    build_calendar,
)
from tests.factories import vn

SKEW = timedelta(minutes=2)
FIRST = date(2026, 3, 1)
SESSIONS = [((time(8), time(12)), (time(13), time(17))),
            ((time(7, 30), time(11, 30)), (time(13, 30), time(17))),
            ((time(9), time(16)),)]
PAUSES = ["supplement_requested", "supplement_received", "financial_obligation_requested",
          "financial_obligation_fulfilled", "apology_issued", "processing_started", "resolved",
          "withdrawn"]


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    """Random working hours and weekdays, random days off and worked days over the holidays."""
    hours = WorkingHours(
        sessions=draw(st.sampled_from(SESSIONS)),
        weekdays=frozenset(draw(st.sets(st.integers(0, 6), min_size=1, max_size=7))))
    offsets = st.integers(0, 150)
    off = draw(st.sets(offsets, max_size=20))
    worked = draw(st.sets(offsets, max_size=8))
    overrides = {FIRST + timedelta(days=n): False for n in off} | {
        FIRST + timedelta(days=n): True for n in worked}
    return build_calendar(hours, range(2025, 2029), overrides)


TIMES = st.one_of(st.builds(ProcessingTime, days=st.integers(1, 20)),
                  st.builds(ProcessingTime, hours=st.integers(1, 40)),
                  st.builds(ProcessingTime, calendar_days=st.integers(0, 30)),
                  st.builds(ProcessingTime, cutoff=st.sampled_from([time(10), time(15)])))
STEPS = st.lists(st.tuples(st.sampled_from(PAUSES), st.integers(0, 5 * 24 * 60)), max_size=10)


def accepted(state: rules.DossierState, steps: list[tuple[str, int]], cal: WorkCalendar,
             now: datetime) -> tuple[rules.DossierState, list[Event]]:
    """Post the steps as a counter would: the refused ones change nothing and are dropped."""
    at, kept = state.received_at, []
    for type_, gap in steps:
        at += timedelta(minutes=gap)
        event = Event(type=type_, at=at, new_due_at=at + timedelta(days=40))  # type: ignore[arg-type]
        try:
            state, _ = rules.apply_event(state, event, cal, now, SKEW)
        except ProblemError:
            continue
        kept.append(event)
    return state, kept


@settings(max_examples=200, deadline=None)
@given(calendars(), TIMES, st.integers(0, 60 * 24 * 20), STEPS)
def test_the_explained_deadline_is_always_the_stored_one(
        cal: WorkCalendar, time_: ProcessingTime, minutes: int, steps: list[tuple[str, int]]
) -> None:
    received_at = vn("2026-03-02 00:00") + timedelta(minutes=minutes)
    now = received_at + timedelta(days=400)
    stored, events = accepted(rules.receive("U", received_at, time_, cal), steps, cal, now)

    explained, trace = rules.explain("U", received_at, time_, cal, events, now, SKEW)
    assert explained == stored

    # The steps add up: the receipt count, then each pause moving the appointment in turn.
    assert trace.receipt_due == rules.receive("U", received_at, time_, cal).due_at
    assert trace.receipt.start is not None and trace.receipt.start >= received_at
    if time_.kind in ("working_days", "working_hours"):
        assert trace.receipt.total == time_.amount(cal)
        assert add_working_time(cal, trace.receipt.start, trace.receipt.total) == (
            trace.receipt_due)
    due = trace.receipt_due
    paused = {"supplement": timedelta(0), "financial_obligation": timedelta(0)}
    for p in trace.pauses:
        if not p.moved:
            assert p.not_moved_because is not None
            continue
        assert p.due_before == due
        assert p.window.total == p.paused
        assert p.extension.total == p.paused
        due = add_working_time(cal, due, p.paused) if p.paused else due
        assert p.due_after == due
        paused[p.kind] += p.paused
    assert due == stored.due_at
    assert paused["supplement"] == timedelta(seconds=stored.paused_seconds)
    assert paused["financial_obligation"] == timedelta(seconds=stored.obligation_paused_seconds)
    # Every day counted is a working day; every day skipped is not.
    walks = [trace.receipt, *(w for p in trace.pauses for w in (p.window, p.extension))]
    assert all(cal.is_working_day(d) for w in walks for d in w.counted)
    assert not any(cal.is_working_day(d) for w in walks for d in w.skipped)


def test_a_trace_changes_nothing_it_traces() -> None:
    cal = build_calendar(WorkingHours(), range(2025, 2028), {})
    state = rules.receive("U", vn("2026-04-20 08:00"), ProcessingTime(days=5), cal)
    events = [Event(type="financial_obligation_requested", at=vn("2026-04-24 10:00")),
              Event(type="financial_obligation_fulfilled", at=vn("2026-05-04 10:00"))]
    plain = state
    for e in events:
        plain, _ = rules.apply_event(plain, e, cal, vn("2026-06-01 00:00"), SKEW)
    traced, trace = rules.explain("U", vn("2026-04-20 08:00"), ProcessingTime(days=5), cal,
                                  events, vn("2026-06-01 00:00"), SKEW)
    assert traced == plain == replace(plain, due_at=vn("2026-05-04 17:00"))
    (pause,) = trace.pauses
    assert pause.window.skipped == [date(2026, 4, 25), date(2026, 4, 26), date(2026, 4, 27),
                                    date(2026, 4, 30), date(2026, 5, 1), date(2026, 5, 2),
                                    date(2026, 5, 3)]


def overridden(cal: WorkCalendar, day: date, working: bool) -> WorkCalendar:
    """The calendar with one more override, as build_calendar would give it."""
    if working:
        return replace(cal, days_off=cal.days_off - {day},
                       extra_working_days=cal.extra_working_days | {day})
    return replace(cal, days_off=cal.days_off | {day},
                   extra_working_days=cal.extra_working_days - {day})


def fresh(received_at: datetime, time_: ProcessingTime, cal: WorkCalendar, events: list[Event],
          now: datetime) -> rules.DossierState | None:
    """The dossier received and processed on `cal` from the start; None if it refuses one of
    the events (an apology's new appointment no longer later than the appointment)."""
    state = rules.receive("U", received_at, time_, cal)
    try:
        for e in events:
            state, _ = rules.apply_event(state, e, cal, now, SKEW)
    except ProblemError:
        return None
    return state


@settings(max_examples=150, deadline=None)
@given(calendars(), st.integers(0, 60), st.booleans(), TIMES, st.integers(0, 60 * 24 * 20),
       STEPS)
def test_recomputation_after_an_override_equals_a_fresh_computation(
        cal: WorkCalendar, offset: int, working: bool, time_: ProcessingTime, minutes: int,
        steps: list[tuple[str, int]]) -> None:
    received_at = vn("2026-03-02 00:00") + timedelta(minutes=minutes)
    now = received_at + timedelta(days=400)
    stored, events = accepted(rules.receive("U", received_at, time_, cal), steps, cal, now)
    changed = overridden(cal, FIRST + timedelta(days=offset), working)
    recomputed = rules.recompute(stored, "U", time_, changed, events, now, SKEW)
    expected = fresh(received_at, time_, changed, events, now)
    if stored.status not in rules.OPEN or expected is None:
        # closed dossiers keep their deadline; a timeline that no longer replays keeps its own
        assert recomputed is None
    else:
        assert (recomputed or stored) == expected
        assert (recomputed is None) == (expected == stored)
