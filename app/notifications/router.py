"""Webhooks and the outbox (admin), and the deadline queues counters work from."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from app.auth.dependencies import Admin, Reader
from app.catalog.service import COVERED_UNIT
from app.core.deps import FreshSession, Now, ReadSession, WriteSession
from app.core.examples import UNIT_EXAMPLE
from app.core.openapi import problems
from app.core.params import CODE_LENGTH, PageSize
from app.dossiers.schemas import DossierOut
from app.dossiers.views import dossier_out
from app.notifications import service
from app.notifications.schemas import DeliveryOut, NewWebhookOut, WebhookIn, WebhookOut

router = APIRouter(prefix="/api/v1", tags=["notifications (thông báo)"])
# Registered before the dossiers router, so /dossiers/overdue is not read as a dossier code.
queues_router = APIRouter(prefix="/api/v1/dossiers", tags=["dossiers (hồ sơ)"])
# Beyond a 64-bit id the driver raises while binding it (a 500); no such webhook exists.
WebhookId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The webhook's id, as "
                                "registered", examples=[3])]


@router.post("/webhooks", summary="Register a webhook",
             status_code=201, response_model=NewWebhookOut)
def create_webhook(body: WebhookIn, session: WriteSession, who: Admin, now: Now
                   ) -> NewWebhookOut:
    """Register an integrator's URL; the response carries the signing secret once."""
    return service.create_webhook(session, who, body, now)


@router.get("/webhooks", summary="List registered webhooks", response_model=list[WebhookOut])
def list_webhooks(session: FreshSession, _who: Admin) -> list[WebhookOut]:
    """Registered webhooks, without secrets; from the primary, as the sender sees them."""
    return service.list_webhooks(session)


@router.delete("/webhooks/{webhook_id}", summary="Unregister a webhook", status_code=204,
               responses=problems("webhook_not_found"))
def delete_webhook(webhook_id: WebhookId, session: WriteSession, who: Admin, now: Now) -> Response:
    """Unregister a webhook; its pending deliveries are dropped."""
    service.delete_webhook(session, who, webhook_id, now)
    return Response(status_code=204)


@router.get("/outbox", summary="List webhook deliveries (outbox)", response_model=list[DeliveryOut])
def list_deliveries(
    session: ReadSession, _who: Admin,
    state: Annotated[Literal["pending", "delivered", "failed"] | None, Query(
        description="Only deliveries in this state (default: all)", examples=["failed"])] = None,
    limit: PageSize = 100,
) -> list[DeliveryOut]:
    """Webhook deliveries, newest first: attempts, last status and error, next attempt."""
    return service.list_deliveries(session, state, limit)


UnitQuery = Annotated[str | None, Query(
    max_length=CODE_LENGTH,
    description="Dossiers handled by this unit and the units below it (default: the key's "
                "own); the key must cover it", examples=[UNIT_EXAMPLE])]


@queues_router.get("/overdue", summary="List overdue dossiers", response_model=list[DossierOut],
                   responses=problems(*COVERED_UNIT))
def overdue(
    session: ReadSession, who: Reader, now: Now, unit: UnitQuery = None,
    limit: PageSize = 100,
) -> list[DossierOut]:
    """Open dossiers past their appointment (quá hạn), soonest due first."""
    rows = service.deadline_queue(session, who, unit, "overdue", 0, now, limit)
    return [dossier_out(d, who, now) for d in rows]


@queues_router.get("/due-soon", summary="List dossiers due soon", response_model=list[DossierOut],
                   responses=problems(*COVERED_UNIT))
def due_soon(
    session: ReadSession, who: Reader, now: Now, unit: UnitQuery = None,
    within_working_days: Annotated[int, Query(
        ge=1, le=10, description="Due within this many working days from now, 1-10",
        examples=[2])] = 1,
    limit: PageSize = 100,
) -> list[DossierOut]:
    """Open dossiers due within N working days: the apology must go out before (xin lỗi)."""
    rows = service.deadline_queue(session, who, unit, "due_soon", within_working_days, now,
                                  limit)
    return [dossier_out(d, who, now) for d in rows]
