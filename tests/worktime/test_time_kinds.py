"""Calendar days and same-day deadlines: worked examples and Hypothesis properties."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.clock import VN_TZ
from app.worktime.rules import (
    DEFAULT_CUTOFF,
    ProcessingTime,
    WorkCalendar,
    WorkingHours,
    add_calendar_days,
    build_calendar,
    same_day_due,
    within_working_hours,
)

CAL = build_calendar(WorkingHours(), range(2025, 2028), {})


def vn(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=VN_TZ)


# --- same day with a cut-off (default 15:00) ---


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (vn(2026, 3, 10, 14, 59), vn(2026, 3, 10, 17)),  # before the cut-off: same day
        (vn(2026, 3, 10, 15, 0), vn(2026, 3, 11, 17)),  # at the cut-off: next working day
        (vn(2026, 3, 13, 16, 30), vn(2026, 3, 16, 17)),  # Friday after the cut-off: Monday
        (vn(2026, 3, 10, 6, 45), vn(2026, 3, 10, 17)),  # before opening: opens at 08:00
        (vn(2026, 3, 10, 18, 0), vn(2026, 3, 11, 17)),  # after closing: next morning's start
        (vn(2026, 3, 14, 10, 0), vn(2026, 3, 16, 17)),  # Saturday: Monday's opening rule
        (vn(2026, 4, 29, 16, 0), vn(2026, 5, 4, 17)),  # 30 Apr and 1 May off, then the weekend
    ],
)
def test_same_day_cut_off(received: datetime, due: datetime) -> None:
    assert same_day_due(CAL, received, DEFAULT_CUTOFF) == due


def test_an_earlier_cut_off_is_honoured() -> None:
    assert same_day_due(CAL, vn(2026, 3, 10, 11), time(10, 30)) == vn(2026, 3, 11, 17)
    assert same_day_due(CAL, vn(2026, 3, 10, 10), time(10, 30)) == vn(2026, 3, 10, 17)


# --- calendar days ---


def test_calendar_days_count_weekends() -> None:
    # Friday + 3 calendar days = Monday, at its closing.
    assert add_calendar_days(CAL, vn(2026, 3, 13, 10), 3) == vn(2026, 3, 16, 17)


def test_calendar_days_ending_on_a_holiday_move_to_the_next_working_closing() -> None:
    # Mon 20 Apr + 10 days = Thu 30 Apr (Reunification Day); 1 May is off, then the weekend.
    assert add_calendar_days(CAL, vn(2026, 4, 20, 10), 10) == vn(2026, 5, 4, 17)


def test_calendar_days_start_after_the_opening_rule() -> None:
    # Received Friday evening: counting starts Monday morning, so + 1 day is Tuesday.
    assert add_calendar_days(CAL, vn(2026, 3, 13, 19), 1) == vn(2026, 3, 17, 17)


def test_working_hours_skip_lunch_and_the_night() -> None:
    time_ = ProcessingTime(hours=7)  # 10-12, 13-17, then 08-09
    assert time_.kind == "working_hours"
    assert time_.due(CAL, vn(2026, 3, 10, 10)) == vn(2026, 3, 11, 9)


def test_processing_time_has_exactly_one_kind() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        ProcessingTime(days=1, cutoff=DEFAULT_CUTOFF)
    with pytest.raises(ValueError, match="exactly one"):
        ProcessingTime()
    with pytest.raises(ValueError, match="not an amount"):
        ProcessingTime(calendar_days=3).amount(CAL)


def test_cut_off_must_fall_inside_a_session() -> None:
    hours = WorkingHours(sessions=((time(7, 30), time(11, 30)), (time(13, 30), time(17))))
    assert within_working_hours(hours, time(15))
    assert within_working_hours(hours, time(17))
    assert not within_working_hours(hours, time(12))  # lunch break
    assert not within_working_hours(hours, time(7, 30))  # nothing can be received before it
    assert not within_working_hours(hours, time(18))


# --- properties ---

instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 6, 30),
).map(lambda t: t.replace(tzinfo=VN_TZ))
kinds = st.one_of(
    st.integers(1, 30).map(lambda n: ProcessingTime(days=n)),
    st.integers(1, 80).map(lambda n: ProcessingTime(hours=n)),
    st.integers(0, 60).map(lambda n: ProcessingTime(calendar_days=n)),
    st.sampled_from([time(9), time(11, 30), DEFAULT_CUTOFF, time(17)]).map(
        lambda c: ProcessingTime(cutoff=c)
    ),
)


def _is_working_instant(cal: WorkCalendar, t: datetime) -> bool:
    local = t.astimezone(cal.tz)
    return cal.is_working_day(local.date()) and within_working_hours(
        cal.hours, local.time()
    )


@settings(max_examples=200, deadline=None)
@given(received=instants, time_=kinds)
def test_the_deadline_is_always_a_working_instant(
    received: datetime, time_: ProcessingTime
) -> None:
    assert _is_working_instant(CAL, time_.due(CAL, received))


@settings(max_examples=200, deadline=None)
@given(received=instants, later=st.timedeltas(timedelta(0), timedelta(days=20)), time_=kinds)
def test_the_deadline_is_monotone_in_the_receipt(
    received: datetime, later: timedelta, time_: ProcessingTime
) -> None:
    assert time_.due(CAL, received) <= time_.due(CAL, received + later)


@settings(max_examples=200, deadline=None)
@given(received=instants)
def test_same_day_is_never_later_than_one_calendar_day(received: datetime) -> None:
    # After the cut-off the two coincide: closing of the first working day after the start's.
    due = same_day_due(CAL, received, DEFAULT_CUTOFF)
    assert add_calendar_days(CAL, received, 0) <= due <= add_calendar_days(CAL, received, 1)
