"""Tests for app.worktime.rules: worked examples, edge cases and Hypothesis properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.clock import VN_TZ
from app.worktime.rules import (
    ProcessingTime,
    Walk,
    WorkCalendar,
    WorkingHours,
    add_calendar_days,
    add_working_days,
    add_working_hours,
    add_working_time,
    apology_is_timely,
    build_calendar,
    closing_on_or_after,
    extend_for_pause,
    national_defaults,
    national_holidays,
    national_working_days,
    next_opening,
    same_day_due,
    swapped_saturday,
    timeliness,
    working_days_between,
    working_time_between,
)

DEFAULT_HOURS = WorkingHours()
CUSTOM_HOURS = WorkingHours(sessions=((time(7, 30), time(11, 30)), (time(13, 30), time(17))))
YEARS = range(2025, 2028)
VN_HOLIDAYS = frozenset(national_holidays(YEARS))


def vn(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=VN_TZ)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return build_calendar(DEFAULT_HOURS, YEARS, {})


# --- construction ---


def test_default_day_length() -> None:
    assert DEFAULT_HOURS.day_length == timedelta(hours=8)
    assert CUSTOM_HOURS.day_length == timedelta(hours=7, minutes=30)


@pytest.mark.parametrize(
    ("sessions", "weekdays", "message"),
    [
        ((), {0}, "at least one working session is required"),
        (((time(12), time(8)),), {0}, "session start 12:00:00 must be before its end 08:00:00"),
        (((time(8), time(8)),), {0}, "session start 08:00:00 must be before its end 08:00:00"),
        (((time(13), time(17)), (time(8), time(12))), {0},
         "sessions must be sorted and non-overlapping"),
        (((time(8), time(12)), (time(11), time(17))), {0},
         "sessions must be sorted and non-overlapping"),
        (((time(8, tzinfo=VN_TZ), time(12)),), {0}, "session times must be naive local times"),
        (((time(8), time(12, tzinfo=VN_TZ)),), {0}, "session times must be naive local times"),
        (((time(8), time(12)),), {0, 7}, "weekdays must be integers 0 (Monday) .. 6 (Sunday)"),
    ],
)
def test_invalid_sessions_rejected(sessions: tuple[tuple[time, time], ...], weekdays: set[int],
                                   message: str) -> None:
    # The message reaches whoever set the unit's hours: it says what to fix.
    with pytest.raises(ValueError) as err:
        WorkingHours(sessions=sessions, weekdays=frozenset(weekdays))
    assert str(err.value) == message


def test_sessions_may_touch_and_every_weekday_may_be_worked() -> None:
    touching = WorkingHours(sessions=((time(8), time(12)), (time(12), time(17))),
                            weekdays=frozenset(range(7)))
    assert touching.day_length == timedelta(hours=9)


def test_national_holidays_include_tet_2026() -> None:
    hol = national_holidays([2026])
    assert all(date(2026, 2, d) in hol for d in range(16, 21))


def test_overrides_beat_weekday_and_holiday() -> None:
    sat, holiday, monday = date(2026, 2, 7), date(2026, 2, 17), date(2026, 3, 2)
    c = build_calendar(DEFAULT_HOURS, [2026], {sat: True, holiday: True, monday: False})
    assert c.is_working_day(sat)
    assert c.is_working_day(holiday)
    assert not c.is_working_day(monday)
    assert not c.is_working_day(date(2026, 2, 8))  # plain Sunday
    assert not c.is_working_day(date(2026, 2, 16))  # plain holiday


# --- worked examples from the contract ---


def test_example_tet(cal: WorkCalendar) -> None:
    assert add_working_days(cal, vn(2026, 2, 12, 9), 3) == vn(2026, 2, 24, 9)


def test_example_full_week_ends_at_closing(cal: WorkCalendar) -> None:
    assert add_working_days(cal, vn(2026, 3, 2, 8), 5) == vn(2026, 3, 6, 17)


def test_example_supplement_pause(cal: WorkCalendar) -> None:
    due = vn(2026, 3, 6, 17)
    paused = working_time_between(cal, vn(2026, 3, 3, 10), vn(2026, 3, 5, 10))
    assert paused == timedelta(hours=16)
    assert add_working_time(cal, due, paused) == vn(2026, 3, 10, 17)
    assert extend_for_pause(cal, due, vn(2026, 3, 3, 10), vn(2026, 3, 5, 10)) == vn(2026, 3, 10, 17)


def test_empty_pause_keeps_closing_time_due(cal: WorkCalendar) -> None:
    due = vn(2026, 3, 6, 17)
    assert extend_for_pause(cal, due, vn(2026, 3, 7, 9), vn(2026, 3, 8, 9)) == due


# --- closing-time rule ---


def test_deadline_at_noon_closing(cal: WorkCalendar) -> None:
    assert add_working_hours(cal, vn(2026, 3, 2, 8), 4) == vn(2026, 3, 2, 12)


def test_deadline_at_evening_closing(cal: WorkCalendar) -> None:
    assert add_working_hours(cal, vn(2026, 3, 2, 13), 4) == vn(2026, 3, 2, 17)
    assert add_working_days(cal, vn(2026, 3, 2, 8), 1) == vn(2026, 3, 2, 17)


def test_one_more_minute_after_closing_goes_to_next_opening(cal: WorkCalendar) -> None:
    start = vn(2026, 3, 2, 8)
    assert add_working_time(cal, start, timedelta(hours=4, minutes=1)) == vn(2026, 3, 2, 13, 1)
    assert add_working_time(cal, start, timedelta(hours=8, minutes=1)) == vn(2026, 3, 3, 8, 1)


# --- receipt outside working hours ---


@pytest.mark.parametrize(
    ("received", "opening"),
    [
        (vn(2026, 3, 2, 12), vn(2026, 3, 2, 13)),  # exactly at lunch closing
        (vn(2026, 3, 2, 12, 30), vn(2026, 3, 2, 13)),  # lunch break
        (vn(2026, 3, 2, 17), vn(2026, 3, 3, 8)),  # exactly at evening closing
        (vn(2026, 3, 2, 20), vn(2026, 3, 3, 8)),  # evening
        (vn(2026, 3, 3, 6), vn(2026, 3, 3, 8)),  # early morning
        (vn(2026, 3, 7, 10), vn(2026, 3, 9, 8)),  # Saturday
        (vn(2026, 2, 14, 10), vn(2026, 2, 23, 8)),  # weekend before Tet
        (vn(2026, 9, 1, 9), vn(2026, 9, 3, 8)),  # National Day holidays
        (vn(2026, 3, 2, 8), vn(2026, 3, 2, 8)),  # opening itself is inside
        (vn(2026, 3, 2, 10, 59), vn(2026, 3, 2, 10, 59)),  # inside a session
    ],
)
def test_next_opening(cal: WorkCalendar, received: datetime, opening: datetime) -> None:
    assert next_opening(cal, received) == opening
    assert add_working_time(cal, received, timedelta(0)) == opening
    assert add_working_hours(cal, received, 1) == opening + timedelta(hours=1)


def test_receipt_in_other_timezone_is_converted(cal: WorkCalendar) -> None:
    received = datetime(2026, 3, 2, 1, tzinfo=UTC)  # 08:00 in Hanoi
    result = add_working_hours(cal, received, 2)
    assert result == vn(2026, 3, 2, 10)
    assert result.tzinfo == VN_TZ


# --- overrides ---


def test_swapped_saturday_counts() -> None:
    c = build_calendar(DEFAULT_HOURS, [2026], {date(2026, 3, 7): True})
    assert add_working_days(c, vn(2026, 3, 6, 8), 2) == vn(2026, 3, 7, 17)
    assert next_opening(c, vn(2026, 3, 6, 18)) == vn(2026, 3, 7, 8)


def test_working_override_on_holiday_counts() -> None:
    c = build_calendar(DEFAULT_HOURS, [2026], {date(2026, 2, 16): True})
    assert add_working_days(c, vn(2026, 2, 12, 9), 3) == vn(2026, 2, 23, 9)


def test_off_override_counts() -> None:
    c = build_calendar(DEFAULT_HOURS, [2026], {date(2026, 3, 4): False})
    assert add_working_days(c, vn(2026, 3, 2, 8), 5) == vn(2026, 3, 9, 17)
    assert working_time_between(c, vn(2026, 3, 2, 8), vn(2026, 3, 6, 17)) == timedelta(hours=32)


# --- custom sessions ---


def test_custom_sessions() -> None:
    c = build_calendar(CUSTOM_HOURS, [2026], {})
    assert add_working_days(c, vn(2026, 3, 2, 7, 30), 1) == vn(2026, 3, 2, 17)
    assert add_working_days(c, vn(2026, 3, 2, 7, 30), 2) == vn(2026, 3, 3, 17)
    assert add_working_hours(c, vn(2026, 3, 2, 7, 30), 4) == vn(2026, 3, 2, 11, 30)
    assert add_working_hours(c, vn(2026, 3, 2, 7, 30), 5) == vn(2026, 3, 2, 14, 30)
    assert next_opening(c, vn(2026, 3, 2, 12)) == vn(2026, 3, 2, 13, 30)
    assert add_working_days(c, vn(2026, 3, 2, 10), 1) == vn(2026, 3, 3, 10)


# --- working hours procedures ---


def test_working_hours_procedure(cal: WorkCalendar) -> None:
    # Friday 15:00 + 8 working hours: 2h Friday, then Monday 08-12 and 13-15.
    assert add_working_hours(cal, vn(2026, 3, 6, 15), 8) == vn(2026, 3, 9, 15)
    assert add_working_hours(cal, vn(2026, 3, 2, 10), 24) == vn(2026, 3, 5, 10)


def test_working_days_between(cal: WorkCalendar) -> None:
    assert working_days_between(cal, vn(2026, 3, 2, 8), vn(2026, 3, 6, 17)) == 5.0
    assert working_days_between(cal, vn(2026, 3, 2, 8), vn(2026, 3, 2, 12)) == 0.5
    assert working_time_between(cal, vn(2026, 3, 6, 17), vn(2026, 3, 2, 8)) == timedelta(0)


def test_thirty_working_days_is_fast(cal: WorkCalendar) -> None:
    # Skips Hung Kings (observed Mon Apr 27) and Apr 30 / May 1.
    assert add_working_days(cal, vn(2026, 3, 30, 8), 30) == vn(2026, 5, 13, 17)


# --- errors ---


def test_naive_datetimes_rejected(cal: WorkCalendar) -> None:
    naive = datetime(2026, 3, 2, 8)
    with pytest.raises(ValueError):
        next_opening(cal, naive)
    with pytest.raises(ValueError):
        add_working_days(cal, naive, 1)
    with pytest.raises(ValueError):
        working_time_between(cal, naive, vn(2026, 3, 3))
    with pytest.raises(ValueError):
        timeliness(naive, vn(2026, 3, 3))


def test_negative_amount_rejected(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        add_working_time(cal, vn(2026, 3, 2, 8), timedelta(minutes=-1))


def test_calendar_without_working_days_rejected() -> None:
    c = WorkCalendar(
        hours=WorkingHours(weekdays=frozenset()),
        days_off=frozenset(),
        extra_working_days=frozenset(),
    )
    with pytest.raises(ValueError):
        next_opening(c, vn(2026, 3, 2, 8))
    with pytest.raises(ValueError):
        add_working_days(c, vn(2026, 3, 2, 8), 1)
    assert working_time_between(c, vn(2026, 1, 1), vn(2027, 1, 1)) == timedelta(0)


# --- timeliness ---


def test_timeliness() -> None:
    due = vn(2026, 3, 6, 17)
    assert timeliness(vn(2026, 3, 5, 16), due) == "early"
    assert timeliness(vn(2026, 3, 5, 23, 59), due) == "early"
    assert timeliness(vn(2026, 3, 6, 8), due) == "on_time"
    assert timeliness(due, due) == "on_time"
    assert timeliness(vn(2026, 3, 9, 8), due) == "late"


def test_same_day_after_due_time_is_late() -> None:
    due = vn(2026, 2, 24, 9)
    assert timeliness(vn(2026, 2, 24, 9, 1), due) == "late"
    assert timeliness(vn(2026, 2, 24, 8, 59), due) == "on_time"


def test_timeliness_uses_local_dates() -> None:
    due = vn(2026, 3, 6, 9)
    # 2026-03-05 18:00 UTC is already 2026-03-06 01:00 in Hanoi: same local date.
    assert timeliness(datetime(2026, 3, 5, 18, tzinfo=UTC), due) == "on_time"
    assert timeliness(datetime(2026, 3, 5, 16, tzinfo=UTC), due) == "early"


# --- apology ---


def test_apology_is_judged_by_days_not_hours(cal: WorkCalendar) -> None:
    due = vn(2026, 3, 6, 9)  # Friday 09:00
    # Thursday is the last working day before the due day: in time at any hour of it,
    # even 17:30, less than one working hour before the due time.
    assert apology_is_timely(cal, vn(2026, 3, 5, 16, 59), due)
    assert apology_is_timely(cal, vn(2026, 3, 5, 17, 30), due)
    assert apology_is_timely(cal, vn(2026, 3, 4, 9), due)
    # On the due day itself it is tardy, even before opening.
    assert not apology_is_timely(cal, vn(2026, 3, 6, 7), due)
    assert not apology_is_timely(cal, vn(2026, 3, 6, 8, 1), due)


def test_apology_on_the_last_working_day_before_a_holiday_due(cal: WorkCalendar) -> None:
    # Due Mon 4 May 2026 (the 30/4 and 1/5 holidays fall on Thu and Fri): the last working
    # day before it is Wed 29 April, so a letter of that evening is in time and one of the
    # holiday or the weekend after it is not.
    due = vn(2026, 5, 4, 10)
    assert apology_is_timely(cal, vn(2026, 4, 29, 16, 30), due)
    assert not apology_is_timely(cal, vn(2026, 4, 30, 9), due)
    assert not apology_is_timely(cal, vn(2026, 5, 3, 9), due)


# --- Hypothesis properties ---

RANGE_START, RANGE_END = date(2025, 1, 1), date(2027, 12, 31)
MAX_MINUTES = 60 * 8 * 60

dates_in_range = st.dates(min_value=RANGE_START, max_value=RANGE_END)


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    hours = draw(st.sampled_from([DEFAULT_HOURS, CUSTOM_HOURS]))
    off = draw(st.frozensets(dates_in_range, max_size=40))
    extra = draw(st.frozensets(dates_in_range, max_size=20))
    return WorkCalendar(hours=hours, days_off=(VN_HOLIDAYS | off) - extra, extra_working_days=extra)


aware_datetimes = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2027, 6, 30),
    timezones=st.sampled_from([VN_TZ, UTC, ZoneInfo("Europe/Paris")]),
    allow_imaginary=False,
)
amounts = st.integers(min_value=0, max_value=MAX_MINUTES).map(lambda m: timedelta(minutes=m))
positive_amounts = st.integers(min_value=1, max_value=MAX_MINUTES).map(
    lambda m: timedelta(minutes=m)
)

PROPS = settings(max_examples=60, deadline=None)


def _in_session_or_at_end(cal: WorkCalendar, t: datetime) -> bool:
    clock = t.time()
    return any(start <= clock <= end for start, end in cal.hours.sessions)


@PROPS
@given(calendars(), aware_datetimes, amounts)
def test_prop_between_inverts_add(cal: WorkCalendar, start: datetime, amount: timedelta) -> None:
    assert working_time_between(cal, start, add_working_time(cal, start, amount)) == amount


@PROPS
@given(calendars(), aware_datetimes, amounts)
def test_prop_a_walk_traces_the_count_it_rides_along(
    cal: WorkCalendar, start: datetime, amount: timedelta
) -> None:
    walk = Walk()
    due = add_working_time(cal, start, amount, walk)
    assert due == add_working_time(cal, start, amount)
    assert walk.start == next_opening(cal, start)
    assert walk.total == amount
    assert all(cal.is_working_day(d) for d in walk.counted)
    assert not any(cal.is_working_day(d) for d in walk.skipped)
    # Every day off from the start's day to the due day's is named as skipped.
    d = start.astimezone(cal.tz).date()
    while d <= due.astimezone(cal.tz).date():
        assert cal.is_working_day(d) or d in walk.skipped
        d += timedelta(days=1)


@PROPS
@given(calendars(), aware_datetimes, amounts, amounts)
def test_prop_add_is_monotonic(
    cal: WorkCalendar, start: datetime, a: timedelta, b: timedelta
) -> None:
    a, b = min(a, b), max(a, b)
    assert add_working_time(cal, start, a) <= add_working_time(cal, start, b)


@PROPS
@given(calendars(), aware_datetimes, amounts)
def test_prop_result_lands_in_working_time(
    cal: WorkCalendar, start: datetime, amount: timedelta
) -> None:
    result = add_working_time(cal, start, amount)
    assert result.tzinfo == cal.tz
    assert result >= start
    assert cal.is_working_day(result.date())
    assert _in_session_or_at_end(cal, result)


@PROPS
@given(calendars(), aware_datetimes, positive_amounts, positive_amounts)
def test_prop_add_is_associative(
    cal: WorkCalendar, start: datetime, a: timedelta, b: timedelta
) -> None:
    # b > 0 too: adding zero to a closing-time result would jump to the next opening.
    assert add_working_time(cal, add_working_time(cal, start, a), b) == add_working_time(
        cal, start, a + b
    )


@PROPS
@given(calendars(), aware_datetimes, aware_datetimes, aware_datetimes)
def test_prop_between_is_additive(cal: WorkCalendar, x: datetime, y: datetime, z: datetime) -> None:
    a, b, c = sorted((x, y, z))
    total = working_time_between(cal, a, c)
    assert total == working_time_between(cal, a, b) + working_time_between(cal, b, c)
    assert timedelta(0) <= total


@PROPS
@given(calendars(), aware_datetimes, st.integers(min_value=0, max_value=60))
def test_prop_working_days_round_trip(cal: WorkCalendar, start: datetime, days: int) -> None:
    due = add_working_days(cal, start, days)
    assert working_days_between(cal, start, due) == days


# --- the package's national data: swapped Saturdays and the days off they pay for ---


def test_a_swapped_saturday_from_the_package_is_a_working_day(cal: WorkCalendar) -> None:
    # Mon 2024-04-29 is off because Sat 2024-05-04 is worked.
    swapped = build_calendar(DEFAULT_HOURS, range(2024, 2025), {})
    assert not swapped.is_working_day(date(2024, 4, 29))
    assert swapped.is_working_day(date(2024, 5, 4))
    assert add_working_days(swapped, vn(2024, 5, 3, 14), 1) == vn(2024, 5, 4, 14)
    assert cal.is_working_day(date(2026, 8, 22)) and not cal.is_working_day(date(2026, 8, 31))


def test_the_defaults_take_swaps_from_one_year_either_side_and_no_further() -> None:
    # 2018's data names Sat 2019-01-05, worked for Mon 2018-12-31: a 2019 calendar needs it.
    worked = {d for d, working in national_defaults([2019]).items() if working}
    assert worked == {date(2019, 1, 5), date(2019, 5, 4)}
    # 2015's swaps are two years before 2017 and 2019's two years after it.
    assert {d for d, working in national_defaults([2017]).items() if working} == {
        date(2019, 1, 5)}
    assert {d for d, working in national_defaults([2016]).items() if working} == {
        date(2014, 12, 27), date(2015, 2, 14), date(2015, 4, 25)}
    assert national_defaults([]) == {}


def test_an_override_beats_the_package_swap() -> None:
    off = build_calendar(DEFAULT_HOURS, range(2024, 2025), {date(2024, 5, 4): False})
    assert not off.is_working_day(date(2024, 5, 4))


def test_every_package_swap_is_parsed_and_matches_its_own_workday_list() -> None:
    # If the package renames its swaps, parsing fails here (or raises) instead of silently
    # dropping working Saturdays; the package's own list of weekend workdays is the check.
    import holidays

    years = range(2000, 2100)
    package = holidays.country_holidays("VN", years=years)
    assert set(national_working_days(years)) == set(package.weekend_workdays)
    assert {d.year for d in national_working_days(years)} >= {2024, 2025, 2026}


def test_a_substitution_the_parser_does_not_know_fails_loudly() -> None:
    assert swapped_saturday("Day off (substituted from 05/04/2024)") == date(2024, 5, 4)
    assert swapped_saturday("National Day") is None
    with pytest.raises(ValueError, match="unrecognised substituted"):
        swapped_saturday("Day off (substituted from 4 May 2024)")


def test_vietnam_cultural_day_is_off_from_2026() -> None:
    assert national_holidays([2026])[date(2026, 11, 24)] == "Vietnam Cultural Day"
    assert date(2025, 11, 24) not in national_holidays([2025])


def test_a_swap_across_the_new_year_is_seen_from_the_following_year() -> None:
    # 2018-12-31 was taken off for Sat 2019-01-05, listed under 2018 by the package.
    assert build_calendar(DEFAULT_HOURS, [2019], {}).is_working_day(date(2019, 1, 5))


class _NoOffset(tzinfo):
    """A time zone that knows no offset: such a datetime is naive, whatever its tzinfo."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


def test_a_datetime_without_an_offset_is_refused_even_with_a_tzinfo(cal: WorkCalendar) -> None:
    for t in (datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 9, tzinfo=_NoOffset())):
        with pytest.raises(ValueError) as err:
            next_opening(cal, t)
        assert str(err.value) == f"datetime must be timezone-aware: {t!r}"


def test_negative_amounts_and_processing_times_of_no_kind_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError) as err:
        add_working_time(cal, vn(2026, 3, 2, 9), timedelta(minutes=-1))
    assert str(err.value) == "amount must be non-negative, got -1 day, 23:59:00"
    with pytest.raises(ValueError) as err:
        add_calendar_days(cal, vn(2026, 3, 2, 9), -1)
    assert str(err.value) == "days must be non-negative, got -1"
    with pytest.raises(ValueError) as err:
        ProcessingTime(days=1, hours=2)
    assert str(err.value) == "exactly one kind of processing time must be set"


NEVER = WorkCalendar(hours=WorkingHours(weekdays=frozenset()), days_off=frozenset(),
                     extra_working_days=frozenset({date(2026, 3, 2)}))


def test_a_calendar_without_working_days_gives_up_after_ten_years_saying_where() -> None:
    # One working day, 2 March 2026, then none: the count gives up on the 3,661st idle day.
    with pytest.raises(ValueError) as err:
        add_working_time(NEVER, vn(2026, 3, 2, 8), timedelta(hours=9))
    assert str(err.value) == "no working day found within 3660 days of 2036-03-10"
    for after_closing in (vn(2026, 3, 2, 18), vn(2026, 3, 3, 9)):
        with pytest.raises(ValueError) as err:
            next_opening(NEVER, after_closing)
        assert str(err.value) == "no working day found within 3660 days of 2036-03-10"
    with pytest.raises(ValueError) as err:
        closing_on_or_after(NEVER, date(2026, 3, 3))
    assert str(err.value) == "no working day found within 3660 days of 2036-03-10"
    assert closing_on_or_after(NEVER, date(2026, 3, 2)) == vn(2026, 3, 2, 17)
    with pytest.raises(ValueError) as err:
        apology_is_timely(NEVER, vn(2026, 3, 1, 9), vn(2026, 3, 2, 9))
    assert str(err.value) == "no working day found within 3660 days before 2026-03-02"


def test_the_walk_of_a_calendar_or_same_day_deadline_notes_the_days_off_it_passes(
        cal: WorkCalendar) -> None:
    walk = Walk()
    # Five calendar days from Monday 2 March end on Saturday 7 March: closing on Monday 9th.
    assert add_calendar_days(cal, vn(2026, 3, 2, 9), 5, walk) == vn(2026, 3, 9, 17)
    assert (walk.start, walk.skipped) == (vn(2026, 3, 2, 9), [date(2026, 3, 7), date(2026, 3, 8)])
    walk = Walk()
    # Friday after the cut-off: Monday's closing, across the weekend.
    assert same_day_due(cal, vn(2026, 3, 6, 16), time(15), walk) == vn(2026, 3, 9, 17)
    assert walk.skipped == [date(2026, 3, 7), date(2026, 3, 8)]
    walk = Walk()
    # Saturday before the cut-off hour: the work starts Monday morning, due that evening.
    assert same_day_due(cal, vn(2026, 3, 7, 9), time(15), walk) == vn(2026, 3, 9, 17)
    assert walk.skipped == [date(2026, 3, 7), date(2026, 3, 8)]


def test_a_pause_window_is_traced_where_one_is_given(cal: WorkCalendar) -> None:
    window, extension = Walk(), Walk()
    due = extend_for_pause(cal, vn(2026, 3, 6, 17), vn(2026, 3, 5, 16), vn(2026, 3, 6, 9),
                           window, extension)
    assert due == vn(2026, 3, 9, 10)
    assert window.counted == {date(2026, 3, 5): timedelta(hours=1),
                              date(2026, 3, 6): timedelta(hours=1)}
    assert extension.counted == {date(2026, 3, 9): timedelta(hours=2)}


def test_a_walk_between_two_instants_starts_at_the_first_and_skips_only_inside() -> None:
    cal = build_calendar(DEFAULT_HOURS, YEARS, {})
    walk = Walk()
    assert working_time_between(cal, vn(2026, 3, 7, 9), vn(2026, 3, 7, 9), walk) == timedelta(0)
    assert (walk.start, walk.skipped, walk.counted) == (vn(2026, 3, 7, 9), [], {})
    walk = Walk()
    working_time_between(cal, vn(2026, 3, 6, 16), vn(2026, 3, 9, 9), walk)
    assert (walk.start, walk.skipped) == (vn(2026, 3, 6, 16), [date(2026, 3, 7), date(2026, 3, 8)])
    # Nothing counted is noted as nothing, not as a zero.
    walk.count(date(2026, 3, 10), timedelta(0))
    assert date(2026, 3, 10) not in walk.counted


def test_early_is_judged_on_the_local_dates_of_both_instants() -> None:
    # Due at 06:00 on 7 March in Vietnam, which is still 6 March in UTC.
    assert timeliness(vn(2026, 3, 6, 10), vn(2026, 3, 7, 6)) == "early"
    assert timeliness(vn(2026, 3, 7, 5), vn(2026, 3, 7, 6)) == "on_time"
