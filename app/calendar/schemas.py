"""Calendar bodies: a year's exceptional days, overrides and due-time answers."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, StrictBool

from app.catalog.schemas import WorkingHoursIn
from app.core.bodies import Strict
from app.core.timefmt import LocalDatetime


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


class DueOut(BaseModel):
    """When a processing time started at `start` falls due at a unit."""

    unit: str
    start: AwareDatetime
    clock_starts_at: LocalDatetime
    due_at: LocalDatetime
    working_days: int | None
    working_hours: int | None
