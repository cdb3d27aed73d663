"""Scorecard responses: each indicator with its counts, rate, points and forecast."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, PlainSerializer

# Points and rates go out as JSON numbers with two decimals (costs with four), not strings.
Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class WeightsOut(BaseModel):
    """The weights version that scores the period: in force on its last day."""

    version: int
    effective_from: date


class ForecastOut(BaseModel):
    """The indicator at the period's end if nothing changes (open periods only)."""

    numerator: Number
    denominator: int
    rate: Number | None
    points: Number | None


class IndicatorOut(BaseModel):
    """One indicator of the scorecard (Quyết định 766/QĐ-TTg)."""

    code: str = Field(description="The decision's numbering, e.g. 2.1")
    group: int
    name: str
    measure: Literal["percent", "working_days"] = Field(
        description="percent: `rate` is a percentage; working_days: `rate` is a mean in "
                    "working days (informational, not scored)")
    status: Literal["computed", "empty", "not_computable"] = Field(
        description="computed; empty: nothing to count in the period (no points, not in the "
                    "totals); not_computable: `missing` names the data the service lacks")
    numerator: Number | None
    denominator: int | None
    rate: Number | None = Field(description="Two decimals, rounded half up")
    points: Number | None = Field(
        description="max_points x min(1, rate / threshold), from the unrounded rate")
    max_points: Number
    threshold: Number | None = Field(description="The rate that gives full marks")
    missing: list[str] = Field(description="What the service would need to compute it")
    source: str
    forecast: ForecastOut | None


class TotalOut(BaseModel):
    """Points over the computable indicators, and the most those could give."""

    points: Number
    computable_max: Number = Field(description="Full marks of the indicators with a score")
    max_points: Number = Field(description="Full marks of every indicator (the decision's)")
    forecast_points: Number | None = Field(description="At the period's end (open periods)")


class GroupOut(TotalOut):
    """One of the five groups of indicators."""

    code: int
    name: str


class ScorecardOut(BaseModel):
    """The national scorecard of a unit and period, as far as this service can compute it."""

    unit: str
    from_: date = Field(alias="from")
    to: date
    open: bool = Field(description="The period is not over: counts are to date (overdue judged "
                                   "at yesterday's end) and each indicator has a forecast")
    weights: WeightsOut
    indicators: list[IndicatorOut]
    groups: list[GroupOut]
    total: TotalOut

    model_config = {"populate_by_name": True}


class AtRiskOut(BaseModel):
    """An open dossier that will be overdue at the period's end if nothing changes."""

    code: str
    procedure: str
    procedure_name: str
    handling_unit: str
    due_at: datetime
    overdue_now: bool = Field(description="Already past its appointment: its points are lost "
                                          "unless an event dated earlier is still to come")
    indicator: str = Field(description="The indicator it costs points in")
    points: Number = Field(description="What it costs there, four decimals")


class AtRiskPage(BaseModel):
    """The dossiers that will cost points, soonest appointment first."""

    unit: str
    from_: date = Field(alias="from")
    to: date
    open: bool
    dossiers: int = Field(description="All of them, over every page")
    points_at_risk: Number = Field(description="What they cost together")
    items: list[AtRiskOut]
    next_cursor: str | None

    model_config = {"populate_by_name": True}
