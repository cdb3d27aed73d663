"""Calendar endpoints: a year's calendar, overrides, and due-time computation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from app.auth.dependencies import Admin, Reader
from app.calendar import service
from app.calendar.changes import DayOverridden
from app.calendar.schemas import CalendarDays, CalendarYear, DueOut, OverrideIn, OverrideOut
from app.catalog.service import get_unit
from app.core.changes import publish
from app.core.deps import Now, ReadSession, WriteSession
from app.core.examples import UNIT_EXAMPLE
from app.core.openapi import problems
from app.core.params import CODE_LENGTH
from app.core.problems import InvalidParam, Unprocessable
from app.core.timefmt import Day, Instant, Year
from app.worktime.rules import ProcessingTime, add_working_time, next_opening

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar (lịch làm việc)"])
# An empty `?unit=` is a 422, never read as "national": that must be asked for explicitly.
UnitQuery = Annotated[str | None, Query(min_length=1, max_length=40, examples=[UNIT_EXAMPLE],
                                        description="Unit code; omit for the national calendar")]
OverrideUnit = Annotated[str, Query(min_length=1, max_length=40, examples=[UNIT_EXAMPLE],
                                    description=(
    "The unit whose calendar (and subtree's) the override changes; national overrides go "
    "to /calendar/national-overrides/{day}"))]
OverrideDay = Annotated[Day, Path(description="The day declared off or working (ngày nghỉ, "
                                              "ngày làm bù)", examples=["2026-05-02"])]


@router.get("/due", summary="Compute a due date in working time", response_model=DueOut,
            responses=problems("one_time_unit", "unit_not_found"))
def due(
    session: ReadSession, _who: Reader,
    unit: Annotated[str, Query(min_length=1, max_length=CODE_LENGTH, examples=[UNIT_EXAMPLE],
                               description="Unit code (mã đơn vị) whose calendar counts")],
    start: Annotated[Instant, Query(
        description="When the processing time starts, e.g. the receipt, with its offset",
        examples=["2026-03-02T08:00:00+07:00"])],
    working_days: Annotated[int | None, Query(
        ge=1, le=365, description="The processing time in working days (ngày làm việc), "
        "1-365; or give working_hours", examples=[5])] = None,
    working_hours: Annotated[int | None, Query(
        ge=1, le=2000, description="The processing time in working hours, 1-2000; or give "
        "working_days", examples=[8])] = None,
) -> DueOut:
    """When a processing time started at `start` falls due (hạn giải quyết) at a unit."""
    if (working_days is None) == (working_hours is None):
        raise Unprocessable(
            "Give exactly one of working_days or working_hours.", code="one_time_unit",
            invalid_params=[InvalidParam("working_days", "exactly_one", "or working_hours")],
        )
    cal = service.calendar_for(session, get_unit(session, unit), start)
    amount = ProcessingTime(days=working_days, hours=working_hours).amount(cal)
    return DueOut(
        unit=unit, start=start, clock_starts_at=next_opening(cal, start),
        due_at=add_working_time(cal, start, amount), working_days=working_days,
        working_hours=working_hours,
    )


MAX_DAYS = 366


@router.get("/days", summary="List working days with their sources",
            response_model=CalendarDays,
            responses=problems("range_reversed", "range_too_long", "unit_not_found"))
def calendar_days(
    session: ReadSession, _who: Reader,
    from_: Annotated[Day, Query(alias="from", description="First day listed")],
    to: Annotated[Day, Query(description=f"Last day listed; at most {MAX_DAYS} days in all")],
    unit: UnitQuery = None,
) -> CalendarDays:
    """Each day of a range: working or not, its sessions, and where that status comes from."""
    if to < from_:
        raise Unprocessable("`to` is before `from`.", code="range_reversed",
                            invalid_params=[InvalidParam("to", "before_from", "must be >= from")])
    if (to - from_).days + 1 > MAX_DAYS:
        raise Unprocessable(
            f"At most {MAX_DAYS} days per request.", code="range_too_long",
            invalid_params=[InvalidParam("to", "too_far", f"at most {MAX_DAYS} days from `from`")],
        )
    return service.calendar_days(session, unit, from_, to)


@router.get("/{year}", summary="Read a year's working calendar", response_model=CalendarYear,
            responses=problems("unit_not_found"))
def calendar_year(
    session: ReadSession, _who: Reader,
    year: Annotated[Year, Path(description="The calendar year", examples=[2026])],
    unit: UnitQuery = None,
) -> CalendarYear:
    """Holidays and overrides of a year, for a unit (with its ancestors') or nationally."""
    return service.calendar_year(session, unit, year)


def _recomputed(session: Session, change: DayOverridden) -> int:
    """Publish the change; its handler recomputes open deadlines and says how many moved."""
    return sum(n for n in publish(session, change) if isinstance(n, int))


@router.put("/overrides/{day}", summary="Declare a day off or a working day",
            response_model=OverrideOut,
            responses=problems("unit_not_found"))
def set_override(
    day: OverrideDay, body: OverrideIn, session: WriteSession, who: Admin, now: Now,
    unit: OverrideUnit,
) -> OverrideOut:
    """Declare a day off, or a working day such as a swapped Saturday (ngày làm bù), at a unit;
    open dossiers whose appointment it moves are recomputed."""
    out = service.set_override(session, who, day, unit, body, now)
    moved = _recomputed(session, DayOverridden(who, day, unit, body.model_dump(), now))
    return out.model_copy(update={"recomputed": moved})


@router.delete("/overrides/{day}", summary="Remove a calendar override", status_code=204,
               responses=problems("unit_not_found", "override_not_found"))
def delete_override(
    day: OverrideDay, session: WriteSession, who: Admin, now: Now, unit: OverrideUnit
) -> Response:
    """Remove a unit's override; open dossiers whose appointment that moves are recomputed."""
    service.delete_override(session, who, day, unit, now)
    _recomputed(session, DayOverridden(who, day, unit, None, now))
    return Response(status_code=204)


@router.put("/national-overrides/{day}", summary="Declare a day off or a working day nationally",
            response_model=OverrideOut)
def set_national_override(
    day: OverrideDay, body: OverrideIn, session: WriteSession, who: Admin, now: Now,
) -> OverrideOut:
    """Declare a day off or a working day for the whole country (every unit without its own);
    open dossiers whose appointment it moves are recomputed."""
    out = service.set_override(session, who, day, None, body, now)
    moved = _recomputed(session, DayOverridden(who, day, None, body.model_dump(), now))
    return out.model_copy(update={"recomputed": moved})


@router.delete("/national-overrides/{day}", summary="Remove a national calendar override",
               status_code=204,
               responses=problems("override_not_found"))
def delete_national_override(
    day: OverrideDay, session: WriteSession, who: Admin, now: Now
) -> Response:
    """Remove a national override; open dossiers whose appointment that moves are recomputed."""
    service.delete_override(session, who, day, None, now)
    _recomputed(session, DayOverridden(who, day, None, None, now))
    return Response(status_code=204)
