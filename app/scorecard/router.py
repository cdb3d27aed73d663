"""Scorecard endpoints: the national scorecard (QĐ 766) of a unit and period, and the dossiers
that will cost it points."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.auth.dependencies import Reader
from app.core.deps import AppSettings, Now, ReadSession
from app.core.openapi import problems
from app.core.params import CursorQuery, PageSize
from app.scorecard import service
from app.scorecard.schemas import AtRiskPage, ScorecardOut
from app.stats import rules as stats_rules
from app.stats.router import (
    UNIT_FIGURES,
    FromQuery,
    PeriodQuery,
    ToQuery,
    UnitQuery,
    required_unit,
)

router = APIRouter(prefix="/api/v1", tags=["scorecard (bộ chỉ số 766)"])


@router.get("/stats/scorecard", summary="National scorecard (QĐ 766) of a unit and period",
            response_model=ScorecardOut,
            responses=problems(*UNIT_FIGURES, "no_scorecard_weights"))
def scorecard(
    session: ReadSession, who: Reader, now: Now, settings: AppSettings,
    unit: UnitQuery = None,
    period: PeriodQuery = None,
    from_: FromQuery = None,
    to: ToQuery = None,
) -> dict[str, Any]:
    """Every indicator the service can compute, with points, group totals and, for a period
    not over, the forecast of its end; the others name the data they lack."""
    base = required_unit(session, who, unit)
    start, end = stats_rules.resolve_period(period, from_, to)
    return service.scorecard(session, base, start, end, stats_rules.local_day(now),
                             sync_on=settings.portal_base_url is not None)


@router.get("/stats/scorecard/at-risk", summary="Dossiers that will cost scorecard points",
            response_model=AtRiskPage,
            responses=problems(*UNIT_FIGURES, "no_scorecard_weights", "invalid_cursor"))
def at_risk(
    session: ReadSession, who: Reader, now: Now,
    unit: UnitQuery = None,
    period: PeriodQuery = None,
    from_: FromQuery = None,
    to: ToQuery = None,
    cursor: CursorQuery = None,
    limit: PageSize = 50,
) -> dict[str, Any]:
    """Open dossiers that will be overdue at the period's end if nothing changes (indicator
    2.1), soonest appointment first; empty once the period is over."""
    base = required_unit(session, who, unit)
    start, end = stats_rules.resolve_period(period, from_, to)
    return service.at_risk(session, base, start, end, now, cursor, limit)
