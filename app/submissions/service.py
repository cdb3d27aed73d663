"""Online pre-receipt: filing a submission, the officer's check and its queue, the figures.

An accepted submission is received through the dossiers' write pipeline, in the same
transaction as its decision, as a batch receipt is (app/dossiers/intake.py); a refused
receipt leaves the submission waiting.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.service import record, snapshot
from app.auth.rules import Principal
from app.calendar.service import calendar_for
from app.catalog.models import Procedure, Unit
from app.catalog.service import covered_unit, referenced_unit
from app.core.clock import day_start
from app.core.cursor import (
    BY_INSTANT_AND_ID,
    decode_cursor,
    encode_cursor,
    instant_position,
    position_instant,
)
from app.core.problems import NotFound
from app.dossiers import intake
from app.dossiers.decisions import (
    Answer,
    Caller,
    ensure_covers,
    not_offered_online,
    replay,
    unknown_procedure,
)
from app.dossiers.pipeline import Pipeline
from app.dossiers.records import unit_facts
from app.dossiers.rules import check_not_future
from app.dossiers.schemas import ApplicantIn, ApplicantOut, DossierIn
from app.submissions import rules
from app.submissions.models import Submission
from app.submissions.schemas import NotAcceptIn, SubmissionIn, SubmissionOut
from app.worktime.rules import WorkCalendar

ENTITY = "submission"
# Kept apart from the stored receipt body: the submission's own columns hold them, and the
# dossier's receipt time is the acceptance's. The portal's id stays the submission's, so it
# never meets a counter's client_ref among the dossiers.
_NOT_IN_BODY = {"submitted_at", "channel", "client_ref"}
# How far ahead, in calendar days, a check deadline can lie and still be within N working
# hours: a working day has at least one working hour, and Tết with its weekends is the longest
# run of days off (about ten days).
_LONGEST_BREAK_DAYS = 14
_ROWS_PER_FETCH = 200


def submission_out(s: Submission, who: Principal, now: datetime) -> SubmissionOut:
    """A submission as this key may see it: the applicant and free text only for counter
    and admin keys."""
    personal = who.sees_personal_data
    applicant = ApplicantIn.model_validate(s.body["applicant"])
    return SubmissionOut(
        id=s.id, status=s.status, procedure=s.procedure_code, receiving_unit=s.receiving_unit,
        client_ref=s.client_ref, submitted_at=s.submitted_at, check_due_at=s.check_due_at,
        overdue=rules.overdue(s.status, s.check_due_at, now), decided_at=s.decided_at,
        checked_late=s.checked_late, dossier_code=s.dossier_code, reason_code=s.reason_code,
        reason_label=rules.label(s.reason_code), reason=s.reason if personal else None,
        documents=list(s.body.get("documents", [])),
        applicant=ApplicantOut.model_validate(applicant.model_dump()) if personal else None,
    )


def _answer(s: Submission, who: Principal, now: datetime) -> dict[str, Any]:
    return submission_out(s, who, now).model_dump(mode="json")


def _by_ref(session: Session, unit: str, ref: str) -> Submission | None:
    return session.scalar(select(Submission).where(Submission.receiving_unit == unit,
                                                   Submission.client_ref == ref))


def submit(session: Session, who: Principal, body: SubmissionIn, now: datetime,
           skew: timedelta, check_hours: int) -> Answer:
    """File an online submission, waiting for its check; a retry with its client_ref answers
    with the submission as it stands (409 if the body differs)."""
    unit = referenced_unit(session, body.receiving_unit, "receiving_unit")
    ensure_covers(who, unit_facts(unit))
    fingerprint = intake.fingerprint(body.model_dump(exclude_unset=True))
    if body.client_ref is not None:
        earlier = _by_ref(session, unit.code, body.client_ref)
        if earlier is not None:
            return _replay(who, now, earlier, fingerprint)
    procedure = session.get(Procedure, body.procedure)
    if procedure is None:
        raise unknown_procedure(body.procedure)
    if not procedure.online:
        raise not_offered_online(procedure.code)
    submitted_at = body.submitted_at or now
    check_not_future(submitted_at, now, skew, "submitted_at", "submitted_in_future")
    row = Submission(
        province_code=unit.province_code, receiving_unit=unit.code,
        procedure_code=procedure.code, client_ref=body.client_ref, submitted_at=submitted_at,
        check_due_at=rules.check_due(calendar_for(session, unit, submitted_at), submitted_at,
                                     check_hours),
        status="waiting", body=body.model_dump(mode="json", exclude=_NOT_IN_BODY),
        request_hash=fingerprint, created_by=who.key_id, created_at=now)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # A concurrent retry stored this client_ref first: answer as it was answered.
        earlier = _by_ref(session, unit.code, body.client_ref or "")
        if earlier is None:
            raise
        return _replay(who, now, earlier, fingerprint)
    return Answer(_answer(row, who, now), replayed=False)


def _replay(who: Principal, now: datetime, earlier: Submission, fingerprint: str) -> Answer:
    return intake.settle(replay(who, earlier.client_ref or "",
                                (earlier.request_hash, _answer(earlier, who, now)), fingerprint))


def _decided(session: Session, who: Principal, submission_id: int) -> Submission:
    """The submission, locked for its decision, which the key's unit must cover."""
    row = session.scalar(select(Submission).where(Submission.id == submission_id)
                         .with_for_update())
    if row is None:
        raise NotFound(f"No submission {submission_id}.", code="submission_not_found")
    unit = session.get(Unit, row.receiving_unit)
    assert unit is not None  # the foreign key holds it
    ensure_covers(who, unit_facts(unit))
    return row


_DECISION_FIELDS = ("status", "decided_at", "checked_late", "dossier_code", "reason_code",
                    "reason")


def _decision(row: Submission) -> dict[str, Any]:
    return snapshot(row, _DECISION_FIELDS)


def accept(session: Session, pipeline: Pipeline, who: Principal, submission_id: int,
           at: datetime, now: datetime, skew: timedelta) -> dict[str, Any]:
    """Receive the submission as a dossier at `at` through the receipt path; the dossier and
    the submission after it."""
    row = _decided(session, who, submission_id)
    before = _decision(row)
    rules.decide(row.status, "accepted", at, row.submitted_at, now, skew)
    receipt = DossierIn.model_validate({**row.body, "channel": "online", "received_at": at})
    [outcome] = intake.receive_many(session, pipeline,
                                    [(Caller(who, now), intake.receipt_command(receipt))])
    dossier = intake.settle(outcome).body
    row.status, row.decided_at, row.dossier_code = "accepted", at, dossier["code"]
    row.checked_late = rules.checked_late(at, row.check_due_at)
    session.flush()
    record(session, who, now, "accept", ENTITY, str(row.id), before, _decision(row))
    return {"dossier": dossier, "submission": _answer(row, who, now)}


def not_accept(session: Session, who: Principal, submission_id: int, body: NotAcceptIn,
               now: datetime, skew: timedelta) -> SubmissionOut:
    """Decline the submission with its reason: it never becomes a dossier."""
    row = _decided(session, who, submission_id)
    before = _decision(row)
    rules.decide(row.status, "not_accepted", body.at, row.submitted_at, now, skew)
    row.status, row.decided_at = "not_accepted", body.at
    row.reason_code, row.reason = body.reason_code, body.reason
    row.checked_late = rules.checked_late(body.at, row.check_due_at)
    session.flush()
    record(session, who, now, "not_accept", ENTITY, str(row.id), before, _decision(row))
    return submission_out(row, who, now)


def get(session: Session, who: Principal, submission_id: int, now: datetime) -> SubmissionOut:
    """One submission, which the key's unit must cover."""
    found = session.execute(select(Submission, Unit).join(
        Unit, Unit.code == Submission.receiving_unit).where(Submission.id == submission_id)
    ).first()
    if found is None:
        raise NotFound(f"No submission {submission_id}.", code="submission_not_found")
    row, unit = found
    ensure_covers(who, unit_facts(unit))
    return submission_out(row, who, now)


def queue(session: Session, who: Principal, now: datetime, *, unit: str | None, status: str,
          due_within_hours: int | None, cursor: str | None, limit: int
          ) -> tuple[list[SubmissionOut], str | None]:
    """Submissions in a status, soonest check deadline first, within the key's subtree; with
    `due_within_hours`, only those waiting and about to miss their check."""
    query = (select(Submission, Unit).join(Unit, Unit.code == Submission.receiving_unit)
             .where(Submission.status == status)
             .order_by(Submission.check_due_at, Submission.id)
             .execution_options(yield_per=_ROWS_PER_FETCH))
    base = None if unit is None else covered_unit(session, who, unit).path
    for path in [p for p in (who.unit_path, base) if p]:
        query = query.where(Unit.path.startswith(path, autoescape=True))
    if cursor:
        due, last = decode_cursor(cursor, BY_INSTANT_AND_ID)
        after = position_instant(due)
        query = query.where(or_(Submission.check_due_at > after,
                                and_(Submission.check_due_at == after, Submission.id > last)))
    if due_within_hours is None:
        query = query.limit(limit)
    else:
        query = query.where(Submission.check_due_at >= now, Submission.check_due_at <= now
                            + timedelta(days=_LONGEST_BREAK_DAYS + due_within_hours))
    calendars: dict[str, WorkCalendar] = {}
    found: list[Submission] = []
    for row, receiving in session.execute(query):
        if due_within_hours is not None:
            cal = calendars.get(receiving.code) or calendar_for(session, receiving, now)
            calendars[receiving.code] = cal
            if not rules.about_to_miss(row.status, row.check_due_at, now, cal,
                                       due_within_hours):
                continue  # another unit's calendar may still bring a later one within reach
        found.append(row)
        if len(found) == limit:
            break
    nxt = (encode_cursor(instant_position(found[-1].check_due_at), found[-1].id)
           if len(found) == limit else None)
    return [submission_out(r, who, now) for r in found], nxt


def figures(session: Session, base: Unit, start: date, end: date) -> dict[str, int]:
    """The pre-receipt figures of a unit's subtree for the days start..end, from the
    submissions table."""
    lo, hi = day_start(start), day_start(end + timedelta(days=1))
    decided_in: ColumnElement[bool] = and_(Submission.decided_at >= lo,
                                           Submission.decided_at < hi)
    row = session.execute(
        select(
            func.count().filter(Submission.submitted_at >= lo, Submission.submitted_at < hi),
            func.count().filter(Submission.status == "accepted", decided_in),
            func.count().filter(Submission.status == "not_accepted", decided_in),
            func.count().filter(Submission.submitted_at < hi,
                                or_(Submission.decided_at.is_(None), Submission.decided_at >= hi)),
            func.count().filter(Submission.checked_late.is_(True), decided_in),
        ).select_from(Submission).join(Unit, Unit.code == Submission.receiving_unit)
        .where(Unit.path.startswith(base.path, autoescape=True))
    ).one()
    return dict(zip(("submitted", "accepted", "not_accepted", "waiting", "checked_late"), row,
                    strict=True))
