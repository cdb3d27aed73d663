"""Postal returns as a projection of dossier changes: the rows of the returns a group of
changes opens or moves, and the outbox events of the results that became ready for the post.

The refusals (no postal service, no address, no waybill) are the decisions' (they come
before any change); here every change is already accepted.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from app.dossiers.decisions import Delivery, DossierChange, PostEvent, Receive, Record
from app.notifications.outbox import enqueue
from app.postal import rules
from app.postal.models import PostalReturn

RETURN_READY = "postal.return_ready"
# The steps a postal return can follow; other events never touch one, so they skip its query.
STEPS = frozenset({"return_by_post_requested", "resolved", "returned_by_post",
                   "returned_at_counter", "delivered", "delivery_failed"})
COLUMNS = tuple(c.name for c in PostalReturn.__table__.columns)


def has_returns(session: Session, dossier_ids: Collection[int]) -> set[int]:
    """Which of these dossiers have a postal return on file."""
    if not dossier_ids:
        return set()
    return set(session.scalars(select(PostalReturn.dossier_id).where(
        PostalReturn.dossier_id.in_(list(dossier_ids)))))


def _concerns(c: DossierChange) -> bool:
    cmd = c.command
    if isinstance(cmd, Receive):
        return cmd.return_by_post
    return isinstance(cmd, PostEvent) and rules.step_name(cmd.type, cmd.method) in STEPS


@dataclass(frozen=True)
class Prepared:
    """The stored returns of the changed dossiers, and the feed position of this
    transaction (None when no change can make a result ready)."""

    returns: dict[int, dict[str, Any]]
    position: int | None
    per_row: bool  # SQLite: each ready row takes the next position; PostgreSQL: the txid


@dataclass
class Rows:
    """Returns to insert and to update (whole rows), and the outbox events to write."""

    new: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    ready: list[tuple[str, str, str, dict[str, Any], datetime]] = field(default_factory=list)


def prepare(session: Session, changes: Sequence[DossierChange]) -> Prepared:
    """The stored returns of the dossiers these changes concern."""
    concerned = [c for c in changes if _concerns(c)]
    ids = list({c.after.id for c in concerned if c.before is not None})
    returns = {r["dossier_id"]: dict(r) for r in session.execute(
        select(PostalReturn.__table__).where(PostalReturn.dossier_id.in_(ids))).mappings()
    } if ids else {}
    may_ready = any(isinstance(c.command, PostEvent)
                    and c.command.type in ("resolved", "return_by_post_requested")
                    for c in concerned)
    postgres = session.get_bind().dialect.name == "postgresql"
    return Prepared(returns, _feed_position(session, postgres) if may_ready else None,
                    not postgres)


def _feed_position(session: Session, postgres: bool) -> int:
    """A feed position no later commit can fall behind (see service.list_feed)."""
    if postgres:
        return int(session.scalar(text("SELECT pg_current_xact_id()::text::bigint")) or 0)
    # SQLite has one writer at a time (BEGIN IMMEDIATE), so the order of this counter is the
    # order of commits.
    return int(session.scalar(select(func.max(PostalReturn.ready_txid))) or 0) + 1


def _requested(r: Record, row: dict[str, Any] | None, delivery: Delivery | None,
               at: datetime) -> dict[str, Any]:
    """A return (re)quested: where the result goes; the applicant fills what is left out."""
    d, a = delivery or Delivery(), r.applicant
    out: dict[str, Any] = (dict(row) if row is not None
                           else {c: None for c in COLUMNS} | {"dossier_id": r.id})
    out.update(recipient_name=d.name or a.name, recipient_address=d.address or a.address,
               recipient_phone=d.phone or a.phone, cod_amount=d.cod_amount, requested_at=at,
               waybill=None, handed_over_at=None, delivered_at=None, failed_at=None,
               failure_reason=None)
    return out


def project(changes: Sequence[DossierChange], prepared: Prepared) -> Rows:
    """Each concerned dossier's return after its changes, and the results made ready."""
    current: dict[int, dict[str, Any] | None] = {}
    stored = set(prepared.returns)
    position = prepared.position
    ready: list[tuple[str, str, str, dict[str, Any], datetime]] = []
    for c in changes:
        if not _concerns(c):
            continue
        r, cmd = c.after, c.command
        row = current.get(r.id, prepared.returns.get(r.id))
        if isinstance(cmd, Receive):
            current[r.id] = _requested(r, None, cmd.delivery, r.state.received_at) | {
                "state": "requested"}
            continue
        assert isinstance(cmd, PostEvent)
        step = rules.step_name(cmd.type, cmd.method)
        target = rules.state_after(row["state"] if row else None, step, r.state.status)
        if target is None:
            continue
        if cmd.type == "return_by_post_requested":
            row = _requested(r, row, cmd.delivery, cmd.at)
        elif step == "returned_by_post":
            row = dict(row) if row else _requested(r, None, None, cmd.at)
            row.update(waybill=cmd.waybill, handed_over_at=cmd.at)
        elif cmd.type == "delivered" and row is not None:
            row = dict(row) | {"delivered_at": cmd.at}
        elif cmd.type == "delivery_failed" and row is not None:
            row = dict(row) | {"failed_at": cmd.at, "failure_reason": cmd.reason}
        assert row is not None
        row["state"] = target
        if target == "ready":
            assert position is not None  # prepared for every change that can make it ready
            row.update(document=cmd.result_document or row["document"], ready_at=cmd.at,
                       ready_txid=position)
            ready.append((RETURN_READY, f"{RETURN_READY}:{r.code}:{position}", r.code,
                          {"dossier_code": r.code, "unit": r.receiving_unit,
                           "ready_at": cmd.at.isoformat()}, c.after.updated_at))
            position += int(prepared.per_row)
        current[r.id] = row
    out = Rows(ready=ready)
    for dossier_id, row in current.items():
        if row is not None:
            (out.changed if dossier_id in stored else out.new).append(row)
    return out


def write(session: Session, rows: Rows) -> None:
    """Store the returns (one insert, one update) and the outbox events of ready results."""
    if rows.new:
        session.execute(insert(PostalReturn), [
            {k: v for k, v in row.items() if k != "id"} for row in rows.new])
    if rows.changed:
        session.execute(update(PostalReturn), rows.changed)
    for type_, key, code, payload, now in rows.ready:
        enqueue(session, type_, key, code, payload, now)
