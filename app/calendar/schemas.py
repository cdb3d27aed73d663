"""Calendar bodies: a year's exceptional days, overrides and due-time answers."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, StrictBool

from app.catalog.schemas import WorkingHoursIn
from app.core.bodies import Strict
from app.core.timefmt import ClockTime, LocalDatetime


class CalendarDay(BaseModel):
    """A day that departs from the weekly pattern."""

    date: date
    working: bool
    source: Literal["holiday", "national_override", "unit_override"]
    note: str


class CalendarYear(BaseModel):
    """A unit's working calendar for a year: hours plus every exceptional day."""

    year: int
    unit: str | None
    working_hours: WorkingHoursIn
    days: list[CalendarDay]


class OverrideIn(Strict):
    """Declare a day off (working=false) or a working day, e.g. a swapped Saturday."""

    working: StrictBool
    note: str = Field(default="", max_length=255)


class OverrideOut(BaseModel):
    """A stored override."""

    date: date
    unit: str | None
    working: bool
    note: str
    recomputed: int = Field(
        default=0, description="Open dossiers whose appointment this change moved (each has a "
                               "`due_changed` timeline entry and a `dossier.due_changed` webhook)")


class DueOut(BaseModel):
    """When a processing time started at `start` falls due at a unit."""

    unit: str
    start: AwareDatetime
    clock_starts_at: LocalDatetime
    due_at: LocalDatetime
    working_days: int | None
    working_hours: int | None


class DaySource(BaseModel):
    """Where a day's status comes from: the nearest override wins over the package's data,
    which wins over the weekly pattern."""

    kind: Literal["weekly_pattern", "package", "national_override", "unit_override"] = Field(
        description="weekly_pattern: the unit's working weekdays; package: the holidays "
                    "package's national data (a public holiday, or a Saturday worked in "
                    "exchange for a bridge day off, ngày làm bù); national_override / "
                    "unit_override: an override stored in this service")
    package: str | None = Field(None, description="Package name, for kind=package")
    package_version: str | None = Field(
        None, description="Installed package version, for kind=package")
    name: str | None = Field(
        None, description="The holiday's name as the package gives it, or for a swapped "
                          "working day the day off it pays for")
    scope: str | None = Field(
        None, description="Unit code the override was set for (applies to its subtree); "
                          "'*' for the national calendar")
    reason: str | None = Field(None, description="The override's note, as its author gave it")
    set_at: LocalDatetime | None = Field(None, description="When the override was last set")
    set_by_key_id: int | None = Field(
        None, description="Id of the API key that last set the override (null: the "
                          "bootstrap admin key, or no trail)")
    set_by_key_name: str | None = Field(None, description="That key's name")


class DayStatus(BaseModel):
    """One day of a unit's working calendar."""

    date: date
    working: bool = Field(description="True if working sessions are held that day")
    sessions: list[tuple[ClockTime, ClockTime]] = Field(
        description="Working sessions of the day, local start and end; empty on a day off")
    source: DaySource


class CalendarDays(BaseModel):
    """Every day of a range in a unit's (or the national) calendar, with its provenance."""

    unit: str | None = Field(description="Unit code; null for the national calendar")
    from_: date = Field(alias="from", description="First day listed")
    to: date = Field(description="Last day listed")
    days: list[DayStatus]

    model_config = {"populate_by_name": True, "serialize_by_alias": True}
