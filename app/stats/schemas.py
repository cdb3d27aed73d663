"""Statistics responses: the figures of docs/figures.md, field by field."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from app.stats.rules import Grouping

FiguresBy = Literal["month", "quarter", "year", "unit", "field", "procedure"]
GroupBy = Literal["month", "quarter", "year", "unit", "field", "procedure", "step"]
By = Literal["handling", "receiving"]


class Received(BaseModel):
    """Tổng số nhận giải quyết = từ kỳ trước chuyển sang + mới tiếp nhận + nhận liên thông.

    By handling unit, each day counts for the unit holding the dossier at that day's end."""

    total: int
    carried_over: int = Field(description="Received before the period, not finished at its "
                                          "start, and held by the unit then")
    new: int = Field(description="Received in the period (mới tiếp nhận) by the unit holding "
                                 "it at the end of the receipt day")
    transferred_in: int = Field(description="Handed to the unit from outside it in the period "
                                            "while open (nhận liên thông); 0 by receiving unit")
    online: int
    direct: int
    postal: int


class Resolved(BaseModel):
    """Đã giải quyết: finished with a result in the period."""

    total: int
    early: int = Field(description="Trước hạn: on a day before the appointment's day")
    on_time: int = Field(description="Đúng hạn: on the appointment's day, by its time")
    late: int = Field(description="Quá hạn: after the appointment (apologies do not change it)")


class EndedOtherwise(BaseModel):
    """Finished without a result in the period; not in the on-time rate."""

    refused: int = Field(description="Từ chối giải quyết: refused after a processing step "
                                     "(appraisal, transfer, supplement or financial-obligation "
                                     "request)")
    withdrawn: int
    stopped: int


class Pending(BaseModel):
    """Đang giải quyết: not finished at the period's end."""

    total: int
    within_deadline: int
    overdue: int = Field(description="Past the appointment's day at the period's end (or at "
                                     "yesterday's end for a period not over); paused excluded")


class Rates(BaseModel):
    """Percentages with two decimals, rounded half up; null when the denominator is 0."""

    on_time: float | None = Field(description="(early + on time) / resolved")
    late: float | None = Field(description="late / resolved")
    resolved: float | None = Field(description="resolved / (total received - transferred out)")
    pending: float | None = Field(description="pending / (total received - transferred out)")
    national_progress: float | None = Field(
        description="Quyết định 766/QĐ-TTg, indicator 2.1 'tiến độ giải quyết': (dossiers "
                    "that ended in the period by their appointment (resolved early or on "
                    "time, refused after appraisal, withdrawn or stopped no later than the "
                    "appointment) + pending within the deadline at the period's end) / (total "
                    "received - transferred out); a dossier with more than one supplement "
                    "request is never in the numerator. See docs/figures.md")
    online: float | None = Field(description="received online / newly received")
    postal_return: float | None = Field(description="returned by post / returned")
    apology_coverage: float | None = Field(
        description="late dossiers (resolved late + pending overdue) with an apology / late")
    apology_timely: float | None = Field(
        description="late dossiers whose first apology came >= 1 working day before the "
                    "appointment / late")
    satisfaction: float | None = Field(description="ratings of 4 or 5 / rated returns")


class ProcessingDays(BaseModel):
    """Working days from receipt to result, pauses excluded, over dossiers resolved."""

    mean: float | None
    p90: float | None = Field(description="Nearest-rank 90th percentile, in quarter days")


class Supplements(BaseModel):
    """Supplement requests (yêu cầu bổ sung) made in the period."""

    requested: int
    dossiers_with_more_than_one: int


class FinancialObligations(BaseModel):
    """Financial-obligation requests (yêu cầu thực hiện nghĩa vụ tài chính) made in the period:
    pauses of their own kind, counted apart from supplement requests."""

    requested: int


class Apologies(BaseModel):
    """Apology letters (phiếu xin lỗi) issued in the period."""

    issued: int
    tardy: int
    second: int


class Figures(BaseModel):
    """Every figure for one unit, period and filter."""

    received: Received
    resolved: Resolved
    ended_otherwise: EndedOtherwise
    refused_at_receipt: int = Field(
        description="Từ chối tiếp nhận: refused in the period before any processing step "
                    "(processing started, transfer, supplement or financial-obligation "
                    "request); never accepted, so in no received total and no denominator "
                    "(docs/figures.md)")
    transferred_out: int = Field(
        description="Handed on while open to a unit outside this one in the period (chuyển "
                    "liên thông); total received = resolved + ended otherwise + transferred "
                    "out + pending. 0 by receiving unit")
    pending: Pending
    rates: Rates
    processing_working_days: ProcessingDays
    supplements: Supplements
    financial_obligations: FinancialObligations
    apologies: Apologies


class GroupKey(BaseModel):
    """A group's key (month, unit code, field or procedure code), name and dates."""

    key: str
    name: str | None = None
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None


class Subgroup(Figures, GroupKey):
    """The figures of one month, quarter or year inside a group (then_by)."""


class Group(Figures, GroupKey):
    """The figures of one group, after its key."""

    groups: list[Subgroup] | None = Field(
        default=None,
        description="With then_by: this group's figures for each month, quarter or year of "
                    "the period (a units x months table in one answer); null without it")


class Scope(BaseModel):
    """What was asked: unit, period and how dossiers were attributed."""

    unit: str
    from_: date = Field(alias="from")
    to: date
    by: By
    include_descendants: bool
    include_merged: bool
    procedure: str | None = None
    field: str | None = None


class OnTime(Figures, Scope):
    """Figures for a unit and period."""


class OnTimeGrouped(Scope):
    """Figures per group, and the total over all groups."""

    group_by: FiguresBy
    then_by: Grouping | None = Field(
        default=None, description="How each group is split again, if it is (see groups)")
    groups: list[Group]
    total: Figures


class LateStep(BaseModel):
    """Dossiers resolved in the period in which one step of the internal process (liên thông)
    overran its own allotment at one unit, and how many of them were late."""

    position: int = Field(description="The step's place in the process, from 0.", examples=[1])
    step: str = Field(description="The step's name.", examples=["Thẩm định hồ sơ"])
    unit: str = Field(description="Code of the unit that held the dossier at that step.",
                      examples=["000.00.01.H12"])
    unit_name: str | None = Field(description="That unit's name.", examples=["Sở Tư pháp"])
    overran: int = Field(description="Dossiers resolved in the period in which this step ended "
                                     "after its own deadline; a dossier that overran two "
                                     "steps counts in both.", examples=[5])
    late: int = Field(description="Of those, the dossiers resolved late (after the "
                                  "appointment).", examples=[3])


class OnTimeByStep(Scope):
    """The period's dossiers by the step and unit that overran, and the figures beside."""

    group_by: Literal["step"]
    groups: list[LateStep]
    total: Figures


class Ranked(BaseModel):
    """One unit in a ranking."""

    rank: int = Field(description="1 for the best on-time rate.")
    unit: str = Field(description="Unit code.")
    name: str = Field(description="Unit name.")
    received: int = Field(description="Total received in the period (carried over + new).")
    resolved: int = Field(description="Resolved in the period.")
    early_or_on_time: int = Field(description="Resolved early or on time (trước và đúng hạn).")
    late: int = Field(description="Resolved late (quá hạn).")
    pending_overdue: int = Field(description="Open at the period's end and past due then.")
    on_time_rate: float | None = Field(
        description="early_or_on_time / resolved in percent, two decimals; null when nothing "
                    "was resolved.")
    national_progress: float | None = Field(
        description="QĐ 766/QĐ-TTg indicator 2.1 in percent (docs/figures.md).")


class Ranking(BaseModel):
    """Units of one level ranked by on-time rate, best first (units with nothing resolved last)."""

    level: str
    unit: str | None
    from_: date = Field(alias="from")
    to: date
    items: list[Ranked]
