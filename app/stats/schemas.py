"""Statistics responses: the figures of docs/figures.md, field by field."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from app.core.examples import UNIT_EXAMPLE
from app.dossiers.schemas import OFFICER_ID, OFFICER_NAME
from app.stats.rules import Grouping

FiguresBy = Literal["month", "quarter", "year", "unit", "field", "procedure"]
GroupBy = Literal["month", "quarter", "year", "unit", "field", "procedure", "step"]
By = Literal["handling", "receiving"]
FROM_DOC = "The period's first day (Vietnamese time), inclusive"
TO_DOC = "The period's last day (Vietnamese time), inclusive"


class Received(BaseModel):
    """Tổng số nhận giải quyết = từ kỳ trước chuyển sang + mới tiếp nhận + nhận liên thông.

    By handling unit, each day counts for the unit holding the dossier at that day's end."""

    total: int = Field(
        description="Total received for handling (tổng số nhận giải quyết): carried over + new + "
                    "transferred in",
        examples=[120])
    carried_over: int = Field(
        examples=[15], description="Received before the period, not finished at its "
                                          "start, and held by the unit then")
    new: int = Field(
        examples=[98], description="Received in the period (mới tiếp nhận) by the unit holding "
                                 "it at the end of the receipt day")
    transferred_in: int = Field(
        examples=[7], description="Handed to the unit from outside it in the period "
                                            "while open (nhận liên thông); 0 by receiving unit")
    online: int = Field(
        description="Of the new, received online (trực tuyến)",
        examples=[41])
    direct: int = Field(
        description="Of the new, received at the counter (trực tiếp)",
        examples=[52])
    postal: int = Field(
        description="Of the new, received by post (bưu chính)",
        examples=[5])


class Resolved(BaseModel):
    """Đã giải quyết: finished with a result in the period."""

    total: int = Field(
        description="Resolved in the period (đã giải quyết): early + on time + late",
        examples=[96])
    early: int = Field(
        examples=[30], description="Trước hạn: on a day before the appointment's day")
    on_time: int = Field(
        examples=[60], description="Đúng hạn: on the appointment's day, by its time")
    late: int = Field(
        examples=[6], description="Quá hạn: after the appointment (apologies do not change it)")


class EndedOtherwise(BaseModel):
    """Finished without a result in the period; not in the on-time rate."""

    refused: int = Field(
        examples=[2], description="Từ chối giải quyết: refused after a processing step "
                                     "(appraisal, transfer, step completed, supplement or "
                                     "financial-obligation request)")
    withdrawn: int = Field(
        description="Rút hồ sơ: withdrawn by the applicant in the period",
        examples=[1])
    stopped: int = Field(
        description="Dừng xử lý: processing stopped in the period",
        examples=[0])


class Pending(BaseModel):
    """Đang giải quyết: not finished at the period's end."""

    total: int = Field(
        description="Open at the period's end: within the deadline + overdue",
        examples=[18])
    within_deadline: int = Field(
        description="Trong hạn: not past the appointment at the period's end",
        examples=[16])
    overdue: int = Field(
        examples=[2], description="Past the appointment's day at the period's end (or at "
                                     "yesterday's end for a period not over); paused excluded")


class Rates(BaseModel):
    """Percentages with two decimals, rounded half up; null when the denominator is 0."""

    on_time: float | None = Field(
        examples=[93.75], description="(early + on time) / resolved")
    late: float | None = Field(
        examples=[6.25], description="late / resolved")
    resolved: float | None = Field(
        examples=[82.05], description="resolved / (total received - transferred out)")
    pending: float | None = Field(
        examples=[15.38], description="pending / (total received - transferred out)")
    national_progress: float | None = Field(
        examples=[91.45],
        description="Quyết định 766/QĐ-TTg, indicator 2.1 'tiến độ giải quyết': (dossiers "
                    "that ended in the period by their appointment (resolved early or on "
                    "time, refused after appraisal, withdrawn or stopped no later than the "
                    "appointment) + pending within the deadline at the period's end) / (total "
                    "received - transferred out); a dossier with more than one supplement "
                    "request is never in the numerator. See docs/figures.md")
    online: float | None = Field(
        examples=[41.84], description="received online / newly received")
    postal_return: float | None = Field(
        examples=[12.5], description="returned by post / returned")
    apology_coverage: float | None = Field(
        examples=[75.0],
        description="late dossiers (resolved late + pending overdue) with an apology / late")
    apology_timely: float | None = Field(
        examples=[50.0],
        description="late dossiers whose first apology came >= 1 working day before the "
                    "appointment / late")
    satisfaction: float | None = Field(
        examples=[96.3], description="ratings of 4 or 5 / rated returns")


class ProcessingDays(BaseModel):
    """Working days from receipt to result, pauses excluded, over dossiers resolved."""

    mean: float | None = Field(
        description="Mean working days, two decimals; null when nothing was resolved",
        examples=[3.4])
    p90: float | None = Field(
        examples=[6.25], description="Nearest-rank 90th percentile, in quarter days")


class Supplements(BaseModel):
    """Supplement requests (yêu cầu bổ sung) made in the period."""

    requested: int = Field(
        description="Supplement requests made in the period",
        examples=[9])
    dossiers_with_more_than_one: int = Field(
        description="Dossiers asked for a supplement more than once, which QĐ 766 counts against "
                    "the unit",
        examples=[1])


class FinancialObligations(BaseModel):
    """Financial-obligation requests (yêu cầu thực hiện nghĩa vụ tài chính) made in the period:
    pauses of their own kind, counted apart from supplement requests."""

    requested: int = Field(
        description="Financial-obligation requests made in the period",
        examples=[4])


class Apologies(BaseModel):
    """Apology letters (phiếu xin lỗi) issued in the period."""

    issued: int = Field(
        description="Apology letters issued in the period",
        examples=[5])
    tardy: int = Field(
        description="Of those, issued less than 1 working day before the appointment",
        examples=[1])
    second: int = Field(
        description="Of those, a dossier's second or later apology",
        examples=[0])


class Figures(BaseModel):
    """Every figure for one unit, period and filter."""

    received: Received
    resolved: Resolved
    ended_otherwise: EndedOtherwise
    refused_at_receipt: int = Field(
        examples=[3],
        description="Từ chối tiếp nhận: refused in the period before any processing step "
                    "(processing started, transfer, step completed, supplement or "
                    "financial-obligation request); never accepted, so in no received total "
                    "and no denominator (docs/figures.md)")
    transferred_out: int = Field(
        examples=[4],
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

    key: str = Field(
        description="The group's key: a month (2026-03), quarter (2026-Q1), year (2026), unit, "
                    "field (lĩnh vực) or procedure code",
        examples=["000.00.02.H12"])
    name: str | None = Field(
        default=None,
        description="The unit's, field's or procedure's name; null for a period",
        examples=["Sở Tư pháp"])
    from_: date | None = Field(
        description="For a period group: its first day; null otherwise",
        examples=["2026-03-01"], default=None, alias="from")
    to: date | None = Field(
        default=None,
        description="For a period group: its last day; null otherwise",
        examples=["2026-03-31"])


class Subgroup(Figures, GroupKey):
    """The figures of one month, quarter or year inside a group (then_by)."""


class Group(Figures, GroupKey):
    """The figures of one group, after its key."""

    groups: list[Subgroup] | None = Field(
        examples=[None],
        default=None,
        description="With then_by: this group's figures for each month, quarter or year of "
                    "the period (a units x months table in one answer); null without it")


class Scope(BaseModel):
    """What was asked: unit, period and how dossiers were attributed."""

    unit: str = Field(
        description="Code of the unit asked for (mã đơn vị)",
        examples=["000.00.20.H12"])
    from_: date = Field(
        description=FROM_DOC,
        examples=["2026-01-01"], alias="from")
    to: date = Field(
        description=TO_DOC,
        examples=["2026-03-31"])
    by: By = Field(
        description="How dossiers were attributed: to the handling or the receiving unit",
        examples=["handling"])
    include_descendants: bool = Field(
        description="Whether the units below it count too",
        examples=[True])
    include_merged: bool = Field(
        description="Whether units merged into it (2025 reform) count too",
        examples=[False])
    procedure: str | None = Field(
        default=None,
        description="Only this procedure (mã thủ tục), if asked",
        examples=["1.001193"])
    field: str | None = Field(
        default=None,
        description="Only this field (lĩnh vực), if asked",
        examples=["HT"])


class OnTime(Figures, Scope):
    """Figures for a unit and period."""


class OnTimeGrouped(Scope):
    """Figures per group, and the total over all groups."""

    group_by: FiguresBy = Field(
        description="How the figures are split",
        examples=["unit"])
    then_by: Grouping | None = Field(
        examples=["month"],
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

    group_by: Literal["step"] = Field(
        description="By the step that overran",
        examples=["step"])
    groups: list[LateStep]
    total: Figures


class Ranked(BaseModel):
    """One unit in a ranking."""

    rank: int = Field(
        examples=[1], description="1 for the best on-time rate.")
    unit: str = Field(
        examples=["000.00.20.H12"], description="Unit code.")
    name: str = Field(
        examples=["UBND phường Hạ Long"], description="Unit name.")
    received: int = Field(
        examples=[120], description="Total received in the period (carried over + new).")
    resolved: int = Field(
        examples=[96], description="Resolved in the period.")
    early_or_on_time: int = Field(
        examples=[90], description="Resolved early or on time (trước và đúng hạn).")
    late: int = Field(
        examples=[6], description="Resolved late (quá hạn).")
    pending_overdue: int = Field(
        examples=[2], description="Open at the period's end and past due then.")
    on_time_rate: float | None = Field(
        examples=[93.75],
        description="early_or_on_time / resolved in percent, two decimals; null when nothing "
                    "was resolved.")
    national_progress: float | None = Field(
        examples=[91.45],
        description="QĐ 766/QĐ-TTg indicator 2.1 in percent (docs/figures.md).")


class Ranking(BaseModel):
    """Units of one level ranked by on-time rate, best first (units with nothing resolved last)."""

    level: str = Field(
        description="The level ranked (cấp: commune, agency, district, province)",
        examples=["commune"])
    unit: str | None = Field(
        description="The subtree ranked; null for every unit",
        examples=["000.00.00.H12"])
    from_: date = Field(
        description=FROM_DOC,
        examples=["2026-01-01"], alias="from")
    to: date = Field(
        description=TO_DOC,
        examples=["2026-03-31"])
    items: list[Ranked]


class Officer(BaseModel):
    """An officer (cán bộ, công chức) as receipts and events named them."""

    id: str = Field(description=OFFICER_ID, examples=["cb-h12-0042"])
    name: str = Field(description=OFFICER_NAME + " The name of their latest act in the period.",
                      examples=["Trần Văn Minh"])


class OfficerRatings(BaseModel):
    """The applicants' ratings (1-5) of the results this officer returned in the period."""

    rated: int = Field(description="Results returned with a rating", examples=[40])
    satisfied: int = Field(description="Of those, rated 4 or 5 (hài lòng)", examples=[38])
    average: float | None = Field(
        description="The mean rating, two decimals, rounded half up; null when none was rated",
        examples=[4.65])


class OfficerRates(BaseModel):
    """Percentages with two decimals, rounded half up; null when the denominator is 0."""

    on_time: float | None = Field(
        examples=[95.0], description="(early + on time) / resolved by this officer")
    satisfaction: float | None = Field(
        examples=[95.0], description="satisfied / rated, of the results this officer returned")


class OfficerFigures(BaseModel):
    """One officer's figures for the period (docs/figures.md, Officers)."""

    officer: Officer = Field(description="The officer.")
    received: int = Field(
        description="Dossiers this officer received (cán bộ tiếp nhận) in the period, at a "
                    "receiving unit of the subtree", examples=[52])
    resolved: Resolved = Field(
        description="Dossiers this officer resolved (cán bộ giải quyết) in the period, at a "
                    "handling unit of the subtree, by timeliness against the appointment")
    ratings: OfficerRatings = Field(description="The ratings given at the returns this "
                                                "officer made in the period.")
    rates: OfficerRates = Field(description="The on-time and satisfaction shares.")


class OfficerList(BaseModel):
    """The figures of every officer named in the unit's subtree for the period, by officer
    id; computed from the dossiers at read time (not from the aggregate tables)."""

    unit: str = Field(description="Code of the unit asked for (mã đơn vị); its subtree counts",
                      examples=[UNIT_EXAMPLE])
    from_: date = Field(description=FROM_DOC, examples=["2026-01-01"], alias="from")
    to: date = Field(description=TO_DOC, examples=["2026-03-31"])
    items: list[OfficerFigures] = Field(description="One per officer, by officer id.")
