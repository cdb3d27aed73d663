"""Catalogue bodies: units (đơn vị) and procedures (thủ tục hành chính)."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, StrictBool, model_validator

from app.catalog.rules import LegalTime, ProcedureStep
from app.core.bodies import Strict
from app.core.cursor import CURSOR_EXAMPLE, NEXT_CURSOR
from app.core.examples import FIELD_EXAMPLE, PROCEDURE_EXAMPLE, UNIT_EXAMPLE
from app.core.timefmt import DAY_RULES, ClockTime, IsoDate
from app.worktime.rules import DEFAULT_CUTOFF, ProcessingTime, WorkingHours, within_working_hours

Level = Literal["province", "district", "commune", "agency"]
# One type per field, used by create and update alike, so both validate the same way.
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-_]*$")]
UnitRef = Annotated[str, Field(max_length=40)]
UnitName = Annotated[str, Field(min_length=1, max_length=255)]
ProcedureName = Annotated[str, Field(min_length=1, max_length=500)]
FieldName = Annotated[str, Field(min_length=1, max_length=255)]

# Texts a unit's request and answer share.
PROVINCE_EXAMPLE = "000.00.00.H12"
UNIT_CODE = ("The unit's code (mã định danh đơn vị), unique and never changed: it addresses the "
             "unit in the API and begins the codes of the dossiers it receives.")
UNIT_NAME = "The unit's official name (tên đơn vị)."
UNIT_LEVEL = ("Its level (cấp): province (tỉnh), commune (xã, phường, đặc khu), agency (sở, "
              "ban, ngành, trung tâm) or district (huyện, for units before 1 July 2025).")
UNIT_PARENT = ("Code of the unit directly above it in the tree (đơn vị cấp trên); null at the "
               "top of a tree (a province).")
UNIT_VALID_FROM = ("First day the unit exists, inclusive; null: since always. Receipts and "
                   "transfers at the unit on a day outside its validity are refused.")
UNIT_VALID_TO = ("Last day the unit exists, inclusive (2025-06-30 for a unit abolished in the "
                 "2025 reform); null: it still exists. A unit with sub-units, dossiers or keys "
                 "is closed this way, as it cannot be deleted.")
UNIT_MERGED_INTO = ("Code of the unit it was merged into (its successor, đơn vị kế thừa); null "
                    "if not merged. Statistics with include_merged=true add its figures to the "
                    "successor's.")
UNIT_WORKING_HOURS = ("The unit's own working hours; null inherits those of the nearest unit "
                      "above it that has some, else the national 08:00-12:00 and 13:00-17:00, "
                      "Monday to Friday.")
MERGED_EXAMPLE = "000.00.21.H12"
# Texts a procedure's request and answer share.
PROCEDURE_CODE = ("The procedure's code in the national catalogue (mã thủ tục hành chính, mã "
                  "TTHC), unique and never changed.")
PROCEDURE_NAME = "The procedure's name as the catalogue writes it (tên thủ tục)."
PROCEDURE_FIELD_CODE = ("Code of the procedure's field (lĩnh vực), by which procedures are "
                        "listed (field=) and figures grouped.")
PROCEDURE_FIELD_NAME = "Name of the procedure's field (lĩnh vực)."
PROCEDURE_NAME_EXAMPLE = "Đăng ký khai sinh"
FIELD_NAME_EXAMPLE = "Hộ tịch"
PROCESSING_TIME = ("The legal processing time (thời hạn giải quyết) that sets a dossier's "
                   "appointment (ngày hẹn trả kết quả) at receipt.")
ONLINE_PROCESSING_TIME = ("A different legal time for dossiers filed online (trực tuyến); "
                          "null: they get processing_time too.")
PROCEDURE_ONLINE = ("Whether it may be filed online (trực tuyến); an online receipt of a "
                    "procedure without it is refused (422 channel_not_offered).")
PROCEDURE_POSTAL = ("Whether its result may be returned by post (trả kết quả qua bưu chính "
                    "công ích); a receipt asking return_by_post without it is refused (422 "
                    "postal_not_offered).")
EFFECTIVE_FROM = ("First day the version is in force (ngày hiệu lực), until the next "
                  "version's; a dossier gets the version in force on its receipt day.")


class WorkingHoursIn(Strict):
    """A unit's working hours (giờ làm việc): the sessions of each working day and the weekdays
    they are held on. Deadlines in working time count only the time inside the sessions; public
    holidays and the calendar's days off are not worked, and a working-day override (a Saturday
    worked in exchange) is, whatever the weekdays say."""

    sessions: list[tuple[ClockTime, ClockTime]] = Field(
        min_length=1, max_length=4,
        description="The working sessions of a working day, each [start, end] in local time, "
                    "in order and not overlapping; the last end is the day's closing.",
        examples=[[["07:30", "11:30"], ["13:30", "17:00"]]])
    weekdays: list[int] = Field(
        default=[0, 1, 2, 3, 4], min_length=1, max_length=7,
        description="The working weekdays, 0 (Monday) to 6 (Sunday); default Monday to Friday.",
        examples=[[0, 1, 2, 3, 4]])

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


# The optional fields a unit's creation and its change share, each with its text and example.
ParentField = Annotated[UnitRef | None, Field(description=UNIT_PARENT,
                                              examples=[PROVINCE_EXAMPLE])]
ValidFromField = Annotated[IsoDate | None, Field(description=UNIT_VALID_FROM,
                                                 examples=["2025-07-01"])]
ValidToField = Annotated[IsoDate | None, Field(description=UNIT_VALID_TO,
                                               examples=["2025-06-30"])]
MergedIntoField = Annotated[UnitRef | None, Field(description=UNIT_MERGED_INTO,
                                                  examples=[MERGED_EXAMPLE])]
HoursField = Annotated[WorkingHoursIn | None, Field(description=UNIT_WORKING_HOURS)]


class UnitIn(Strict):
    """A unit (đơn vị) to create: a node of the administrative tree (a province, a commune, an
    agency, or a district before the 2025 reform), placed under its parent."""

    code: Code = Field(description=UNIT_CODE, examples=[UNIT_EXAMPLE])
    name: UnitName = Field(description=UNIT_NAME, examples=["Phường Hạ Long"])
    level: Level = Field(description=UNIT_LEVEL, examples=["commune"])
    parent: ParentField = None
    valid_from: ValidFromField = None
    valid_to: ValidToField = None
    merged_into: MergedIntoField = None
    working_hours: HoursField = None


class UnitPatch(Strict):
    """The fields of a unit to change; absent fields stay as they are, and a field given as null
    is cleared (name and level cannot be). Moving a unit (parent) moves its whole subtree, with
    its history; closing it is setting valid_to."""

    name: UnitName | None = Field(default=None, description=UNIT_NAME,
                                  examples=["Phường Hạ Long"])
    level: Level | None = Field(default=None, description=UNIT_LEVEL, examples=["commune"])
    parent: ParentField = None
    valid_from: ValidFromField = None
    valid_to: ValidToField = None
    merged_into: MergedIntoField = None
    working_hours: HoursField = None


class UnitOut(BaseModel):
    """A unit (đơn vị) of the administrative tree, with its validity and working hours."""

    code: str = Field(description=UNIT_CODE, examples=[UNIT_EXAMPLE])
    name: str = Field(description=UNIT_NAME, examples=["Phường Hạ Long"])
    level: Level = Field(description=UNIT_LEVEL, examples=["commune"])
    parent: str | None = Field(description=UNIT_PARENT, examples=[PROVINCE_EXAMPLE])
    province: str = Field(description="Code of the province at the top of its tree (its own "
                                      "code for a province).", examples=[PROVINCE_EXAMPLE])
    valid_from: date | None = Field(description=UNIT_VALID_FROM, examples=["2025-07-01"])
    valid_to: date | None = Field(description=UNIT_VALID_TO, examples=["2025-06-30"])
    merged_into: str | None = Field(description=UNIT_MERGED_INTO, examples=[MERGED_EXAMPLE])
    working_hours: WorkingHoursIn | None = Field(description=UNIT_WORKING_HOURS)


class UnitList(BaseModel):
    """A page of units, ordered by code."""

    items: list[UnitOut] = Field(description="The units of this page.")
    next_cursor: str | None = Field(description=NEXT_CURSOR, examples=[CURSOR_EXAMPLE])


class SameDayIn(Strict):
    """Same-day processing (giải quyết trong ngày): received before the cut-off, due at that
    working day's closing; received at or after it, due at the next working day's closing."""

    cutoff: ClockTime = Field(
        default=DEFAULT_CUTOFF, examples=["15:00"],
        description="The cut-off, local time; it must fall inside the national working hours "
                    "(08:00-12:00, 13:00-17:00). Default 15:00.")

    @model_validator(mode="after")
    def _inside_working_hours(self) -> Self:
        if not within_working_hours(WorkingHours(), self.cutoff):
            raise ValueError("the cut-off must fall inside the working hours (08:00-12:00, "
                             "13:00-17:00)")
        return self


class ProcessingTimeIn(Strict):
    """A legal processing time (thời hạn giải quyết): exactly one of its four kinds, with its
    amount.

    All are counted on the receiving unit's calendar from the receipt, or from the next opening
    for a receipt outside working hours. working_days and working_hours count working time;
    calendar_days count every day and end at a closing; same_day has a cut-off instead of an
    amount. Only working days and hours can be divided into the steps of an internal process.
    """

    working_days: int | None = Field(
        default=None, ge=1, le=365, examples=[5],
        description="Working days (ngày làm việc): that many days' worth of the unit's working "
                    "time, so weekends, holidays and days off do not count; 5 working days from "
                    "Monday 08:00 end on Friday at closing.")
    working_hours: int | None = Field(
        default=None, ge=1, le=2000, examples=[8],
        description="Working hours (giờ làm việc): that many hours inside the unit's working "
                    "sessions.")
    calendar_days: int | None = Field(
        default=None, ge=1, le=730, examples=[15],
        description="Calendar days (ngày): every day counts; due at the closing of the day that "
                    "many days after the start, or of the next working day when that is a day "
                    "off.")
    same_day: SameDayIn | None = Field(
        default=None, description="Same-day processing (giải quyết trong ngày), with its "
                                  "cut-off.")

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

    effective_from: IsoDate = Field(
        description=f"{EFFECTIVE_FROM} It must come after every existing version's date. "
                    f"{DAY_RULES}",
        examples=["2026-07-01"])
    processing_time: ProcessingTimeIn = Field(description=PROCESSING_TIME)
    online_processing_time: ProcessingTimeIn | None = Field(default=None,
                                                            description=ONLINE_PROCESSING_TIME)
    steps: Steps = Field(default_factory=list)


class ProcedureVersionOut(BaseModel):
    """One version of a procedure's processing rules: its legal times and its internal process,
    in force from its effective date (ngày hiệu lực) until the next version's. A dossier keeps
    the version in force on its receipt day, and its appointment."""

    version: int = Field(description="The version's number: 1 for the procedure's first, then "
                                     "one more for each version added.", examples=[2])
    effective_from: date | None = Field(
        description=f"{EFFECTIVE_FROM} Null for version 1, in force since always.",
        examples=["2026-07-01"])
    processing_time: ProcessingTimeIn = Field(description=PROCESSING_TIME)
    online_processing_time: ProcessingTimeIn | None = Field(description=ONLINE_PROCESSING_TIME)
    steps: Steps


class ProcedureVersionList(BaseModel):
    """Every version of a procedure's rules, oldest first."""

    items: list[ProcedureVersionOut]


class ProcedureIn(Strict):
    """An administrative procedure (thủ tục hành chính) to add to the catalogue, with the
    processing rules of its version 1, in force since always."""

    code: Code = Field(description=PROCEDURE_CODE, examples=[PROCEDURE_EXAMPLE])
    name: ProcedureName = Field(description=PROCEDURE_NAME, examples=[PROCEDURE_NAME_EXAMPLE])
    field_code: Code = Field(description=PROCEDURE_FIELD_CODE, examples=[FIELD_EXAMPLE])
    field_name: FieldName = Field(description=PROCEDURE_FIELD_NAME, examples=[FIELD_NAME_EXAMPLE])
    processing_time: ProcessingTimeIn = Field(description=PROCESSING_TIME)
    online_processing_time: ProcessingTimeIn | None = Field(default=None,
                                                            description=ONLINE_PROCESSING_TIME)
    online: StrictBool = Field(default=True, description=PROCEDURE_ONLINE, examples=[True])
    postal: StrictBool = Field(default=True, description=PROCEDURE_POSTAL, examples=[True])
    steps: Steps = Field(default_factory=list)


class ProcedurePatch(Strict):
    """The fields of a procedure to change; absent fields stay as they are. New times change the
    version in force today and must still hold its steps; dossiers already received keep their
    appointment. To change the times from a date, add a version instead."""

    name: ProcedureName | None = Field(default=None, description=PROCEDURE_NAME,
                                       examples=[PROCEDURE_NAME_EXAMPLE])
    field_code: Code | None = Field(default=None, description=PROCEDURE_FIELD_CODE,
                                    examples=[FIELD_EXAMPLE])
    field_name: FieldName | None = Field(default=None, description=PROCEDURE_FIELD_NAME,
                                         examples=[FIELD_NAME_EXAMPLE])
    processing_time: ProcessingTimeIn | None = Field(default=None, description=PROCESSING_TIME)
    online_processing_time: ProcessingTimeIn | None = Field(default=None,
                                                            description=ONLINE_PROCESSING_TIME)
    online: StrictBool | None = Field(default=None, description=PROCEDURE_ONLINE,
                                      examples=[True])
    postal: StrictBool | None = Field(default=None, description=PROCEDURE_POSTAL,
                                      examples=[False])


class ProcedureOut(BaseModel):
    """An administrative procedure (thủ tục hành chính) of the catalogue, with the processing
    rules of the version in force today."""

    code: str = Field(description=PROCEDURE_CODE, examples=[PROCEDURE_EXAMPLE])
    name: str = Field(description=PROCEDURE_NAME, examples=[PROCEDURE_NAME_EXAMPLE])
    field_code: str = Field(description=PROCEDURE_FIELD_CODE, examples=[FIELD_EXAMPLE])
    field_name: str = Field(description=PROCEDURE_FIELD_NAME, examples=[FIELD_NAME_EXAMPLE])
    processing_time: ProcessingTimeIn = Field(description=PROCESSING_TIME)
    online_processing_time: ProcessingTimeIn | None = Field(description=ONLINE_PROCESSING_TIME)
    version: int = Field(description="Number of the version in force today, whose times and "
                                     "steps are shown here.", examples=[1])
    steps: Steps
    online: bool = Field(description=PROCEDURE_ONLINE, examples=[True])
    postal: bool = Field(description=PROCEDURE_POSTAL, examples=[True])


class ProcedureList(BaseModel):
    """A page of procedures, ordered by code."""

    items: list[ProcedureOut] = Field(description="The procedures of this page.")
    next_cursor: str | None = Field(description=NEXT_CURSOR, examples=[CURSOR_EXAMPLE])
