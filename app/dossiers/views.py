"""Reading dossiers: the API views of stored dossiers and the listing. Writes go through
app/dossiers/pipeline.py."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.rules import Principal
from app.catalog.models import Unit
from app.catalog.service import covered_unit
from app.core.clock import VN_TZ
from app.core.cursor import BY_ID, decode_cursor, encode_cursor
from app.core.problems import NotFound
from app.dossiers import rules
from app.dossiers.decisions import RECEIPT, Record, ensure_covers
from app.dossiers.models import Dossier, DossierEvent
from app.dossiers.records import record_of, unit_facts
from app.dossiers.schemas import (
    FREE_TEXT_FIELDS,
    ApplicantOut,
    CurrentStep,
    DossierOut,
    TimelineEvent,
)


def _units_of(session: Session, d: Dossier) -> tuple[Unit, Unit]:
    receiving = session.get(Unit, d.receiving_unit)
    handling = session.get(Unit, d.handling_unit)
    assert receiving is not None and handling is not None  # foreign keys guarantee both
    return receiving, handling


def _timeline_event(e: DossierEvent, who: Principal) -> TimelineEvent:
    details = e.payload if who.sees_personal_data else {
        k: v for k, v in e.payload.items() if k not in FREE_TEXT_FIELDS}
    return TimelineEvent(id=e.client_id, type=e.type, at=e.at, recorded_at=e.recorded_at,
                         details=details, flags=e.flags)


def view(
    d: Record, who: Principal, now: datetime, timeline: list[TimelineEvent] | None = None
) -> DossierOut:
    """The API view of a dossier; applicant details only for roles that need them."""
    applicant = None
    if who.sees_personal_data:
        a = d.applicant
        applicant = ApplicantOut(kind=a.kind, name=a.name, id_number=a.id_number,
                                 phone=a.phone, address=a.address)
    s = d.state
    return DossierOut(
        code=d.code, status=s.status, procedure=d.procedure,
        procedure_version=d.procedure_version, receiving_unit=d.receiving_unit,
        handling_unit=s.handling_unit, channel=d.channel,
        client_ref=d.client_ref, received_at=s.received_at, due_at=s.due_at,
        rescheduled_due_at=s.rescheduled_due_at,
        timeliness=s.timeliness,
        overdue=rules.is_overdue(s, now), paused=s.paused_at is not None,
        pause_kind=rules.PAUSE_KINDS.get(s.status) if s.paused_at is not None else None,
        supplement_paused_seconds=s.paused_seconds,
        financial_obligation_paused_seconds=s.obligation_paused_seconds,
        supplement_count=s.supplement_count, apology_count=s.apology_count,
        resolved_at=s.resolved_at,
        processing_working_days=(None if s.processing_millidays is None
                                 else s.processing_millidays / 1000),
        finished_at=s.finished_at, returned_at=s.returned_at,
        return_method=s.return_method, rating=s.rating, applicant=applicant,
        step=(None if s.current_step is None or s.step_started_at is None
              or s.step_due_at is None else
              CurrentStep(position=s.current_step, started_at=s.step_started_at,
                          due_at=s.step_due_at)),
        timeline=timeline,
    )


def dossier_out(
    d: Dossier, who: Principal, now: datetime, events: list[DossierEvent] | None = None
) -> DossierOut:
    """The API view of a stored dossier row (with its timeline, if given)."""
    return view(record_of(d), who, now,
                None if events is None else [_timeline_event(e, who) for e in events])


COVERED_DOSSIER = ("dossier_not_found", "outside_unit_scope")
"""The problem codes of `covered_dossier`, for the operations on one dossier."""


def covered_dossier(session: Session, who: Principal, code: str) -> Dossier:
    """The dossier with this code, 404 if none, 403 if the key's unit does not cover it."""
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None:
        raise NotFound(f"No dossier with code '{code}'.", code="dossier_not_found")
    ensure_covers(who, *(unit_facts(u) for u in _units_of(session, dossier)))
    return dossier


def get_dossier(session: Session, who: Principal, code: str, now: datetime) -> DossierOut:
    """One dossier with its timeline."""
    dossier = covered_dossier(session, who, code)
    events = list(session.scalars(
        select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)
        .order_by(DossierEvent.at, DossierEvent.id)
    ))
    return dossier_out(dossier, who, now, events)


def receipt_appointment(session: Session, code: str) -> datetime | None:
    """The appointment given at receipt, as answered then (before any pause moved it)."""
    answer = session.scalar(
        select(DossierEvent.response).join(Dossier)
        .where(Dossier.code == code, DossierEvent.type == RECEIPT))
    due = answer.get("due_at") if isinstance(answer, dict) else None
    return datetime.fromisoformat(due) if isinstance(due, str) else None


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time(0), VN_TZ)


def list_dossiers(
    session: Session, who: Principal, now: datetime, *,
    unit: str | None, include_descendants: bool, status: list[str] | None,
    channel: str | None, received_from: date | None, received_to: date | None,
    due_before: datetime | None, overdue: bool | None, cursor: str | None, limit: int,
) -> tuple[list[DossierOut], str | None]:
    """Dossiers newest first, filtered, restricted to the key's subtree."""
    query = select(Dossier).order_by(Dossier.id.desc()).limit(limit)
    scopes = [p for p in (who.unit_path,) if p]
    if unit is not None:
        # A unit outside the key's subtree is refused, not answered with an empty page.
        base = covered_unit(session, who, unit)
        if include_descendants:
            scopes.append(base.path)
        else:
            query = query.where((Dossier.handling_unit == unit) | (Dossier.receiving_unit == unit))
    for path in scopes:
        codes = select(Unit.code).where(Unit.path.startswith(path, autoescape=True))
        query = query.where(Dossier.handling_unit.in_(codes) | Dossier.receiving_unit.in_(codes))
    if status:
        query = query.where(Dossier.status.in_(status))
    if channel:
        query = query.where(Dossier.channel == channel)
    if received_from:
        query = query.where(Dossier.received_at >= _day_start(received_from))
    if received_to:
        query = query.where(Dossier.received_at < _day_start(received_to + timedelta(days=1)))
    if due_before:
        query = query.where(Dossier.due_at < due_before)
    if overdue is not None:
        late = (Dossier.status.in_(rules.OPEN) & Dossier.paused_at.is_(None)
                & (Dossier.due_at < now))
        query = query.where(late if overdue else ~late)
    if cursor:
        query = query.where(Dossier.id < decode_cursor(cursor, BY_ID)[0])
    rows = list(session.scalars(query))
    nxt = encode_cursor(rows[-1].id) if len(rows) == limit else None
    return [dossier_out(d, who, now) for d in rows], nxt
