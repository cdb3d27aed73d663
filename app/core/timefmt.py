"""Datetimes at the API edge: instants and days read within bounds, written in +07:00.

Inputs are bounded because every instant feeds a working-time computation (holiday tables,
calendar years around it) and a database column: year 1 or 9999 would overflow on the way,
and the national holiday tables stop after 2100.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from app.core.clock import VN_TZ

EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)
_EARLIEST = datetime.combine(EARLIEST_DAY, datetime.min.time(), VN_TZ)
_END = datetime(2100, 1, 1, tzinfo=VN_TZ)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")  # RFC 3339 allows the space
CLOCK_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
INSTANT_RULES = (
    "An instant with its UTC offset, ISO 8601 (e.g. 2026-03-02T08:00:00+07:00); a time "
    "without an offset is refused (422). From 2000-01-01 to 2099-12-31 (Vietnamese time)."
)
DAY_RULES = "A calendar day, ISO 8601 (YYYY-MM-DD)."
BOUNDED_DAY_RULES = f"{DAY_RULES} From 2000-01-01 to 2099-12-31."

LocalDatetime = Annotated[datetime, AfterValidator(lambda d: d.astimezone(VN_TZ)), WithJsonSchema(
    {"type": "string", "format": "date-time", "examples": ["2026-03-02T08:00:00+07:00"]})]
"""An instant the service answers with, in Vietnamese time (ISO 8601 with +07:00)."""


def _written_out(value: object) -> object:
    # Pydantic would read a bare number as a Unix timestamp: a typo must not become 1970.
    if isinstance(value, int | float):
        raise ValueError("must be an ISO 8601 string, not a number")
    return value


def _iso_instant(value: object) -> object:
    # Pydantic also reads a numeric string ("1764576000") as a Unix time: a query parameter is
    # always a string, so refusing numbers alone would leave that door open.
    value = _written_out(value)
    if isinstance(value, str) and not _ISO_INSTANT.match(value):
        raise ValueError("must be an ISO 8601 instant, YYYY-MM-DDTHH:MM[:SS]+HH:MM")
    return value


def _iso_day(value: object) -> object:
    value = _written_out(value)
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise ValueError("must be a day written YYYY-MM-DD")
    return value


def _clock(value: object) -> object:
    value = _written_out(value)
    if isinstance(value, str) and not re.fullmatch(CLOCK_PATTERN, value):
        raise ValueError("must be a local time written HH:MM or HH:MM:SS")
    return value


def _instant_in_range(value: datetime) -> datetime:
    if not _EARLIEST <= value < _END:
        raise ValueError("must be from 2000-01-01 to 2099-12-31 (Vietnamese time)")
    return value


def _day_in_range(value: date) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError("must be from 2000-01-01 to 2099-12-31")
    return value


Instant = Annotated[
    AwareDatetime, BeforeValidator(_iso_instant), AfterValidator(_instant_in_range),
    WithJsonSchema({"type": "string", "format": "date-time", "description": INSTANT_RULES,
                    "examples": ["2026-03-02T08:00:00+07:00"]}),
]
"""An aware instant from 2000 to 2099: receipts, events, appointments, due-time queries."""

IsoDate = Annotated[
    date, BeforeValidator(_iso_day),
    WithJsonSchema({"type": "string", "format": "date", "description": DAY_RULES,
                    "examples": ["2026-01-01"]}),
]
"""A day written YYYY-MM-DD, unbounded: units' validity may reach back before 2000."""

Day = Annotated[
    date, BeforeValidator(_iso_day), AfterValidator(_day_in_range),
    WithJsonSchema({"type": "string", "format": "date", "description": BOUNDED_DAY_RULES,
                    "examples": ["2026-03-02"]}),
]
"""A day from 2000 to 2099, as calendars and dossier filters use."""

ClockTime = Annotated[
    time, BeforeValidator(_clock),
    WithJsonSchema({"type": "string", "maxLength": 8, "pattern": CLOCK_PATTERN,
                    "description": "Local wall-clock time HH:MM[:SS], without an offset.",
                    "examples": ["17:00"]}),
]
"""A time of day on the unit's wall clock (JSON Schema's `time` format would need an offset)."""

Year = Annotated[int, Field(ge=EARLIEST_DAY.year, le=LATEST_DAY.year, examples=[2026])]
"""A calendar year within the same bounds as `Day`."""

PERIOD_PATTERN = r"^20\d{2}(-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?$"
Period = Annotated[
    str, StringConstraints(max_length=7, pattern=PERIOD_PATTERN),
    WithJsonSchema({"type": "string", "maxLength": 7, "pattern": PERIOD_PATTERN, "description": (
        "A year (2026), quarter (2026-Q3), half (2026-H1) or month (2026-09), "
        "from 2000 to 2099."), "examples": ["2026-Q1"]}),
]
"""A named statistics period, its year within the same bounds as `Day`."""
