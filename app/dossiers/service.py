"""Dossier use cases: receive, apply events, read. Services flush; the request commits."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import fields
from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.service import jsonable, record
from app.auth.rules import Principal
from app.calendar.rules import VN_TZ, WorkCalendar
from app.calendar.service import calendar_for
from app.catalog.models import Procedure, Unit
from app.catalog.service import get_procedure, referenced_unit
from app.core.problems import (
    Conflict,
    Forbidden,
    InvalidParam,
    NotFound,
    ProblemError,
    Unprocessable,
    validation_problem,
)
from app.dossiers import rules
from app.dossiers.models import Dossier, DossierEvent, DossierSequence
from app.dossiers.schemas import (
    ApplicantOut,
    DossierIn,
    DossierOut,
    EventIn,
    TimelineEvent,
)
from app.postal import service as postal
from app.stats import service as stats
from app.stats.rules import EventFact

STATE_FIELDS = tuple(f.name for f in fields(rules.DossierState))
RECEIPT = "received"


class Answer:
    """A write's answer: the body, and whether it replays an earlier identical request."""

    __slots__ = ("body", "replayed")

    def __init__(self, body: dict[str, Any], replayed: bool) -> None:
        self.body = body
        self.replayed = replayed


def fingerprint(payload: dict[str, Any]) -> str:
    """A stable hash of a request body, to spot an id reused for a different request."""
    canonical = json.dumps(jsonable(payload), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def state_of(d: Dossier) -> rules.DossierState:
    """The rule-level state stored on a dossier row."""
    return rules.DossierState(**{name: getattr(d, name) for name in STATE_FIELDS})


def _state_fields(state: rules.DossierState) -> dict[str, Any]:
    # Not dataclasses.asdict: it deep-copies every datetime, a measurable cost per event;
    # the fields are immutable values, so a shallow read is the same.
    return {name: getattr(state, name) for name in STATE_FIELDS}


def _store_state(d: Dossier, state: rules.DossierState, now: datetime) -> None:
    for name, value in _state_fields(state).items():
        setattr(d, name, value)
    d.updated_at = now


def _ensure_covers(who: Principal, *units: Unit) -> None:
    if not any(who.covers(u.path) for u in units):
        raise Forbidden("This key's unit does not cover this dossier.", code="outside_unit_scope")


def _next_sequence(session: Session, unit_code: str, day: date) -> int:
    """Take the next number of the unit's day, atomically: the row lock serialises receipts."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(DossierSequence).values(unit_code=unit_code, day=day, last=1)
        .on_conflict_do_update(
            index_elements=["unit_code", "day"], set_={"last": DossierSequence.last + 1}
        )
        .returning(DossierSequence.last)
    )
    return int(session.execute(stmt).scalar_one())


def _replay(event: DossierEvent, request_hash: str) -> Answer:
    if event.request_hash != request_hash:
        raise Conflict(
            f"The id '{event.client_id}' was already used for a different request.",
            code="idempotency_key_reused",
        )
    return Answer(event.response, replayed=True)


def receive(
    session: Session, who: Principal, body: DossierIn, now: datetime, skew: timedelta
) -> Answer:
    """Receive a dossier: number it, set its appointment, open its timeline."""
    request_hash = fingerprint(body.model_dump(exclude_unset=True))
    receiving = referenced_unit(session, body.receiving_unit, "receiving_unit")
    _ensure_covers(who, receiving)
    if body.client_ref is not None:
        earlier = _receipt_by_ref(session, body.receiving_unit, body.client_ref)
        if earlier is not None:
            return _replay(earlier, request_hash)
    handling = referenced_unit(session, body.handling_unit or body.receiving_unit, "handling_unit")
    procedure = get_procedure_for(session, body.procedure)
    if body.channel == "online" and not procedure.online:
        raise Unprocessable(
            f"Procedure '{procedure.code}' cannot be filed online.", code="channel_not_offered",
            invalid_params=[InvalidParam("channel", "not_offered", "not offered online")],
        )
    received_at = body.received_at or now
    rules.check_receipt_time(received_at, now, skew)
    cal = calendar_for(session, receiving, received_at)
    state = rules.receive(
        handling.code, received_at,
        rules.ProcessingTime(days=procedure.processing_days, hours=procedure.processing_hours),
        cal,
    )
    try:
        with session.begin_nested():
            seq = _next_sequence(session, receiving.code, rules.local_day(received_at))
            dossier = Dossier(
                code=rules.dossier_code(receiving.code, rules.local_day(received_at), seq),
                province_code=receiving.province_code, procedure_code=procedure.code,
                receiving_unit=receiving.code, channel=body.channel, client_ref=body.client_ref,
                applicant_kind=body.applicant.kind, applicant_name=body.applicant.name,
                applicant_id_number=body.applicant.id_number,
                applicant_phone=body.applicant.phone, applicant_address=body.applicant.address,
            )
            _store_state(dossier, state, now)
            session.add(dossier)
            session.flush()
    except IntegrityError:
        # A concurrent retry with the same client_ref won the race: answer as it did.
        earlier = _receipt_by_ref(session, body.receiving_unit, body.client_ref or "")
        if earlier is None:
            raise
        return _replay(earlier, request_hash)
    receipt = DossierEvent(
        dossier_id=dossier.id, client_id=body.client_ref or RECEIPT, type=RECEIPT,
        at=received_at, recorded_at=now, key_id=who.key_id,
        payload={"channel": body.channel, "procedure": procedure.code,
                 "receiving_unit": receiving.code, "handling_unit": handling.code,
                 "documents": body.documents, "waybill": body.waybill},
        flags={}, request_hash=request_hash, response={},
    )
    session.add(receipt)
    session.flush()
    stats.apply(session, None, stats.contribution(session, dossier, []))
    postal.on_receipt(session, dossier, body)
    out = dossier_out(dossier, who, now)
    receipt.response = out.model_dump(mode="json")
    record(session, who, now, "receive", "dossier", dossier.code, None,
           {"status": state.status, "due_at": state.due_at.isoformat(),
            "procedure": procedure.code, "channel": body.channel})
    return Answer(receipt.response, replayed=False)


def get_procedure_for(session: Session, code: str) -> Procedure:
    """The procedure a new dossier names; an unknown one is a field error, not a 404."""
    try:
        return get_procedure(session, code)
    except NotFound as exc:
        raise Unprocessable(
            exc.detail, code="unknown_procedure",
            invalid_params=[InvalidParam("procedure", "unknown_procedure", exc.detail)],
        ) from exc


def _receipt_by_ref(session: Session, unit: str, ref: str) -> DossierEvent | None:
    return session.scalar(
        select(DossierEvent).join(Dossier).where(
            Dossier.receiving_unit == unit, Dossier.client_ref == ref,
            DossierEvent.type == RECEIPT,
        )
    )


def _load_for_update(session: Session, code: str) -> Dossier:
    # FOR UPDATE serialises events on one dossier (PostgreSQL); SQLite writers already queue.
    dossier = session.scalar(select(Dossier).where(Dossier.code == code).with_for_update())
    if dossier is None:
        raise NotFound(f"No dossier with code '{code}'.", code="dossier_not_found")
    return dossier


def _units_of(session: Session, d: Dossier) -> tuple[Unit, Unit]:
    receiving = session.get(Unit, d.receiving_unit)
    handling = session.get(Unit, d.handling_unit)
    assert receiving is not None and handling is not None  # foreign keys guarantee both
    return receiving, handling


def _calendar(session: Session, d: Dossier, receiving: Unit, until: datetime) -> WorkCalendar:
    # The appointment is the receiving counter's promise, so its calendar keeps the clock.
    return calendar_for(session, receiving, d.received_at, until)


def post_event(
    session: Session, who: Principal, code: str, event: EventIn, now: datetime,
    skew: timedelta,
) -> Answer:
    """Apply one event to a dossier, or replay the answer to an id already seen."""
    dossier = _load_for_update(session, code)
    receiving, handling = _units_of(session, dossier)
    _ensure_covers(who, receiving, handling)
    payload = event.model_dump(exclude_unset=True)
    request_hash = fingerprint(payload)
    earlier = session.scalar(
        select(DossierEvent).where(
            DossierEvent.dossier_id == dossier.id, DossierEvent.client_id == event.id
        )
    )
    if earlier is not None:
        return _replay(earlier, request_hash)
    if event.type == "transferred":
        referenced_unit(session, event.to_unit, "to_unit")
    old = state_of(dossier)
    counted = stats.stat_events(session, dossier.id)
    before = stats.contribution(session, dossier, counted)
    new, flags = rules.apply_event(
        old,
        rules.Event(
            type=event.type, at=event.at,
            to_unit=getattr(event, "to_unit", None),
            new_due_at=getattr(event, "new_due_at", None),
            method=getattr(event, "method", None),
            rating=getattr(event, "rating", None),
        ),
        _calendar(session, dossier, receiving, max(event.at, now)),
        now, skew,
    )
    _store_state(dossier, new, now)
    if event.type in stats.STAT_EVENTS:
        counted.append(EventFact(event.type, event.at, flags))
    stats.apply(session, before, stats.contribution(session, dossier, counted))
    # The delivery address is personal data: it lives on the postal return, not the timeline.
    details = {k: v for k, v in payload.items() if k not in ("id", "type", "at", "delivery")}
    row = DossierEvent(
        dossier_id=dossier.id, client_id=event.id, type=event.type, at=event.at,
        recorded_at=now, key_id=who.key_id, payload=jsonable(details), flags=flags,
        request_hash=request_hash, response={},
    )
    session.add(row)
    session.flush()
    postal.after_event(session, dossier, event, now)
    row.response = {
        "event": _timeline_event(row).model_dump(mode="json"),
        "dossier": dossier_out(dossier, who, now).model_dump(mode="json"),
    }
    record(session, who, now, event.type, "dossier", dossier.code, _diff_side(old, new, True),
           _diff_side(old, new, False))
    return Answer(row.response, replayed=False)


def _diff_side(
    old: rules.DossierState, new: rules.DossierState, before: bool
) -> dict[str, Any]:
    """Only the fields the event changed, so the audit trail shows old and new side by side."""
    a, b = _state_fields(old), _state_fields(new)
    side = a if before else b
    return {k: jsonable(side[k]) for k in a if a[k] != b[k]}


def _timeline_event(e: DossierEvent) -> TimelineEvent:
    return TimelineEvent(id=e.client_id, type=e.type, at=e.at, recorded_at=e.recorded_at,
                         details=e.payload, flags=e.flags)


def dossier_out(
    d: Dossier, who: Principal, now: datetime, events: list[DossierEvent] | None = None
) -> DossierOut:
    """The API view of a dossier; applicant details only for roles that need them."""
    applicant = None
    if who.sees_personal_data:
        applicant = ApplicantOut(kind=d.applicant_kind, name=d.applicant_name,
                                 id_number=d.applicant_id_number, phone=d.applicant_phone,
                                 address=d.applicant_address)
    return DossierOut(
        code=d.code, status=d.status, procedure=d.procedure_code,
        receiving_unit=d.receiving_unit, handling_unit=d.handling_unit, channel=d.channel,
        client_ref=d.client_ref, received_at=d.received_at, due_at=d.due_at,
        rescheduled_due_at=d.rescheduled_due_at,
        timeliness=d.timeliness,
        overdue=rules.is_overdue(state_of(d), now), paused=d.paused_at is not None,
        supplement_count=d.supplement_count, apology_count=d.apology_count,
        resolved_at=d.resolved_at,
        processing_working_days=(None if d.processing_millidays is None
                                 else d.processing_millidays / 1000),
        finished_at=d.finished_at, returned_at=d.returned_at,
        return_method=d.return_method, rating=d.rating, applicant=applicant,
        timeline=None if events is None else [_timeline_event(e) for e in events],
    )


def get_dossier(session: Session, who: Principal, code: str, now: datetime) -> DossierOut:
    """One dossier with its timeline."""
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None:
        raise NotFound(f"No dossier with code '{code}'.", code="dossier_not_found")
    _ensure_covers(who, *_units_of(session, dossier))
    events = list(session.scalars(
        select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)
        .order_by(DossierEvent.at, DossierEvent.id)
    ))
    return dossier_out(dossier, who, now, events)


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time(0), VN_TZ)


def encode_cursor(last_id: int) -> str:
    """An opaque keyset cursor."""
    return base64.urlsafe_b64encode(str(last_id).encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The id a cursor stands for; a forged one is a 422."""
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unprocessable("The cursor is not valid.", code="invalid_cursor",
                            invalid_params=[InvalidParam("cursor", "invalid", "not a cursor")]
                            ) from exc


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
        base = session.get(Unit, unit)
        if base is None:
            raise NotFound(f"No unit with code '{unit}'.", code="unit_not_found")
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
        query = query.where(Dossier.id < decode_cursor(cursor))
    rows = list(session.scalars(query))
    nxt = encode_cursor(rows[-1].id) if len(rows) == limit else None
    return [dossier_out(d, who, now) for d in rows], nxt


def run_batch(
    session: Session, items: list[dict[str, Any]], instance: str,
    apply: Callable[[dict[str, Any]], Answer],
) -> list[dict[str, Any]]:
    """Apply each item in its own savepoint: a bad item is rolled back alone and reported."""
    results: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        try:
            with session.begin_nested():
                answer: Answer = apply(item)
        except ValidationError as exc:
            results.append({"index": index, "status": 422, "replayed": False,
                            "body": validation_problem(list(exc.errors()), instance)})
        except ProblemError as exc:
            results.append({"index": index, "status": exc.status, "replayed": False,
                            "body": exc.body(instance)})
        else:
            results.append({"index": index, "status": 201, "replayed": answer.replayed,
                            "body": answer.body})
    return results
