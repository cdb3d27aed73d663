"""Loading a unit's working calendar: national holidays, overrides, working hours."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.audit.service import record
from app.auth.models import ApiKey
from app.auth.rules import Principal
from app.calendar import stamp
from app.calendar.models import NATIONAL, CalendarOverride
from app.calendar.schemas import (
    CalendarDay,
    CalendarDays,
    CalendarYear,
    DaySource,
    DayStatus,
    OverrideIn,
    OverrideOut,
)
from app.catalog.models import Unit
from app.catalog.schemas import WorkingHoursIn
from app.catalog.service import get_unit, working_hours_of
from app.core.problems import NotFound
from app.worktime.rules import (
    PACKAGE,
    PACKAGE_VERSION,
    WorkCalendar,
    WorkingHours,
    build_calendar,
    national_holidays,
    national_working_days,
)


def _scopes(unit: Unit | None) -> list[str]:
    """National first, then the unit's ancestors down to the unit: the nearest scope wins."""
    if unit is None:
        return [NATIONAL]
    return [NATIONAL, *[c for c in unit.path.strip("/").split("/") if c]]


def _overrides(
    session: Session, unit: Unit | None, first: date, last: date
) -> dict[date, CalendarOverride]:
    scopes = _scopes(unit)
    rank = {s: i for i, s in enumerate(scopes)}
    rows = session.scalars(
        select(CalendarOverride).where(
            CalendarOverride.scope.in_(scopes), CalendarOverride.day.between(first, last)
        )
    )
    chosen: dict[date, CalendarOverride] = {}
    for row in sorted(rows, key=lambda r: rank[r.scope]):
        chosen[row.day] = row
    return chosen


# Calendars by unit and span of years, shared by the process's transactions under the stamp
# that every change to a calendar's inputs replaces (app/calendar/stamp.py): one small read
# per transaction instead of two queries and a rebuild per unit. Without a stamp row, each
# transaction keeps its own.
CalendarKey = tuple[str, str, int, int]
_SHARED_LIMIT = 4096
_shared: dict[str, dict[CalendarKey, WorkCalendar]] = {}


def _cache_of(session: Session) -> dict[CalendarKey, WorkCalendar]:
    transaction = session.get_transaction()
    entry: tuple[object, dict[CalendarKey, WorkCalendar]] | None = session.info.get(
        stamp.TRANSACTION_CACHE)
    if entry is None or transaction is None or entry[0] is not transaction:
        token = stamp.current(session)
        shared = _shared.get(token) if token is not None else None
        if shared is None or len(shared) > _SHARED_LIMIT:
            shared = {}
            if token is not None:
                # Only the newest stamp is worth keeping; older ones will not be read again.
                _shared.clear()
                _shared[token] = shared
        entry = (transaction, shared)
        session.info[stamp.TRANSACTION_CACHE] = entry
    return entry[1]


def calendar_for(
    session: Session, unit: Unit, start: datetime, end: datetime | None = None
) -> WorkCalendar:
    """The unit's calendar from the year before `start` to two years after `end`."""
    years = range(start.year - 1, (end or start).year + 3)
    cache = _cache_of(session)
    key = (unit.code, unit.path, years.start, years.stop)
    calendar = cache.get(key)
    if calendar is None:
        overrides = _overrides(session, unit, date(years[0], 1, 1), date(years[-1], 12, 31))
        calendar = build_calendar(
            working_hours_of(session, unit), years, {d: o.working for d, o in overrides.items()}
        )
        cache[key] = calendar
    return calendar


def calendar_year(session: Session, unit_code: str | None, year: int) -> CalendarYear:
    """Every exceptional day of a year for a unit (or nationally), with the working hours."""
    unit = get_unit(session, unit_code) if unit_code else None
    overrides = _overrides(session, unit, date(year, 1, 1), date(year, 12, 31))
    days = {
        d: CalendarDay(date=d, working=False, source="holiday", note=name)
        for d, name in national_holidays([year]).items()
    } | {
        d: CalendarDay(date=d, working=True, source="holiday", note=name)
        for d, name in national_working_days(range(year - 1, year + 2)).items() if d.year == year
    }
    for d, o in overrides.items():
        source = "national_override" if o.scope == NATIONAL else "unit_override"
        days[d] = CalendarDay(date=d, working=o.working, source=source, note=o.note)
    hours = working_hours_of(session, unit) if unit else WorkingHours()
    return CalendarYear(
        year=year, unit=unit_code,
        working_hours=WorkingHoursIn(sessions=list(hours.sessions),
                                     weekdays=sorted(hours.weekdays)),
        days=[days[d] for d in sorted(days)],
    )


def _entity_id(scope: str, day: date) -> str:
    return f"{scope}:{day.isoformat()}"


def _last_set(session: Session, overrides: list[CalendarOverride]
              ) -> dict[str, tuple[AuditEntry, str | None]]:
    """The latest "set" entry of each override's audit trail, with its key's name."""
    ids = [_entity_id(o.scope, o.day) for o in overrides]
    if not ids:
        return {}
    rows = session.execute(
        select(AuditEntry, ApiKey.name)
        .outerjoin(ApiKey, ApiKey.id == AuditEntry.key_id)
        .where(AuditEntry.entity == "calendar_override", AuditEntry.action == "set",
               AuditEntry.entity_id.in_(ids))
        .order_by(AuditEntry.id)
    )
    return {entry.entity_id: (entry, name) for entry, name in rows}


def _override_source(o: CalendarOverride, trail: tuple[AuditEntry, str | None] | None
                     ) -> DaySource:
    entry, key_name = trail if trail else (None, None)
    return DaySource(
        kind="national_override" if o.scope == NATIONAL else "unit_override", scope=o.scope,
        reason=o.note, set_at=entry.at if entry else None,
        set_by_key_id=entry.key_id if entry else None, set_by_key_name=key_name,
    )


def calendar_days(session: Session, unit_code: str | None, first: date, last: date
                  ) -> CalendarDays:
    """Each day of [first, last]: working or not, its sessions, and where that comes from."""
    unit = get_unit(session, unit_code) if unit_code else None
    hours = working_hours_of(session, unit) if unit else WorkingHours()
    years = range(first.year, last.year + 1)
    cal = build_calendar(hours, years, {})
    overrides = _overrides(session, unit, first, last)
    trails = _last_set(session, list(overrides.values()))
    holidays = national_holidays(years)
    swaps = national_working_days(range(first.year - 1, last.year + 2))
    days: list[DayStatus] = []
    day = first
    while day <= last:
        override = overrides.get(day)
        if override is not None:
            working = override.working
            source = _override_source(override, trails.get(_entity_id(override.scope, day)))
        else:
            working = cal.is_working_day(day)
            name = swaps.get(day) or holidays.get(day)
            source = (DaySource(kind="package", package=PACKAGE, package_version=PACKAGE_VERSION,
                                name=name) if name else DaySource(kind="weekly_pattern"))
        days.append(DayStatus(date=day, working=working,
                              sessions=list(hours.sessions) if working else [], source=source))
        day += timedelta(days=1)
    return CalendarDays(unit=unit_code, from_=first, to=last, days=days)


def set_override(
    session: Session, who: Principal, day: date, unit_code: str | None, body: OverrideIn,
    now: datetime,
) -> OverrideOut:
    """Declare a day off or a working day, nationally or for a unit's subtree."""
    scope = get_unit(session, unit_code).code if unit_code else NATIONAL
    row = session.get(CalendarOverride, (scope, day))
    old = {"working": row.working, "note": row.note} if row else None
    if row is None:
        row = CalendarOverride(scope=scope, day=day, working=body.working, note=body.note)
        session.add(row)
    else:
        row.working, row.note = body.working, body.note
    session.flush()
    stamp.calendars_changed(session)
    record(session, who, now, "set", "calendar_override", _entity_id(scope, day), old,
           {"working": body.working, "note": body.note})
    return OverrideOut(date=day, unit=unit_code, working=body.working, note=body.note)


def delete_override(
    session: Session, who: Principal, day: date, unit_code: str | None, now: datetime
) -> None:
    """Remove an override; the day falls back to holidays and the weekly pattern."""
    scope = get_unit(session, unit_code).code if unit_code else NATIONAL
    row = session.get(CalendarOverride, (scope, day))
    if row is None:
        raise NotFound(f"No override on {day.isoformat()} for scope '{scope}'.",
                       code="override_not_found")
    old = {"working": row.working, "note": row.note}
    session.delete(row)
    session.flush()
    stamp.calendars_changed(session)
    record(session, who, now, "delete", "calendar_override", _entity_id(scope, day), old,
           None)
