"""Scorecard responses: each indicator with its counts, rate, points and forecast.

The examples follow the worked example of docs/scorecard.md: one commune in March 2026, asked
on 20 March while the month is open.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, PlainSerializer

from app.core.cursor import CURSOR_EXAMPLE, NEXT_CURSOR
from app.core.examples import DOSSIER_EXAMPLE, PROCEDURE_EXAMPLE, UNIT_EXAMPLE

# Points and rates go out as JSON numbers with two decimals (costs with four), not strings.
Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]

UNIT_DOC = ("Code of the unit asked for (mã đơn vị); its whole subtree counts, each dossier "
            "for the unit that decides it (cơ quan thực hiện)")
FROM_DOC = "The period's first day (Vietnamese time), inclusive"
TO_DOC = "The period's last day (Vietnamese time), inclusive"
FORECAST_DOC = ("The period's end if nothing changes: every open dossier due inside the period "
                "and not paused counts as overdue, no new dossier is assumed")
RATE_DOC = ("For a percent indicator the rate in percent, for a working_days one the mean in "
            "working days; two decimals, rounded half up; null when there is nothing to count")
POINTS_DOC = ("max_points x min(1, rate / threshold), computed from the unrounded rate, then "
              "rounded to two decimals half up; null when the indicator has no score (empty, "
              "not computable, or informational)")
SCORED_POINTS_DOC = ("The points of the indicators with a score (computed, and not "
                     "informational), two decimals")
COMPUTABLE_MAX_DOC = ("Full marks of the indicators with a score: the most `points` could be "
                      "with the same indicators computed")
FORECAST_POINTS_DOC = ("The points at the period's end if nothing changes (each indicator's "
                       "forecast, or its points where it has none); null once the period is over")


class WeightsOut(BaseModel):
    """The weights version that scores the period: the latest in force on its last day."""

    version: int = Field(description="The version's number; 1 is QĐ 766 as published in 2022",
                         examples=[1])
    effective_from: date = Field(description="The day the version came into force",
                                 examples=["2022-06-23"])


class ForecastOut(BaseModel):
    """The indicator at the period's end if nothing changes (open periods only)."""

    numerator: Number = Field(description="The numerator then; only indicator 2.1 moves",
                              examples=[5])
    denominator: int = Field(description="The denominator then: the same as today, as no new "
                                         "dossier is assumed", examples=[12])
    rate: Number | None = Field(description=RATE_DOC, examples=[41.67])
    points: Number | None = Field(description=POINTS_DOC, examples=[8.33])


class IndicatorOut(BaseModel):
    """One indicator of the scorecard (Quyết định 766/QĐ-TTg): what was counted, its rate and
    points, or, when the service cannot compute it, the data it lacks."""

    code: str = Field(description="The decision's numbering, e.g. 2.1", examples=["2.1"])
    group: int = Field(description="The code of its group (GroupOut.code), 1 to 5",
                       examples=[2])
    name: str = Field(description="The indicator's name as the decision writes it",
                      examples=["Tỷ lệ hồ sơ đã và đang xử lý đúng hạn, trong hạn (tiến độ "
                                "giải quyết)"])
    measure: Literal["percent", "working_days"] = Field(
        description="percent: `rate` is a percentage; working_days: `rate` is a mean in "
                    "working days (informational, not scored)", examples=["percent"])
    status: Literal["computed", "empty", "not_computable"] = Field(
        description="computed; empty: nothing to count in the period (no points, not in the "
                    "totals); not_computable: `missing` names the data the service lacks",
        examples=["computed"])
    numerator: Number | None = Field(
        description="What was counted: dossiers or procedures meeting the indicator, for "
                    "2.2 the working days summed over the dossiers resolved; to date for an "
                    "open period; null when not computable", examples=[7])
    denominator: int | None = Field(
        description="What it is counted over (dossiers received, dossiers resolved, "
                    "procedures); 0 when empty, null when not computable", examples=[12])
    rate: Number | None = Field(description=RATE_DOC, examples=[58.33])
    points: Number | None = Field(description=POINTS_DOC, examples=[11.67])
    max_points: Number = Field(description="Full marks of the indicator in this weights "
                                           "version; 0 for an informational one",
                               examples=[20])
    threshold: Number | None = Field(
        description="The rate in percent that gives full marks (80 means 80% or more is full "
                    "marks, 40% half); null for an informational indicator", examples=[100])
    missing: list[str] = Field(
        description="For not_computable: the data the service would need to compute it; "
                    "empty otherwise", examples=[[]])
    source: str = Field(
        description="Where the weights row comes from, and whether its points were checked "
                    "against the decision's appendix",
        examples=["QĐ 766/QĐ-TTg (23/6/2022), appendix: points and threshold as the provinces' "
                  "scoring tables publish them"])
    forecast: ForecastOut | None = Field(
        description=f"{FORECAST_DOC}; null for a closed period and for an indicator not "
                    "computable")


class TotalOut(BaseModel):
    """Points over the indicators with a score, and the most those could give."""

    points: Number = Field(description=SCORED_POINTS_DOC, examples=[17.0])
    computable_max: Number = Field(description=COMPUTABLE_MAX_DOC, examples=[28.0])
    max_points: Number = Field(description="Full marks of every indicator: 100 with the "
                                           "decision's weights", examples=[100.0])
    forecast_points: Number | None = Field(description=FORECAST_POINTS_DOC, examples=[13.66])


class GroupOut(TotalOut):
    """One of the five groups of indicators, with its points over its indicators that have a
    score."""

    points: Number = Field(description=SCORED_POINTS_DOC, examples=[11.67])
    computable_max: Number = Field(description=COMPUTABLE_MAX_DOC, examples=[20.0])
    max_points: Number = Field(description="The group's full marks in this weights version",
                               examples=[20.0])
    forecast_points: Number | None = Field(description=FORECAST_POINTS_DOC, examples=[8.33])
    code: int = Field(description="The group's number in the decision, 1 to 5", examples=[2])
    name: str = Field(description="The group's name as the decision writes it",
                      examples=["Tiến độ, kết quả giải quyết"])


class ScorecardOut(BaseModel):
    """The national scorecard (Quyết định 766/QĐ-TTg) of a unit and period, as far as this
    service can compute it: every indicator, the group totals and the total."""

    unit: str = Field(description=UNIT_DOC, examples=[UNIT_EXAMPLE])
    from_: date = Field(alias="from", description=FROM_DOC, examples=["2026-03-01"])
    to: date = Field(description=TO_DOC, examples=["2026-03-31"])
    open: bool = Field(description="The period is not over: counts are to date (overdue judged "
                                   "at yesterday's end) and each indicator has a forecast",
                       examples=[True])
    weights: WeightsOut = Field(description="The weights version the period is scored with")
    indicators: list[IndicatorOut] = Field(
        description="Every indicator of that version, by group, then code")
    groups: list[GroupOut] = Field(description="The totals of each group, by group code")
    total: TotalOut = Field(description="The total over every group")

    model_config = {"populate_by_name": True}


class AtRiskOut(BaseModel):
    """An open dossier that will be overdue at the period's end if nothing changes."""

    code: str = Field(description="Dossier code (mã hồ sơ)", examples=[DOSSIER_EXAMPLE])
    procedure: str = Field(description="Procedure code (mã thủ tục hành chính)",
                           examples=[PROCEDURE_EXAMPLE])
    procedure_name: str = Field(description="The procedure's name",
                                examples=["Đăng ký khai sinh"])
    handling_unit: str = Field(description="Code of the unit deciding it, which the points "
                                           "are counted for", examples=[UNIT_EXAMPLE])
    due_at: datetime = Field(description="Its appointment (ngày hẹn trả), Vietnamese time",
                                  examples=["2026-03-20T17:00:00+07:00"])
    overdue_now: bool = Field(description="Already past its appointment: its points are lost "
                                          "unless an event dated earlier is still to come",
                              examples=[False])
    indicator: str = Field(description="The indicator it costs points in", examples=["2.1"])
    points: Number = Field(description="What it costs there, four decimals: the points one "
                                       "more dossier in the indicator's numerator would bring",
                           examples=[1.6667])


class AtRiskPage(BaseModel):
    """The dossiers that will cost scorecard points if nothing changes, soonest appointment
    first; empty once the period is over."""

    unit: str = Field(description=UNIT_DOC, examples=[UNIT_EXAMPLE])
    from_: date = Field(alias="from", description=FROM_DOC, examples=["2026-03-01"])
    to: date = Field(description=TO_DOC, examples=["2026-03-31"])
    open: bool = Field(description="The period is not over; a closed period has nothing at "
                                   "risk", examples=[True])
    dossiers: int = Field(description="All of them, over every page", examples=[3])
    points_at_risk: Number = Field(description="What they cost together, two decimals",
                                   examples=[5.0])
    items: list[AtRiskOut] = Field(description="This page's dossiers")
    next_cursor: str | None = Field(description=NEXT_CURSOR, examples=[CURSOR_EXAMPLE])

    model_config = {"populate_by_name": True}
