"""Postal returns: kept in step with the dossier's events, and served as the operator's feed."""

from __future__ import annotations

import logging
from datetime import datetime

from pydantic import TypeAdapter
from sqlalchemy import func, select, text, tuple_
from sqlalchemy.orm import Session

from app.auth.rules import Principal
from app.catalog.models import Procedure, Unit
from app.core.cursor import RowId, decode_cursor, encode_cursor
from app.core.problems import Conflict, InvalidParam, Unprocessable
from app.dossiers.models import Dossier
from app.dossiers.schemas import (
    Delivered,
    DeliveryFailed,
    DossierIn,
    EventIn,
    ReturnByPostRequested,
    Returned,
)
from app.notifications.service import enqueue
from app.postal import rules
from app.postal.models import PostalReturn
from app.postal.schemas import (
    DeliveredIn,
    DeliveryFailedIn,
    DeliveryIn,
    HandedOverIn,
    PostalReturnOut,
    Recipient,
    UnitRef,
)

RETURN_READY = "postal.return_ready"

log = logging.getLogger(__name__)


def _check_offered(session: Session, dossier: Dossier) -> None:
    _check_postal(session.get(Procedure, dossier.procedure_code))


def _check_postal(procedure: Procedure | None) -> None:
    if procedure is not None and not procedure.postal:
        raise Unprocessable(
            f"Procedure '{procedure.code}' does not offer return by post.",
            code="postal_not_offered",
            invalid_params=[InvalidParam("return_by_post", "not_offered", "not offered")],
        )


def _request(
    session: Session, dossier: Dossier, row: PostalReturn | None, delivery: DeliveryIn,
    at: datetime,
) -> PostalReturn:
    """Record (or replace) where the result goes; the applicant fills what is left out."""
    address = _address(delivery, dossier.applicant_address)
    if row is None:
        row = PostalReturn(dossier_id=dossier.id)
        session.add(row)
    row.recipient_name = delivery.name or dossier.applicant_name
    row.recipient_address = address
    row.recipient_phone = delivery.phone or dossier.applicant_phone
    row.cod_amount = delivery.cod_amount
    row.requested_at = at
    row.waybill = row.handed_over_at = row.delivered_at = row.failed_at = None
    row.failure_reason = None
    return row


def _address(delivery: DeliveryIn, applicant_address: str | None) -> str:
    address = delivery.address or applicant_address
    if not address:
        raise Unprocessable(
            "A delivery address is needed: the applicant has none on file.",
            code="delivery_address_missing",
            invalid_params=[InvalidParam("delivery.address", "missing", "required")],
        )
    return address


def _feed_position(session: Session) -> int:
    """A feed position no later commit can fall behind (see list_feed)."""
    if session.get_bind().dialect.name == "postgresql":
        return int(session.scalar(text("SELECT pg_current_xact_id()::text::bigint")) or 0)
    # SQLite has one writer at a time (BEGIN IMMEDIATE), so the order of this counter is the
    # order of commits.
    return int(session.scalar(select(func.max(PostalReturn.ready_txid))) or 0) + 1


def _make_ready(
    session: Session, dossier: Dossier, row: PostalReturn, at: datetime, now: datetime
) -> None:
    row.ready_at = at
    row.ready_txid = _feed_position(session)
    session.flush()
    enqueue(session, RETURN_READY, f"{RETURN_READY}:{dossier.code}:{row.ready_txid}",
            dossier.code, {"dossier_code": dossier.code, "unit": dossier.receiving_unit,
                           "ready_at": at.isoformat()}, now)


def check_receipt(procedure: Procedure, body: DossierIn) -> None:
    """Refuse, before anything is written, a receipt whose return by post cannot be made."""
    if body.return_by_post:
        _check_postal(procedure)
        _address(body.delivery or DeliveryIn(), body.applicant.address)


def on_receipt(session: Session, dossier: Dossier, body: DossierIn) -> None:
    """A receipt that asks for the result by post opens its postal return (checked before)."""
    if body.return_by_post:
        row = _request(session, dossier, None, body.delivery or DeliveryIn(), dossier.received_at)
        row.state = "requested"


# The steps a postal return can follow; other events never touch one, so they skip its query.
_STEPS = frozenset({"return_by_post_requested", "resolved", "returned_by_post",
                    "returned_at_counter", "delivered", "delivery_failed"})


def concerns(event: EventIn) -> bool:
    """Whether an event may move a postal return."""
    return rules.step_name(event.type, getattr(event, "method", None)) in _STEPS


def returns_of(session: Session, dossier_ids: list[int]) -> dict[int, PostalReturn]:
    """The postal returns of these dossiers, by dossier id, in one query."""
    if not dossier_ids:
        return {}
    return {row.dossier_id: row for row in session.scalars(
        select(PostalReturn).where(PostalReturn.dossier_id.in_(dossier_ids)))}


def after_event(
    session: Session, dossier: Dossier, event: EventIn, now: datetime,
    row: PostalReturn | None,
) -> PostalReturn | None:
    """Bring the dossier's postal return (`row`, if any) in step with an event the dossier has
    just accepted; returns the row as it now is. Refusals come before any change."""
    step = rules.step_name(event.type, getattr(event, "method", None))
    target = rules.state_after(row.state if row else None, step, dossier.status)
    if target is None:
        return row
    if isinstance(event, ReturnByPostRequested):
        _check_offered(session, dossier)
        row = _request(session, dossier, row, event.delivery, event.at)
    elif isinstance(event, Returned) and step == "returned_by_post":
        if not event.waybill:
            raise Unprocessable(
                "A result handed to the post needs its waybill.", code="waybill_missing",
                invalid_params=[InvalidParam("waybill", "missing", "required by post")])
        row = row or _request(session, dossier, None, DeliveryIn(), event.at)
        row.waybill, row.handed_over_at = event.waybill, event.at
    elif isinstance(event, Delivered) and row is not None:
        row.delivered_at = event.at
    elif isinstance(event, DeliveryFailed) and row is not None:
        row.failed_at, row.failure_reason = event.at, event.reason
    assert row is not None
    row.state = target
    if target == "ready":
        document = getattr(event, "result_document", None)
        row.document = document or row.document
        _make_ready(session, dossier, row, event.at, now)
    return row


def callback_event(
    session: Session, code: str, body: HandedOverIn | DeliveredIn | DeliveryFailedIn
) -> EventIn:
    """The dossier event for an operator's report on an existing dossier, its id derived from
    the waybill.

    Each waybill is one attempt, so a retried report maps to the same event id and is
    answered from the first time; a new attempt after a failure has a new waybill.
    """
    row = postal_return_of(session, code)
    if isinstance(body, HandedOverIn):
        state, waybill = (row.state, row.waybill) if row else (None, None)
        if not rules.accepts_handover(state, waybill, body.waybill):
            raise Conflict("This result is not in the postal feed: the post may hand over only "
                           "a result whose return by post was requested and is ready.",
                           code="not_in_postal_feed")
        return Returned(id=f"postal:handed_over:{body.waybill}", type="returned", at=body.at,
                        method="postal", waybill=body.waybill)
    if row is None or row.waybill is None:
        raise Conflict("The result was not handed to the post.", code="not_handed_over")
    if isinstance(body, DeliveredIn):
        return Delivered(id=f"postal:delivered:{row.waybill}", type="delivered", at=body.at)
    return DeliveryFailed(id=f"postal:delivery_failed:{row.waybill}", type="delivery_failed",
                          at=body.at, reason=body.reason,
                          **body.model_dump(include={"reason_code"}, exclude_unset=True))


_FEED_POSITION: TypeAdapter[tuple[int, int]] = TypeAdapter(tuple[RowId, RowId])
"""A feed position: (ready_txid, id)."""


def list_feed(
    session: Session, who: Principal, cursor: str | None, limit: int
) -> tuple[list[PostalReturnOut], str | None]:
    """Results ready for the post, in feed order, after `cursor`.

    The order is (ready_txid, id). On PostgreSQL only rows whose transaction id is below the
    oldest transaction still running (the snapshot's xmin) are handed out: every transaction
    that could still commit a ready row has a larger id, so no row can ever appear behind a
    cursor already given out. Rows from running transactions wait for the next poll.
    """
    # Columns, not entities: a page of 500 loaded four ORM objects a row, most of the time
    # of a page went to building and tracking them.
    query = (
        select(PostalReturn.id, PostalReturn.ready_txid, PostalReturn.ready_at,
               PostalReturn.recipient_name, PostalReturn.recipient_address,
               PostalReturn.recipient_phone, PostalReturn.document, PostalReturn.cod_amount,
               Dossier.code, Unit.code.label("unit_code"), Unit.name.label("unit_name"),
               Procedure.name.label("procedure_name"))
        .join(Dossier, Dossier.id == PostalReturn.dossier_id)
        .join(Unit, Unit.code == Dossier.receiving_unit)
        .join(Procedure, Procedure.code == Dossier.procedure_code)
        .where(PostalReturn.state == "ready")
        .order_by(PostalReturn.ready_txid, PostalReturn.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.where(PostalReturn.ready_txid < text(
            "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"))
    if who.unit_path:
        query = query.where(Unit.path.startswith(who.unit_path, autoescape=True))
    if cursor:
        txid, row_id = decode_cursor(cursor, _FEED_POSITION)
        # A row-value comparison, not the equivalent OR: the index on (state, ready_txid, id)
        # can seek to it, where the OR made PostgreSQL read every waiting row before it.
        query = query.where(tuple_(PostalReturn.ready_txid, PostalReturn.id) > (txid, row_id))
    items: list[PostalReturnOut] = []
    for row in session.execute(query):
        if row.ready_at is None or row.ready_txid is None:
            # Both are set when a return becomes ready; a row without them is damaged data,
            # to report and skip, not to fail the operator's whole feed on.
            log.error("postal return %s is ready without its ready time or feed position; "
                      "left out of the feed", row.id)
            continue
        items.append(PostalReturnOut(
            dossier_code=row.code, unit=UnitRef(code=row.unit_code, name=row.unit_name),
            procedure=row.procedure_name,
            recipient=Recipient(name=row.recipient_name, address=row.recipient_address,
                                phone=row.recipient_phone),
            document=row.document or f"Kết quả giải quyết thủ tục: {row.procedure_name}",
            cod_amount=row.cod_amount, ready_at=row.ready_at,
        ))
        cursor = encode_cursor(row.ready_txid, row.id)
    return items, cursor


def postal_return_of(session: Session, code: str) -> PostalReturn | None:
    """The postal return of the dossier with this code, if it has one."""
    return session.scalar(select(PostalReturn).join(Dossier).where(Dossier.code == code))


def feed_lag(session: Session, now: datetime) -> tuple[int, float | None]:
    """Results waiting in the postal feed and how long, in seconds, the oldest has waited."""
    count, oldest = session.execute(
        select(func.count(), func.min(PostalReturn.ready_at)).where(PostalReturn.state == "ready")
    ).one()
    return count, (now - oldest).total_seconds() if oldest is not None else None
