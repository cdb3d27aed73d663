"""The national portal sync (admin): dead letters, replay and the daily reconciliation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.dependencies import Admin
from app.core.deps import Now, ReadSession, WriteSession
from app.core.examples import DOSSIER_EXAMPLE, UNIT_EXAMPLE
from app.core.openapi import problems
from app.core.params import CODE_LENGTH, DOSSIER_CODE_LENGTH, PageSize
from app.core.timefmt import Day
from app.portal import service
from app.portal.schemas import DeadOut, ReconciliationOut, ReplayOut

router = APIRouter(prefix="/api/v1/sync", tags=["national portal (Cổng DVCQG)"])


@router.post("/replay", summary="Send dossiers to the national portal again",
             response_model=ReplayOut,
             responses=problems("replay_scope", "invalid_range", "dossier_not_found"))
def replay(
    session: WriteSession, who: Admin, now: Now,
    dossier: Annotated[str | None, Query(
        max_length=DOSSIER_CODE_LENGTH, description="Send this one dossier again (mã hồ sơ)",
        examples=[DOSSIER_EXAMPLE])] = None,
    from_: Annotated[Day | None, Query(
        alias="from", description="Or those received from this day (Vietnamese time)",
        examples=["2026-03-01"])] = None,
    to: Annotated[Day | None, Query(
        description="... to this day, inclusive", examples=["2026-03-02"])] = None,
) -> ReplayOut:
    """Send dead or acknowledged dossiers again: one by code, or those received from..to."""
    return service.replay(session, who, now, dossier, from_, to)


@router.get("/dead", summary="List the dossiers the portal sync gave up on",
            response_model=list[DeadOut])
def dead(session: ReadSession, _who: Admin,
         limit: PageSize = 100) -> list[DeadOut]:
    """Dossiers the worker gave up on (dead letters), oldest first."""
    return service.dead_letters(session, limit)


@router.get("/reconciliation",
            summary="Reconcile a day's dossiers with the portal's acknowledgements",
            response_model=ReconciliationOut)
def reconciliation(session: ReadSession, _who: Admin,
                   day: Annotated[Day, Query(description="The day of receipt reconciled "
                                                         "(Vietnamese time)",
                                             examples=["2026-03-02"])],
                   unit: Annotated[str | None, Query(
                       max_length=CODE_LENGTH, description="Only this unit (default: every "
                       "unit)", examples=[UNIT_EXAMPLE])] = None,
                   ) -> ReconciliationOut:
    """Per unit on a day: received against acknowledged, the codes missing, indicator 1.4."""
    return service.reconciliation(session, day, unit)
