"""Catalogue bodies: units (đơn vị) and procedures (thủ tục hành chính)."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, StrictBool, model_validator

from app.catalog.rules import LegalTime, ProcedureStep
from app.core.bodies import Strict
from app.core.timefmt import ClockTime, IsoDate
from app.worktime.rules import DEFAULT_CUTOFF, ProcessingTime, WorkingHours, within_working_hours

Level = Literal["province", "district", "commune", "agency"]
# One type per field, used by create and update alike, so both validate the same way.
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-_]*$")]
UnitRef = Annotated[str, Field(max_length=40)]
UnitName = Annotated[str, Field(min_length=1, max_length=255)]
ProcedureName = Annotated[str, Field(min_length=1, max_length=500)]
FieldName = Annotated[str, Field(min_length=1, max_length=255)]


class WorkingHoursIn(Strict):
    """Working sessions of a unit's day, and its working weekdays (Monday = 0)."""

    sessions: list[tuple[ClockTime, ClockTime]] = Field(min_length=1, max_length=4)
    weekdays: list[int] = Field(default=[0, 1, 2, 3, 4], min_length=1, max_length=7)

    @model_validator(mode="after")
    def _valid(self) -> Self:
        try:
            self.to_rules()
        except ValueError as exc:
            raise ValueError(str(exc)) from exc
        return self

    def to_rules(self) -> WorkingHours:
        """The pure-rule value."""
        return WorkingHours(sessions=tuple(self.sessions), weekdays=frozenset(self.weekdays))


class UnitIn(Strict):
    """A unit to create."""

    code: Code
    name: UnitName
    level: Level
    parent: UnitRef | None = None
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None
    merged_into: UnitRef | None = None
    working_hours: WorkingHoursIn | None = None


class UnitPatch(Strict):
    """Fields of a unit to change; absent fields stay as they are."""

    name: UnitName | None = None
    level: Level | None = None
    parent: UnitRef | None = None
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None
    merged_into: UnitRef | None = None
    working_hours: WorkingHoursIn | None = None


class UnitOut(BaseModel):
    """A unit as the API shows it."""

    code: str = Field(description="Unit code (mã định danh), e.g. 000.00.20.H12.")
    name: str = Field(description="Official name, e.g. Phường Hạ Long.")
    level: Level = Field(description="province, district (before 1/7/2025), commune or agency.")
    parent: str | None = Field(description="The unit above it in the tree.")
    province: str = Field(description="The province the unit belongs to.")
    valid_from: date | None = Field(description="First day it exists; null: always.")
    valid_to: date | None = Field(description="Last day it exists (e.g. merged in 2025).")
    merged_into: str | None = Field(description="The successor it was merged into.")
    working_hours: WorkingHoursIn | None = Field(
        description="Its own working hours; null inherits the parent's (or the default).")


class UnitList(BaseModel):
    """A page of units, by code."""

    items: list[UnitOut]
    next_cursor: str | None


class SameDayIn(Strict):
    """Same-day processing: received before the cut-off, due at that working day's closing."""

    cutoff: ClockTime = DEFAULT_CUTOFF

    @model_validator(mode="after")
    def _inside_working_hours(self) -> Self:
        if not within_working_hours(WorkingHours(), self.cutoff):
            raise ValueError("the cut-off must fall inside the working hours (08:00-12:00, "
                             "13:00-17:00)")
        return self


class ProcessingTimeIn(Strict):
    """Legal processing time (thời hạn giải quyết): exactly one kind, with its amount.

    working_days / working_hours count working time; calendar_days count every day (ngày)
    and end at a closing, moved to the next working day when they land on a day off;
    same_day has a cut-off (default 15:00) instead of an amount.
    """

    working_days: int | None = Field(default=None, ge=1, le=365)
    working_hours: int | None = Field(default=None, ge=1, le=2000)
    calendar_days: int | None = Field(default=None, ge=1, le=730)
    same_day: SameDayIn | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = (self.working_days, self.working_hours, self.calendar_days, self.same_day)
        if sum(v is not None for v in given) != 1:
            raise ValueError(
                "give exactly one of working_days, working_hours, calendar_days or same_day")
        return self

    def to_rules(self) -> ProcessingTime:
        """The pure-rule value."""
        return ProcessingTime(
            days=self.working_days, hours=self.working_hours, calendar_days=self.calendar_days,
            cutoff=None if self.same_day is None else self.same_day.cutoff)

    def legal(self, field: str) -> LegalTime:
        """The time as the steps' allotments are checked against it."""
        amount = self.working_days if self.working_days is not None else self.working_hours
        return LegalTime(field, self.to_rules().kind, amount)


def _hundredths(value: float) -> int:
    return round(value * 100)


class StepIn(Strict):
    """A step of the procedure's internal process (bước xử lý, quy trình nội bộ liên thông): who
    performs it and its allotment of working time, in the kind of the legal time (working days
    or working hours, to two decimals). The allotments add up to at most the legal time; the
    last step is the return of the result (trả kết quả), judged against the appointment."""

    name: str = Field(max_length=200, description="The step's name, unique in the process.",
                      examples=["Thẩm định hồ sơ"])
    unit: UnitRef | None = Field(default=None, description="Code of the unit that performs "
                                 "it; give this or role.", examples=["000.00.01.H12"])
    role: str | None = Field(default=None, max_length=200,
                             description="The role or office that performs it (e.g. the "
                                         "one-stop desk); give this or unit.",
                             examples=["Bộ phận Một cửa"])
    working_days: float | None = Field(default=None, le=365, description="Allotment in working "
                                       "days, for a legal time in working days.", examples=[1.5])
    working_hours: float | None = Field(default=None, le=2000,
                                        description="Allotment in working hours, for a legal "
                                                    "time in working hours.", examples=[4])

    @model_validator(mode="after")
    def _one_allotment(self) -> Self:
        given = [v for v in (self.working_days, self.working_hours) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of working_days or working_hours")
        if not math.isfinite(given[0] * 100):  # infinity, NaN, or so large it overflows
            raise ValueError("an allotment is a finite number of working days or hours")
        if abs(given[0] * 100 - _hundredths(given[0])) > 1e-6:
            raise ValueError("an allotment has at most two decimals")
        return self

    def to_rules(self) -> ProcedureStep:
        """The pure-rule value."""
        if self.working_days is not None:
            return ProcedureStep(self.name, "working_days", _hundredths(self.working_days),
                                 self.unit, self.role)
        assert self.working_hours is not None  # the validator requires one
        return ProcedureStep(self.name, "working_hours", _hundredths(self.working_hours),
                             self.unit, self.role)


def rule_steps(stored: list[dict[str, Any]]) -> tuple[ProcedureStep, ...]:
    """A version's stored steps as the rules take them."""
    return tuple(StepIn.model_validate(s).to_rules() for s in stored)


Steps = Annotated[list[StepIn], Field(
    max_length=20, description="The internal process dividing the legal time into steps, in "
                               "order ([] has none); a version's steps never change.")]


class ProcedureVersionIn(Strict):
    """New processing rules for a procedure, in force from a date (ngày hiệu lực)."""

    effective_from: IsoDate
    processing_time: ProcessingTimeIn
    online_processing_time: ProcessingTimeIn | None = None
    steps: Steps = Field(default_factory=list)


class ProcedureVersionOut(BaseModel):
    """One version of a procedure's processing rules."""

    version: int
    effective_from: date | None
    processing_time: ProcessingTimeIn
    online_processing_time: ProcessingTimeIn | None
    steps: Steps


class ProcedureVersionList(BaseModel):
    """Every version of a procedure's rules, oldest first."""

    items: list[ProcedureVersionOut]


class ProcedureIn(Strict):
    """A procedure to create."""

    code: Code
    name: ProcedureName
    field_code: Code
    field_name: FieldName
    processing_time: ProcessingTimeIn
    online_processing_time: ProcessingTimeIn | None = None
    online: StrictBool = True
    postal: StrictBool = True
    steps: Steps = Field(default_factory=list)


class ProcedurePatch(Strict):
    """Fields of a procedure to change."""

    name: ProcedureName | None = None
    field_code: Code | None = None
    field_name: FieldName | None = None
    processing_time: ProcessingTimeIn | None = None
    online_processing_time: ProcessingTimeIn | None = None
    online: StrictBool | None = None
    postal: StrictBool | None = None


class ProcedureOut(BaseModel):
    """A procedure as the API shows it."""

    code: str
    name: str
    field_code: str
    field_name: str
    processing_time: ProcessingTimeIn
    online_processing_time: ProcessingTimeIn | None
    # The version in force today, whose times are shown above.
    version: int
    steps: Steps
    online: bool
    postal: bool


class ProcedureList(BaseModel):
    """A page of procedures, by code."""

    items: list[ProcedureOut]
    next_cursor: str | None
