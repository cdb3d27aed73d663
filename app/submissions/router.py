"""Online pre-receipt endpoints: file a submission, the check queue, accept or not, figures."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from app.auth.dependencies import Counter, Reader
from app.catalog.service import COVERED_UNIT
from app.core.deps import AppSettings, FreshSession, Now, ReadSession, WriteSession
from app.core.examples import UNIT_EXAMPLE
from app.core.openapi import problems
from app.core.params import CODE_LENGTH, CursorQuery, PageSize
from app.core.responses import Json
from app.dossiers.intake import Writes
from app.dossiers.router import RECEIPT_REFUSALS, created
from app.stats import rules as stats_rules
from app.stats.router import (
    UNIT_FIGURES,
    FromQuery,
    PeriodQuery,
    ToQuery,
    UnitQuery,
    required_unit,
)
from app.submissions import service
from app.submissions.rules import Status
from app.submissions.schemas import (
    SUBMISSION_ID,
    AcceptedOut,
    AcceptIn,
    NotAcceptIn,
    SubmissionFigures,
    SubmissionIn,
    SubmissionOut,
    SubmissionPage,
)

router = APIRouter(prefix="/api/v1", tags=["online pre-receipt (kiểm tra, tiếp nhận hồ sơ "
                                           "trực tuyến)"])
stats_router = APIRouter(prefix="/api/v1", tags=["statistics (thống kê)"])
# Beyond a 64-bit id the driver raises while binding it (a 500); no such submission exists.
SubmissionId = Annotated[int, Path(ge=1, le=2**63 - 1, description=SUBMISSION_ID,
                                   examples=[42])]


# The problem codes of naming one submission, and of deciding it.
SUBMISSION = ("submission_not_found", "outside_unit_scope")
DECISION = ("submission_decided", "decided_before_submission", "decided_in_future")


def _skew(settings: AppSettings) -> timedelta:
    return timedelta(seconds=settings.receipt_clock_skew_seconds)


@router.post("/submissions", summary="File an online submission for checking", status_code=201,
             response_model=SubmissionOut,
             responses=problems(*RECEIPT_REFUSALS, "submitted_in_future",
                                "idempotency_key_reused"))
def submit(body: SubmissionIn, session: WriteSession, who: Counter, now: Now,
           settings: AppSettings) -> Json:
    """File a dossier submitted online (nộp hồ sơ trực tuyến): it waits for an officer's
    check, due the configured working hours (default 8) after submitted_at on the receiving
    unit's calendar. It is no dossier yet; idempotent on client_ref."""
    return created(service.submit(session, who, body, now, _skew(settings),
                                  settings.submission_check_hours))


@router.get("/submissions", summary="List the check queue", response_model=SubmissionPage,
            responses=problems(*COVERED_UNIT, "invalid_cursor"))
def list_submissions(
    session: ReadSession, who: Reader, now: Now,
    unit: Annotated[str | None, Query(
        max_length=CODE_LENGTH,
        description="Submissions received by this unit and the units below it (default: the "
                    "key's own); the key must cover it", examples=[UNIT_EXAMPLE])] = None,
    status: Annotated[Status, Query(
        description="Only submissions in this status (default: waiting, the queue)",
        examples=["waiting"])] = "waiting",
    due_within_hours: Annotated[int | None, Query(
        ge=1, le=80, description="Only those waiting and about to miss their check: not yet "
                                 "overdue, and due within this many working hours from now, "
                                 "1-80", examples=[2])] = None,
    cursor: CursorQuery = None,
    limit: PageSize = 50,
) -> SubmissionPage:
    """Submissions soonest check deadline first, within the key's subtree, each saying whether
    its check is overdue."""
    items, nxt = service.queue(session, who, now, unit=unit, status=status,
                               due_within_hours=due_within_hours, cursor=cursor, limit=limit)
    return SubmissionPage(items=items, next_cursor=nxt)


@router.get("/submissions/{submission_id}", summary="Read a submission",
            response_model=SubmissionOut, responses=problems(*SUBMISSION))
def get_submission(submission_id: SubmissionId, session: FreshSession, who: Reader, now: Now
                   ) -> SubmissionOut:
    """One submission and its check; from the primary, so a decision just taken shows."""
    return service.get(session, who, submission_id, now)


@router.post("/submissions/{submission_id}/accept", summary="Accept a submission",
             response_model=AcceptedOut,
             responses=problems(*SUBMISSION, *DECISION, *RECEIPT_REFUSALS))
def accept(submission_id: SubmissionId, body: AcceptIn, session: WriteSession, who: Counter,
           now: Now, settings: AppSettings, pipeline: Writes) -> dict[str, Any]:
    """Accept the submission (tiếp nhận): the dossier is received through the receipt path at
    `at`, online, with its code and appointment; its legal time counts from `at`. Decided
    after check_due_at, the submission is marked checked_late."""
    return service.accept(session, pipeline, who, submission_id, body.at, now, _skew(settings))


@router.post("/submissions/{submission_id}/not-accept", summary="Do not accept a submission",
             response_model=SubmissionOut, responses=problems(*SUBMISSION, *DECISION))
def not_accept(submission_id: SubmissionId, body: NotAcceptIn, session: WriteSession,
               who: Counter, now: Now, settings: AppSettings) -> SubmissionOut:
    """Do not accept the submission (không tiếp nhận), with a reason code and the officer's
    words: it never becomes a dossier and is in no received total."""
    return service.not_accept(session, who, submission_id, body, now, _skew(settings))


@stats_router.get("/stats/submissions", summary="Online pre-receipt figures of a unit and "
                                                "period", response_model=SubmissionFigures,
                      responses=problems(*UNIT_FIGURES))
def submission_figures(
    session: ReadSession, who: Reader,
    unit: UnitQuery = None,
    period: PeriodQuery = None,
    from_: FromQuery = None,
    to: ToQuery = None,
) -> dict[str, Any]:
    """Submitted, accepted, not accepted, waiting at the period's end and checked late, for
    the unit's subtree, counted from the submissions themselves (not from the dossier
    statistics, in whose received totals a submission not accepted never is)."""
    base = required_unit(session, who, unit)
    start, end = stats_rules.resolve_period(period, from_, to)
    return {"unit": base.code, "from": start, "to": end,
            **service.figures(session, base, start, end)}
