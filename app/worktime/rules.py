"""Working-time rules for dossier deadlines (pure functions, no I/O, no clock reads).

Deadlines are counted in working time: the sum of the unit's working sessions on
working days. A working day is a configured weekday that is not a day off, unless
an explicit working-day override says otherwise (overrides beat holidays and weekends).
A procedure's processing time (working days or hours, calendar days, same day) turns a
receipt into its appointment on such a calendar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from importlib.metadata import version
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

from app.core.clock import VN_TZ

Timeliness = Literal["early", "on_time", "late"]

# Ten years without a single working day means the calendar is broken; stop
# instead of looping forever.
_MAX_IDLE_DAYS = 3660

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)


@dataclass(frozen=True)
class WorkingHours:
    """Daily working sessions and the weekdays on which they apply (Monday=0)."""

    sessions: tuple[tuple[time, time], ...] = ((time(8), time(12)), (time(13), time(17)))
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})

    def __post_init__(self) -> None:
        if not self.sessions:
            raise ValueError("at least one working session is required")
        previous_end: time | None = None
        for start, end in self.sessions:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("session times must be naive local times")
            if start >= end:
                raise ValueError(f"session start {start} must be before its end {end}")
            if previous_end is not None and start < previous_end:
                raise ValueError("sessions must be sorted and non-overlapping")
            previous_end = end
        if not self.weekdays <= set(range(7)):
            raise ValueError("weekdays must be integers 0 (Monday) .. 6 (Sunday)")

    @property
    def day_length(self) -> timedelta:
        """Total working time of one working day."""
        ref = date(2000, 1, 1)  # any date: sessions never span midnight
        return sum(
            (
                datetime.combine(ref, end) - datetime.combine(ref, start)
                for start, end in self.sessions
            ),
            _ZERO,
        )


@dataclass(frozen=True)
class WorkCalendar:
    """Working hours plus the dates that deviate from the weekly pattern."""

    hours: WorkingHours
    days_off: frozenset[date]
    extra_working_days: frozenset[date]
    tz: ZoneInfo = VN_TZ

    def is_working_day(self, d: date) -> bool:
        """True if sessions are held on date d (working overrides win over days off)."""
        if d in self.extra_working_days:
            return True
        if d in self.days_off:
            return False
        return d.weekday() in self.hours.weekdays


PACKAGE = "holidays"
PACKAGE_VERSION = version(PACKAGE)
# How the package names a bridge day off in English: the date is the Saturday worked for it,
# written with the package's US-style format.
_SUBSTITUTED = re.compile(r"Day off \(substituted from (?P<day>\d{2}/\d{2}/\d{4})\)")
_SUBSTITUTED_FORMAT = "%m/%d/%Y"


@dataclass(frozen=True)
class NationalYear:
    """One year of the package's data: days off, and Saturdays worked in exchange for one."""

    days_off: Mapping[date, str]
    working_days: Mapping[date, str]


def swapped_saturday(name: str) -> date | None:
    """The day worked in exchange for the day off so named, None if it is no swap.

    A name that mentions a substitution but does not parse raises: a silent miss would
    drop a working Saturday from every deadline across it.
    """
    if "substituted" not in name.lower():
        return None
    match = _SUBSTITUTED.fullmatch(name)
    if match is None:
        raise ValueError(f"unrecognised substituted day off in the holidays package: {name!r}")
    return datetime.strptime(match["day"], _SUBSTITUTED_FORMAT).date()


@lru_cache(maxsize=256)
def national_year(year: int) -> NationalYear:
    """The package's days off of a year and the swapped working days they name."""
    # The holidays package takes milliseconds per year; every receipt needs three years.
    off = dict(holidays.country_holidays("VN", years=year).items())
    working = {
        worked: f"Working day in exchange for the day off on {day.isoformat()}"
        for day, name in off.items() if (worked := swapped_saturday(name)) is not None
    }
    return NationalYear(days_off=off, working_days=working)


def national_holidays(years: Iterable[int]) -> dict[date, str]:
    """Vietnamese public holidays for the given years, date -> name."""
    found: dict[date, str] = {}
    for year in years:
        found.update(national_year(year).days_off)
    return found


def national_working_days(years: Iterable[int]) -> dict[date, str]:
    """Weekend days worked in exchange for a bridge day off, listed under the given years."""
    found: dict[date, str] = {}
    for year in years:
        found.update(national_year(year).working_days)
    return found


def national_defaults(years: Iterable[int]) -> dict[date, bool]:
    """The package's exceptional days: False = day off, True = swapped working day."""
    years = list(years)
    # A swap may cross a year's end (2018-12-31 off for 2019-01-05 worked): look one year out.
    around = range(min(years) - 1, max(years) + 2) if years else range(0)
    return dict.fromkeys(national_holidays(years), False) | dict.fromkeys(
        national_working_days(around), True)


def build_calendar(
    hours: WorkingHours, years: Iterable[int], overrides: Mapping[date, bool]
) -> WorkCalendar:
    """National defaults (holidays, swapped Saturdays) with per-date overrides on top
    (True = working, False = off)."""
    status = national_defaults(years) | dict(overrides)
    extra = frozenset(d for d, working in status.items() if working)
    off = frozenset(d for d, working in status.items() if not working)
    return WorkCalendar(hours=hours, days_off=off, extra_working_days=extra)


@dataclass
class Walk:
    """What one computation over the calendar went through, for a deadline that explains
    itself: where it started, the working time it counted on each day, and the days it passed
    over because no session is held on them.

    The functions below fill a walk when given one and compute exactly as without it: the
    explanation is a trace of the computation, never a second one.
    """

    start: datetime | None = None
    counted: dict[date, timedelta] = field(default_factory=dict)
    skipped: list[date] = field(default_factory=list)

    def begin(self, at: datetime) -> None:
        """Note the instant the count starts (the first one, if called again)."""
        if self.start is None:
            self.start = at

    def count(self, d: date, amount: timedelta) -> None:
        """Note working time counted on a day."""
        if amount > _ZERO:
            self.counted[d] = self.counted.get(d, _ZERO) + amount

    def skip(self, d: date) -> None:
        """Note a day passed over (no session held)."""
        if d not in self.skipped:
            self.skipped.append(d)

    @property
    def total(self) -> timedelta:
        """All the working time counted."""
        return sum(self.counted.values(), _ZERO)


def _require_aware(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"datetime must be timezone-aware: {t!r}")
    return t


def _local(cal: WorkCalendar, t: datetime) -> datetime:
    return _require_aware(t).astimezone(cal.tz)


def _day_sessions(cal: WorkCalendar, d: date) -> list[tuple[datetime, datetime]]:
    if not cal.is_working_day(d):
        return []
    return [
        (datetime.combine(d, start, tzinfo=cal.tz), datetime.combine(d, end, tzinfo=cal.tz))
        for start, end in cal.hours.sessions
    ]


def _sessions_from(
    cal: WorkCalendar, d: date, walk: Walk | None = None
) -> Iterator[tuple[datetime, datetime]]:
    """Yield every session from date d onwards, in order."""
    idle = 0
    while True:
        sessions = _day_sessions(cal, d)
        if sessions:
            idle = 0
            yield from sessions
        else:
            if walk is not None:
                walk.skip(d)
            idle += 1
            if idle > _MAX_IDLE_DAYS:
                raise ValueError(f"no working day found within {_MAX_IDLE_DAYS} days of {d}")
        d += _ONE_DAY


def next_opening(cal: WorkCalendar, t: datetime, walk: Walk | None = None) -> datetime:
    """t if inside a session (start inclusive, end exclusive), else the next session start."""
    t = _local(cal, t)
    for start, end in _sessions_from(cal, t.date(), walk):
        if t < end:
            opening = max(start, t)
            if walk is not None:
                walk.begin(opening)
            return opening
    raise AssertionError("unreachable: _sessions_from is infinite")


def add_working_time(
    cal: WorkCalendar, start: datetime, amount: timedelta, walk: Walk | None = None
) -> datetime:
    """Instant at which `amount` of working time has elapsed after `start`."""
    if amount < _ZERO:
        raise ValueError(f"amount must be non-negative, got {amount}")
    cur = next_opening(cal, start, walk)
    if amount == _ZERO:
        return cur
    remaining = amount
    for session_start, session_end in _sessions_from(cal, cur.date(), walk):
        begin = max(session_start, cur)
        if begin >= session_end:
            continue
        available = session_end - begin
        # `<=` so that time consumed exactly at closing ends at the closing time,
        # not at the next morning's opening.
        if remaining <= available:
            if walk is not None:
                walk.count(begin.date(), remaining)
            return begin + remaining
        remaining -= available
        if walk is not None:
            walk.count(begin.date(), available)
    raise AssertionError("unreachable: _sessions_from is infinite")


def closing_on_or_after(cal: WorkCalendar, d: date, walk: Walk | None = None) -> datetime:
    """Closing time (end of the last session) of the first working day on or after d."""
    idle = 0
    while not cal.is_working_day(d):
        if walk is not None:
            walk.skip(d)
        idle += 1
        if idle > _MAX_IDLE_DAYS:
            raise ValueError(f"no working day found within {_MAX_IDLE_DAYS} days of {d}")
        d += _ONE_DAY
    return datetime.combine(d, cal.hours.sessions[-1][1], tzinfo=cal.tz)


def add_calendar_days(
    cal: WorkCalendar, start: datetime, days: int, walk: Walk | None = None
) -> datetime:
    """Closing of the day `days` calendar days after the opening-rule start; a day off moves
    it to the closing of the next working day."""
    if days < 0:
        raise ValueError(f"days must be non-negative, got {days}")
    begin = next_opening(cal, start, walk)
    return closing_on_or_after(cal, begin.date() + timedelta(days=days), walk)


def same_day_due(
    cal: WorkCalendar, start: datetime, cutoff: time, walk: Walk | None = None
) -> datetime:
    """Closing of the start's working day if work starts before `cutoff`, else of the next.

    The start follows the opening rule, so a receipt after closing or on a day off starts the
    next working morning, before any cut-off inside working hours.
    """
    begin = next_opening(cal, start, walk)
    if begin.timetz().replace(tzinfo=None) < cutoff:
        return closing_on_or_after(cal, begin.date(), walk)
    return closing_on_or_after(cal, begin.date() + _ONE_DAY, walk)


def within_working_hours(hours: WorkingHours, at: time) -> bool:
    """True if a clock time falls inside a session (after its start, up to its end)."""
    return any(start < at <= end for start, end in hours.sessions)


def working_time_between(
    cal: WorkCalendar, start: datetime, end: datetime, walk: Walk | None = None
) -> timedelta:
    """Working time elapsed in [start, end]; zero if end <= start."""
    start, end = _local(cal, start), _local(cal, end)
    total = _ZERO
    d = start.date()
    if walk is not None:
        walk.begin(start)
    # Bounded by the dates themselves, so no idle-day guard is needed here.
    while d <= end.date():
        sessions = _day_sessions(cal, d)
        if not sessions and walk is not None and start < end:
            walk.skip(d)
        for session_start, session_end in sessions:
            overlap = min(session_end, end) - max(session_start, start)
            if overlap > _ZERO:
                total += overlap
                if walk is not None:
                    walk.count(d, overlap)
        d += _ONE_DAY
    return total


def add_working_days(cal: WorkCalendar, start: datetime, days: int) -> datetime:
    """Due instant `days` working days (each one full day_length) after `start`."""
    return add_working_time(cal, start, days * cal.hours.day_length)


def add_working_hours(cal: WorkCalendar, start: datetime, hours: int) -> datetime:
    """Due instant `hours` working hours after `start`."""
    return add_working_time(cal, start, timedelta(hours=hours))


def working_days_between(cal: WorkCalendar, start: datetime, end: datetime) -> float:
    """Working time between two instants expressed in working days."""
    return working_time_between(cal, start, end) / cal.hours.day_length


def extend_for_pause(
    cal: WorkCalendar, due_at: datetime, pause_start: datetime, pause_end: datetime,
    window: Walk | None = None, extension: Walk | None = None,
) -> datetime:
    """Due instant moved later by the working time spent in a pause (`window` traces the
    pause's own working time, `extension` what moving the due instant counted)."""
    paused = working_time_between(cal, pause_start, pause_end, window)
    # A pause with no working time must not move a closing-time deadline to the next opening.
    if paused == _ZERO:
        return _local(cal, due_at)
    return add_working_time(cal, due_at, paused, extension)


def timeliness(resolved_at: datetime, due_at: datetime, tz: ZoneInfo = VN_TZ) -> Timeliness:
    """early: earlier local date; on_time: same local date and not after due; late: after due."""
    resolved_at, due_at = _require_aware(resolved_at), _require_aware(due_at)
    if resolved_at > due_at:
        return "late"
    if resolved_at.astimezone(tz).date() < due_at.astimezone(tz).date():
        return "early"
    return "on_time"


def apology_is_timely(cal: WorkCalendar, issued_at: datetime, due_at: datetime) -> bool:
    """True if issued on or before the last working day before the due day, whatever the hours.

    The rule counts days ("at the latest one working day before the appointment"): a letter of
    the last working day before the due day is in time even at closing; one of a day off after
    that working day, or of the due day itself, is not.
    """
    issued, due = _local(cal, issued_at).date(), _local(cal, due_at).date()
    last = due - _ONE_DAY
    for _ in range(_MAX_IDLE_DAYS):
        if cal.is_working_day(last):
            return issued <= last
        last -= _ONE_DAY
    raise ValueError(f"no working day found within {_MAX_IDLE_DAYS} days before {due}")


TimeKind = Literal["working_days", "working_hours", "calendar_days", "same_day"]
TIME_KINDS: tuple[TimeKind, ...] = ("working_days", "working_hours", "calendar_days", "same_day")
# Same-day procedures (certification, chứng thực) take dossiers until 15:00 unless set otherwise.
DEFAULT_CUTOFF = time(15)


@dataclass(frozen=True)
class ProcessingTime:
    """Legal processing time: exactly one kind set (same_day is set by its cut-off)."""

    days: int | None = None
    hours: int | None = None
    calendar_days: int | None = None
    cutoff: time | None = None

    def __post_init__(self) -> None:
        given = (self.days, self.hours, self.calendar_days, self.cutoff)
        if sum(v is not None for v in given) != 1:
            raise ValueError("exactly one kind of processing time must be set")

    @property
    def kind(self) -> TimeKind:
        """Which of the four kinds this is."""
        if self.days is not None:
            return "working_days"
        if self.hours is not None:
            return "working_hours"
        if self.calendar_days is not None:
            return "calendar_days"
        return "same_day"

    def amount(self, cal: WorkCalendar) -> timedelta:
        """The working time it stands for on this calendar (working days or hours only)."""
        if self.days is not None:
            return self.days * cal.hours.day_length
        if self.hours is not None:
            return timedelta(hours=self.hours)
        raise ValueError(f"a {self.kind} processing time is not an amount of working time")

    def due(self, cal: WorkCalendar, received_at: datetime, walk: Walk | None = None
            ) -> datetime:
        """The appointment for a dossier received at `received_at` (`walk` traces it)."""
        if self.calendar_days is not None:
            return add_calendar_days(cal, received_at, self.calendar_days, walk)
        if self.cutoff is not None:
            return same_day_due(cal, received_at, self.cutoff, walk)
        return add_working_time(cal, received_at, self.amount(cal), walk)
