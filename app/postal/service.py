"""Postal returns served as the operator's feed, and the operator's reports as dossier events.

The returns are kept in step with the dossiers by app/postal/projection.py."""

from __future__ import annotations

import logging
from datetime import datetime

from pydantic import TypeAdapter
from sqlalchemy import func, select, text, tuple_
from sqlalchemy.orm import Session

from app.auth.rules import Principal
from app.catalog.models import Procedure, Unit
from app.core.cursor import RowId, decode_cursor, encode_cursor
from app.core.problems import Conflict
from app.dossiers.models import Dossier
from app.dossiers.schemas import (
    Delivered,
    DeliveryFailed,
    EventIn,
    Returned,
)
from app.postal import rules
from app.postal.models import PostalReturn
from app.postal.schemas import (
    DeliveredIn,
    DeliveryFailedIn,
    HandedOverIn,
    PostalReturnOut,
    Recipient,
    UnitRef,
)

log = logging.getLogger(__name__)


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
