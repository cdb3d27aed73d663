"""The postal operator's API (bưu chính công ích): the returns feed and delivery reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.auth.dependencies import require
from app.auth.rules import Principal
from app.core.deps import FreshSession, Now, WriteSession
from app.core.openapi import problems
from app.core.params import CursorQuery, DossierPath, PageSize
from app.dossiers import intake
from app.dossiers.intake import Caller, Writes
from app.dossiers.router import EVENT_REFUSALS, created
from app.dossiers.schemas import EventOut
from app.dossiers.views import COVERED_DOSSIER, covered_dossier
from app.postal import service
from app.postal.schemas import DeliveredIn, DeliveryFailedIn, HandedOverIn, PostalFeedPage

router = APIRouter(prefix="/api/v1/postal", tags=["postal (bưu chính)"])
Postal = Annotated[Principal, require("admin", "postal")]


@router.get("/returns", summary="Poll the postal return feed", response_model=PostalFeedPage,
            responses=problems("invalid_cursor"))
def feed(
    session: FreshSession, who: Postal, cursor: CursorQuery = None,
    limit: PageSize = 100,
) -> PostalFeedPage:
    """Results ready to go by post and not yet handed over, in feed order.

    Poll with `next_cursor` for what became ready since; an item stays in the feed until
    `handed_over` is reported, so a poll without cursor lists every pending item again
    (at-least-once). The primary is read, so a report just made is reflected at once.
    """
    items, nxt = service.list_feed(session, who, cursor, limit)
    return PostalFeedPage(items=items, next_cursor=nxt)


def _report(session: WriteSession, who: Principal, code: str,
            body: HandedOverIn | DeliveredIn | DeliveryFailedIn, now: Now,
            pipeline: Writes) -> JSONResponse:
    # Scope first: whether a foreign dossier is in the feed is not the caller's to learn.
    covered_dossier(session, who, code)
    event = intake.event_command(code, service.callback_event(session, code, body))
    [outcome] = intake.post_events(session, pipeline, [(Caller(who, now), event)])
    return created(intake.settle(outcome))


@router.post("/returns/{code}/handed_over", summary="Report a result handed to the post",
             status_code=201, response_model=EventOut,
             responses=problems(*COVERED_DOSSIER, "not_in_postal_feed", *EVENT_REFUSALS))
def handed_over(code: DossierPath, body: HandedOverIn, session: WriteSession, who: Postal, now: Now,
                pipeline: Writes) -> JSONResponse:
    """The post took the result (the dossier's return time); idempotent per waybill."""
    return _report(session, who, code, body, now, pipeline)


@router.post("/returns/{code}/delivered", summary="Report a postal delivery",
             status_code=201, response_model=EventOut,
             responses=problems(*COVERED_DOSSIER, "not_handed_over", "not_awaiting_delivery",
                                *EVENT_REFUSALS))
def delivered(code: DossierPath, body: DeliveredIn, session: WriteSession, who: Postal, now: Now,
              pipeline: Writes) -> JSONResponse:
    """The recipient got the result; idempotent."""
    return _report(session, who, code, body, now, pipeline)


@router.post("/returns/{code}/delivery_failed", summary="Report a failed postal delivery",
             status_code=201, response_model=EventOut,
             responses=problems(*COVERED_DOSSIER, "not_handed_over", "not_awaiting_delivery",
                                *EVENT_REFUSALS))
def delivery_failed(code: DossierPath, body: DeliveryFailedIn, session: WriteSession, who: Postal,
                    now: Now, pipeline: Writes) -> JSONResponse:
    """Not delivered: the result goes back to the counter; idempotent."""
    return _report(session, who, code, body, now, pipeline)
