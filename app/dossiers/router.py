"""Dossier endpoints: receipt, events, reads and batches for offline counters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from app.auth.dependencies import Counter, CounterWrite, Reader
from app.catalog.service import COVERED_UNIT
from app.core.deps import AppSettings, FreshSession, Now, ReadSession, WriteSession
from app.core.examples import UNIT_EXAMPLE
from app.core.openapi import problems
from app.core.params import CODE_LENGTH, CursorQuery, DossierPath, PageSize
from app.core.problems import InvalidParam, PayloadTooLarge
from app.core.responses import Json
from app.core.timefmt import Day, Instant
from app.dossiers import deadline, intake, views
from app.dossiers.decisions import PostEvent
from app.dossiers.intake import Answer, Caller, Writer, Writes
from app.dossiers.rules import Status
from app.dossiers.schemas import (
    EVENT_ADAPTER,
    BatchOut,
    Channel,
    DeadlineOut,
    DossierIn,
    DossierOut,
    DossierPage,
    EventBatchIn,
    EventIn,
    EventOut,
    EventTarget,
    ReceiptBatchIn,
)
from app.dossiers.views import COVERED_DOSSIER

router = APIRouter(prefix="/api/v1", tags=["dossiers (hồ sơ)"])
REPLAYED = "Idempotent-Replayed"
EVENT_REFUSALS = ("event_in_future", "event_out_of_order", "illegal_transition",
                  "idempotency_key_reused")
"""The problem codes any event may be refused with, whoever reports it (counter or post)."""


def created(answer: Answer) -> Json:
    """201 with the answer; a replay says so in a header."""
    headers = {REPLAYED: "true"} if answer.replayed else {}
    return Json(answer.body, status_code=201, headers=headers)


def _batch_answer(results: list[dict[str, Any]]) -> Json:
    """The batch answer as built: every body in it is already JSON-ready, and validating a
    thousand results against BatchOut twice (ours, then FastAPI's) cost more than writing them.
    BatchOut stays the documented schema; the fuzz tests hold the answers to it."""
    return Json({"results": results})


def _check_batch(items: list[dict[str, Any]], limit: int) -> None:
    if len(items) > limit:
        raise PayloadTooLarge(
            f"A batch holds at most {limit} items; split it.", code="batch_too_large",
            invalid_params=[InvalidParam("items", "too_many", f"at most {limit}")],
        )


RECEIPT_REFUSALS = ("unknown_unit", "outside_unit_scope", "outside_province",
                    "unknown_procedure", "channel_not_offered", "unit_not_valid",
                    "postal_not_offered", "delivery_address_missing")
"""The problem codes a receipt may be refused with, wherever it comes from (a counter, an
accepted online submission)."""


@router.post("/dossiers", summary="Receive a dossier", status_code=201, response_model=DossierOut,
             responses=problems(*RECEIPT_REFUSALS, "received_in_future",
                                "idempotency_key_reused"))
async def receive(body: DossierIn, writer: Writer, who: CounterWrite, now: Now) -> Json:
    """Receive a dossier (tiếp nhận hồ sơ); idempotent on client_ref."""
    outcome = await writer.submit((intake.caller_of(who, now), intake.receipt_command(body)))
    return created(intake.settle(outcome))


@router.post("/dossiers/batch", summary="Receive dossiers in a batch", response_model=BatchOut,
             responses=problems("batch_too_large"))
def receive_batch(
    body: ReceiptBatchIn, request: Request, session: WriteSession, who: Counter, now: Now,
    settings: AppSettings, pipeline: Writes,
) -> Json:
    """Receive many dossiers (offline counters, imports); each item gets its own result."""
    _check_batch(body.items, settings.batch_max_items)
    caller = Caller(who, now)
    results = intake.run_batch(
        body.items, request.url.path,
        lambda item: (caller, intake.receipt_command(DossierIn.model_validate(item))),
        lambda items: intake.receive_many(session, pipeline, items),
    )
    return _batch_answer(results)


@router.get("/dossiers", summary="List and filter dossiers", response_model=DossierPage,
            responses=problems(*COVERED_UNIT, "invalid_cursor"))
def list_dossiers(
    session: ReadSession, who: Reader, now: Now,
    unit: Annotated[str | None, Query(
        max_length=CODE_LENGTH,
        description="Dossiers received or handled by this unit (default: the key's own); the "
                    "key must cover it", examples=[UNIT_EXAMPLE])] = None,
    include_descendants: Annotated[bool, Query(
        description="Also the units below it in the tree", examples=[True])] = True,
    status: Annotated[list[Status] | None, Query(
        description="Only these statuses; repeat the parameter for several",
        examples=[["received", "processing"]])] = None,
    channel: Annotated[Channel | None, Query(
        description="Only dossiers received through this channel (direct at the counter, "
                    "online, or by post)", examples=["online"])] = None,
    received_from: Annotated[Day | None, Query(
        description="Received on or after this day (Vietnamese time)",
        examples=["2026-03-01"])] = None,
    received_to: Annotated[Day | None, Query(
        description="Received on or before this day (Vietnamese time)",
        examples=["2026-03-31"])] = None,
    due_before: Annotated[Instant | None, Query(
        description="Appointment (hẹn trả, due_at) before this instant, with its offset",
        examples=["2026-03-10T17:00:00+07:00"])] = None,
    overdue: Annotated[bool | None, Query(
        description="true: only open dossiers past their appointment; false: only the "
                    "others", examples=[True])] = None,
    cursor: CursorQuery = None,
    limit: PageSize = 50,
) -> DossierPage:
    """Dossiers newest first, within the key's subtree; dates are local (Asia/Ho_Chi_Minh)."""
    items, nxt = views.list_dossiers(
        session, who, now, unit=unit, include_descendants=include_descendants,
        status=list(status) if status else None, channel=channel,
        received_from=received_from, received_to=received_to, due_before=due_before,
        overdue=overdue, cursor=cursor, limit=limit,
    )
    return DossierPage(items=items, next_cursor=nxt)


@router.get("/dossiers/{code}", summary="Read a dossier with its timeline",
            response_model=DossierOut,
            responses=problems(*COVERED_DOSSIER))
def get_dossier(code: DossierPath, session: FreshSession, who: Reader, now: Now) -> DossierOut:
    """One dossier with status, appointments, timeliness and its timeline."""
    # From the primary: a counter reads back the dossier it just wrote to decide its next
    # event (or whether a timed-out post landed); a point lookup costs the primary little.
    return views.get_dossier(session, who, code, now)


@router.get("/dossiers/{code}/deadline", summary="Explain a dossier's deadline",
            response_model=DeadlineOut,
            responses=problems(*COVERED_DOSSIER))
def explain_deadline(code: DossierPath, session: FreshSession, who: Reader, now: Now
                     ) -> DeadlineOut:
    """Why the dossier is due when it is: the rule and version, the clock's start, the working
    time counted day by day, the days skipped and why, each pause and what it moved."""
    return deadline.explain_deadline(session, who, code, now)


@router.post("/dossiers/{code}/events", summary="Post a lifecycle event",
             status_code=201, response_model=EventOut,
             responses=problems(*COVERED_DOSSIER, *EVENT_REFUSALS, "unknown_unit",
                                "outside_province", "unit_not_valid", "same_unit",
                                "new_due_not_later", "not_awaiting_delivery",
                                "postal_not_offered", "delivery_address_missing",
                                "waybill_missing", "no_internal_steps",
                                "last_step_ends_with_result"))
async def post_event(code: DossierPath, event: EventIn, writer: Writer, who: CounterWrite, now: Now,
                     ) -> Json:
    """Post one lifecycle event; idempotent on the event id."""
    outcome = await writer.submit((intake.caller_of(who, now), intake.event_command(code, event)))
    return created(intake.settle(outcome))


@router.post("/events/batch", summary="Post lifecycle events in a batch", response_model=BatchOut,
             responses=problems("batch_too_large"))
def post_events_batch(
    body: EventBatchIn, request: Request, session: WriteSession, who: Counter, now: Now,
    settings: AppSettings, pipeline: Writes,
) -> Json:
    """Post many events; each item names its `dossier` and gets its own result."""
    _check_batch(body.items, settings.batch_max_items)
    caller = Caller(who, now)

    def parse(item: dict[str, Any]) -> tuple[Caller, PostEvent]:
        fields = dict(item)
        # A missing or empty code is the item's own 422, not a search for dossier ''.
        target = EventTarget.model_validate({"dossier": fields.pop("dossier")}
                                            if "dossier" in fields else {})
        return caller, intake.event_command(target.dossier, EVENT_ADAPTER.validate_python(fields))

    results = intake.run_batch(
        body.items, request.url.path, parse,
        lambda events: intake.post_events(session, pipeline, events),
    )
    return _batch_answer(results)
