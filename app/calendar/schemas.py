"""Calendar bodies: a year's exceptional days, overrides and due-time answers."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, StrictBool

from app.catalog.schemas import WorkingHoursIn
from app.core.bodies import Strict
from app.core.examples import UNIT_EXAMPLE
from app.core.timefmt import ClockTime, LocalDatetime

CALENDAR_UNIT_DOC = "Unit code (mã đơn vị); null for the national calendar"
OVERRIDE_NOTE_DOC = "Why the day is declared off or working, as its author wrote it"
OVERRIDE_NOTE_EXAMPLE = "Làm việc bù theo thông báo của UBND tỉnh"


class CalendarDay(BaseModel):
    """A day that departs from the weekly pattern: a public holiday or a swapped working day
    from the holidays package, or an override stored in this service."""

    date: Annotated[date, Field(description="The day", examples=["2026-04-27"])]
    working: bool = Field(description="True if working sessions are held that day",
                          examples=[False])
    source: Literal["holiday", "national_override", "unit_override"] = Field(
        description="holiday: the holidays package's national data (a public holiday, or a "
                    "Saturday worked in exchange for a bridge day off, ngày làm bù); "
                    "national_override / unit_override: an override stored in this service, "
                    "the nearest scope winning", examples=["holiday"])
    note: str = Field(
        description="For a holiday, its name as the package gives it (in English); for an "
                    "override, its note",
        examples=["Hung Kings' Commemoration Day (observed)"])


class CalendarYear(BaseModel):
    """A unit's working calendar for a year (or the national one): its working hours plus
    every day that departs from them."""

    year: int = Field(description="The calendar year", examples=[2026])
    unit: str | None = Field(description=CALENDAR_UNIT_DOC, examples=[UNIT_EXAMPLE])
    working_hours: WorkingHoursIn = Field(
        description="The unit's working sessions and weekdays; for the national calendar the "
                    "default 08:00-12:00, 13:00-17:00, Monday to Friday")
    days: list[CalendarDay] = Field(
        description="Every exceptional day of the year, by date: holidays, swapped working "
                    "days and overrides of the unit, its ancestors and the nation")


class OverrideIn(Strict):
    """Declare a day off (working=false) or a working day, e.g. a swapped Saturday."""

    working: StrictBool = Field(description="True: a working day with the unit's usual "
                                            "sessions; false: a day off", examples=[True])
    note: str = Field(default="", max_length=255, description=OVERRIDE_NOTE_DOC,
                      examples=[OVERRIDE_NOTE_EXAMPLE])


class OverrideOut(BaseModel):
    """An override as stored: the day, its scope, and how many appointments it moved."""

    date: Annotated[date, Field(description="The day declared off or working",
                                examples=["2026-05-02"])]
    unit: str | None = Field(description="The unit whose calendar (and its subtree's) it "
                                         "changes; null for a national override",
                             examples=[UNIT_EXAMPLE])
    working: bool = Field(description="True: a working day; false: a day off", examples=[True])
    note: str = Field(description=OVERRIDE_NOTE_DOC, examples=[OVERRIDE_NOTE_EXAMPLE])
    recomputed: int = Field(
        default=0, description="Open dossiers whose appointment this change moved (each has a "
                               "`due_changed` timeline entry and a `dossier.due_changed` webhook)",
        examples=[2])


class DueOut(BaseModel):
    """When a processing time started at `start` falls due at a unit."""

    unit: str = Field(description="Code of the unit whose calendar counted (mã đơn vị)",
                      examples=[UNIT_EXAMPLE])
    start: AwareDatetime = Field(description="The start asked for, as given",
                                 examples=["2026-03-02T07:30:00+07:00"])
    clock_starts_at: LocalDatetime = Field(
        description="When the clock starts: `start` itself in working hours, otherwise the "
                    "next opening", examples=["2026-03-02T08:00:00+07:00"])
    due_at: LocalDatetime = Field(description="When the processing time falls due (hạn giải "
                                              "quyết)", examples=["2026-03-06T17:00:00+07:00"])
    working_days: int | None = Field(description="The processing time in working days, if "
                                                 "asked so", examples=[5])
    working_hours: int | None = Field(description="The processing time in working hours, if "
                                                  "asked so", examples=[None])


class DaySource(BaseModel):
    """Where a day's status comes from: the nearest override wins over the package's data,
    which wins over the weekly pattern."""

    kind: Literal["weekly_pattern", "package", "national_override", "unit_override"] = Field(
        description="weekly_pattern: the unit's working weekdays; package: the holidays "
                    "package's national data (a public holiday, or a Saturday worked in "
                    "exchange for a bridge day off, ngày làm bù); national_override / "
                    "unit_override: an override stored in this service",
        examples=["package"])
    package: str | None = Field(None, description="Package name, for kind=package",
                                examples=["holidays"])
    package_version: str | None = Field(
        None, description="Installed package version, for kind=package", examples=["0.109"])
    name: str | None = Field(
        None, description="The holiday's name as the package gives it, or for a swapped "
                          "working day the day off it pays for",
        examples=["Working day in exchange for the day off on 2026-08-31"])
    scope: str | None = Field(
        None, description="Unit code the override was set for (applies to its subtree); "
                          "'*' for the national calendar", examples=[UNIT_EXAMPLE])
    reason: str | None = Field(None, description="The override's note, as its author gave it",
                               examples=[OVERRIDE_NOTE_EXAMPLE])
    set_at: LocalDatetime | None = Field(None, description="When the override was last set")
    set_by_key_id: int | None = Field(
        None, description="Id of the API key that last set the override (null: the "
                          "bootstrap admin key, or no trail)", examples=[3])
    set_by_key_name: str | None = Field(None, description="That key's name",
                                        examples=["Quản trị Sở Nội vụ"])


class DayStatus(BaseModel):
    """One day of a unit's working calendar."""

    date: Annotated[date, Field(description="The day", examples=["2026-08-22"])]
    working: bool = Field(description="True if working sessions are held that day",
                          examples=[True])
    sessions: list[tuple[ClockTime, ClockTime]] = Field(
        description="Working sessions of the day, local start and end; empty on a day off",
        examples=[[["08:00", "12:00"], ["13:00", "17:00"]]])
    source: DaySource = Field(description="Where the day's status comes from")


class CalendarDays(BaseModel):
    """Every day of a range in a unit's (or the national) calendar, with its provenance."""

    unit: str | None = Field(description=CALENDAR_UNIT_DOC, examples=[UNIT_EXAMPLE])
    from_: date = Field(alias="from", description="First day listed", examples=["2026-08-22"])
    to: date = Field(description="Last day listed", examples=["2026-09-02"])
    days: list[DayStatus] = Field(description="Each day of the range, in order")

    model_config = {"populate_by_name": True, "serialize_by_alias": True}
