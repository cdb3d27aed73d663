"""The sync state: which dossiers the portal lacks, claims, outcomes, replay, reconciliation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit.service import record
from app.auth.rules import Principal
from app.catalog.models import Procedure, Unit
from app.core.clock import VN_TZ
from app.core.problems import InvalidParam, NotFound, Unprocessable
from app.dossiers.models import Dossier, DossierEvent
from app.notifications.rules import retry_delay
from app.portal import rules
from app.portal.models import PortalSync
from app.portal.schemas import DeadOut, ReconciliationOut, ReplayOut, UnitDayOut


def discover(session: Session, now: datetime, limit: int) -> int:
    """Queue every dossier whose latest event is newer than what the portal acknowledged."""
    latest = (select(DossierEvent.dossier_id, func.max(DossierEvent.id).label("version"))
              .group_by(DossierEvent.dossier_id).subquery())
    rows = session.execute(
        select(latest.c.dossier_id, PortalSync)
        .outerjoin(PortalSync, PortalSync.dossier_id == latest.c.dossier_id)
        # A pending row is already queued; a dead one waits for a replay, so that a later
        # update never overtakes an earlier one that failed.
        .where(or_(PortalSync.dossier_id.is_(None),
                   and_(PortalSync.state == "acked",
                        latest.c.version > func.coalesce(PortalSync.acked_version, 0))))
        .order_by(latest.c.dossier_id).limit(limit)
    ).all()
    for dossier_id, sync in rows:
        if sync is None:
            try:
                with session.begin_nested():
                    session.add(PortalSync(dossier_id=dossier_id, state="pending", attempts=0,
                                           next_attempt_at=now))
                    session.flush()
            except IntegrityError:
                continue  # another worker queued it first
        else:
            sync.state, sync.attempts, sync.next_attempt_at = "pending", 0, now
    session.flush()
    return len(rows)


@dataclass(frozen=True)
class Attempt:
    """A claimed dossier: the two bodies to post, the version they carry, the portal unit."""

    dossier_id: int
    code: str
    version: int
    madonvi: str
    dossier_body: dict[str, Any]
    steps_body: dict[str, Any]
    attempts: int


def _portal_view(session: Session, dossier: Dossier
                 ) -> tuple[rules.PortalDossier, list[rules.TimelineEvent], int]:
    procedure = session.get_one(Procedure, dossier.procedure_code)
    events = list(session.scalars(select(DossierEvent).where(
        DossierEvent.dossier_id == dossier.id).order_by(DossierEvent.id)))
    codes = {dossier.receiving_unit, dossier.handling_unit} | {
        str(e.payload["to_unit"]) for e in events if e.payload.get("to_unit")}
    names = dict(session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(codes))).all())
    unit = dossier.receiving_unit
    timeline = []
    for e in events:
        to_unit = e.payload.get("to_unit")
        timeline.append(rules.TimelineEvent(
            id=e.id, type=e.type, at=e.at, unit_code=unit, unit_name=names.get(unit, unit),
            to_unit_name=names.get(str(to_unit), str(to_unit)) if to_unit else None))
        unit = str(to_unit) if to_unit else unit
    view = rules.PortalDossier(
        code=dossier.code, status=dossier.status, procedure_code=procedure.code,
        procedure_name=procedure.name, field_code=procedure.field_code,
        field_name=procedure.field_name, applicant_kind=dossier.applicant_kind,
        applicant_name=dossier.applicant_name, applicant_phone=dossier.applicant_phone,
        handling_unit_name=names.get(dossier.handling_unit, dossier.handling_unit),
        received_at=dossier.received_at, due_at=dossier.due_at,
        rescheduled_due_at=dossier.rescheduled_due_at, finished_at=dossier.finished_at,
        returned_at=dossier.returned_at,
        by_post=dossier.return_method == "postal"
        or any(e.type == "return_by_post_requested" for e in timeline))
    return view, timeline, max(e.id for e in events)


def claim_due(session: Session, now: datetime, lease: timedelta, limit: int,
              unit_codes: dict[str, str]) -> list[Attempt]:
    """Take due dossiers for one attempt each; the lease hides them from other workers."""
    rows = session.execute(
        select(PortalSync, Dossier).join(Dossier, Dossier.id == PortalSync.dossier_id)
        .where(PortalSync.state == "pending", PortalSync.next_attempt_at <= now)
        .order_by(PortalSync.next_attempt_at, PortalSync.dossier_id).limit(limit)
        .with_for_update(skip_locked=True, of=PortalSync)
    ).all()
    claimed = []
    for sync, dossier in rows:
        sync.attempts += 1
        sync.next_attempt_at = now + lease
        view, timeline, version = _portal_view(session, dossier)
        # After a failed try the portal may hold the dossier already: update, not create.
        updating = sync.acked_version is not None or sync.attempts > 1
        claimed.append(Attempt(
            dossier.id, dossier.code, version,
            unit_codes.get(dossier.receiving_unit, dossier.receiving_unit),
            rules.dossier_payload(view, timeline, updating),
            {"data": rules.steps(dossier.code, timeline)}, sync.attempts))
    session.flush()
    return claimed


def record_outcome(session: Session, attempt: Attempt, ack: dict[str, Any] | None,
                   error: str | None, now: datetime, base: timedelta, cap: timedelta,
                   max_attempts: int) -> bool:
    """Store a call's outcome; True only the first time this dossier version is acknowledged."""
    sync = session.get(PortalSync, attempt.dossier_id)
    if sync is None:
        return False  # the dossier was deleted meanwhile
    if error is None:
        first = sync.acked_version is None or attempt.version > sync.acked_version
        if first:
            sync.acked_version, sync.ack, sync.acked_at = attempt.version, ack, now
        if sync.state == "pending":
            # Newer events are queued again by the next pass, carrying the whole state.
            sync.state, sync.attempts, sync.last_error = "acked", 0, None
        session.flush()
        return first
    sync.last_error = error[:500]
    if sync.state == "pending":
        if attempt.attempts >= max_attempts:
            sync.state = "dead"
        else:
            sync.next_attempt_at = now + retry_delay(attempt.attempts, base, cap)
    session.flush()
    return False


def _local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return (datetime.combine(first, time.min, VN_TZ),
            datetime.combine(last + timedelta(days=1), time.min, VN_TZ))


def replay(session: Session, who: Principal, now: datetime, dossier: str | None,
           first: date | None, last: date | None) -> ReplayOut:
    """Queue dead or acknowledged dossiers again, by code or by receipt day range."""
    query = select(PortalSync, Dossier.code).join(Dossier, Dossier.id == PortalSync.dossier_id)
    if dossier is not None:
        if first is not None or last is not None:
            raise Unprocessable("Give a dossier or a day range, not both.", code="replay_scope",
                                invalid_params=[InvalidParam("dossier", "replay_scope",
                                                             "not with from/to")])
        if session.scalar(select(Dossier.id).where(Dossier.code == dossier)) is None:
            raise NotFound(f"No dossier {dossier}.", code="dossier_not_found")
        query = query.where(Dossier.code == dossier)
    elif first is not None and last is not None:
        if last < first:
            raise Unprocessable("`to` is before `from`.", code="invalid_range",
                                invalid_params=[InvalidParam("to", "invalid_range",
                                                             "before from")])
        start, end = _local_day_bounds(first, last)
        query = query.where(Dossier.received_at >= start, Dossier.received_at < end)
    else:
        missing = "from" if first is None else "to"
        raise Unprocessable("Give `dossier`, or both `from` and `to`.", code="replay_scope",
                            invalid_params=[InvalidParam(missing, "missing",
                                                         "required without dossier")])
    codes = []
    for sync, code in session.execute(query.where(PortalSync.state.in_(("dead", "acked")))):
        sync.state, sync.attempts, sync.next_attempt_at, sync.last_error = (
            "pending", 0, now, None)
        codes.append(code)
    session.flush()
    record(session, who, now, "replay", "portal_sync", dossier or f"{first}..{last}", None,
           {"dossiers": len(codes)})
    return ReplayOut(queued=len(codes), dossiers=sorted(codes))


def dead_letters(session: Session, limit: int) -> list[DeadOut]:
    """Dossiers the worker gave up on, oldest first."""
    rows = session.execute(
        select(PortalSync, Dossier.code).join(Dossier, Dossier.id == PortalSync.dossier_id)
        .where(PortalSync.state == "dead").order_by(PortalSync.dossier_id).limit(limit))
    return [DeadOut(dossier=code, attempts=s.attempts, last_error=s.last_error,
                    acked_version=s.acked_version, last_attempt_lease_end=s.next_attempt_at)
            for s, code in rows]


def reconciliation(session: Session, day: date, unit: str | None) -> ReconciliationOut:
    """Per receiving unit on a local day: our dossiers against what the portal acknowledged."""
    start, end = _local_day_bounds(day, day)
    latest = (select(DossierEvent.dossier_id, func.max(DossierEvent.id).label("version"))
              .join(Dossier, Dossier.id == DossierEvent.dossier_id)
              .where(Dossier.received_at >= start, Dossier.received_at < end)
              .group_by(DossierEvent.dossier_id).subquery())
    query = (select(Dossier.id, Dossier.code, Dossier.receiving_unit, Dossier.status,
                    latest.c.version, PortalSync.acked_version)
             .join(latest, latest.c.dossier_id == Dossier.id)
             .outerjoin(PortalSync, PortalSync.dossier_id == Dossier.id))
    if unit is not None:
        query = query.where(Dossier.receiving_unit == unit)
    rows = session.execute(query).all()
    refused = [r.id for r in rows if r.status == "refused"]
    types: dict[int, list[str]] = defaultdict(list)
    if refused:
        for dossier_id, type_ in session.execute(
                select(DossierEvent.dossier_id, DossierEvent.type)
                .where(DossierEvent.dossier_id.in_(refused)).order_by(DossierEvent.id)):
            types[dossier_id].append(type_)
    ours: dict[str, set[str]] = defaultdict(set)
    acked: dict[str, set[str]] = defaultdict(set)
    received: dict[str, int] = defaultdict(int)
    synced: dict[str, int] = defaultdict(int)
    for r in rows:
        ours[r.receiving_unit].add(r.code)
        if r.acked_version is not None and r.acked_version >= r.version:
            acked[r.receiving_unit].add(r.code)
        # Refused at receipt is synced too (code 3) but is in no received total.
        if not rules.refused_at_receipt(types.get(r.id, [])):
            received[r.receiving_unit] += 1
            synced[r.receiving_unit] += r.acked_version is not None
    days = [rules.DayCount(u, day, frozenset(ours[u]), frozenset(acked[u])) for u in sorted(ours)]
    units = [UnitDayOut(unit=d.unit, day=d.day, dossiers=len(d.received),
                        acknowledged=len(d.acknowledged), missing=d.missing,
                        received=received[d.unit], synced=synced[d.unit],
                        indicator_1_4=rules.share(synced[d.unit], received[d.unit]))
             for d in days]
    return ReconciliationOut(
        day=day, units=units,
        differences=[u for u, d in zip(units, days, strict=True)
                     if d in rules.differences(days)],
        received=sum(received.values()), synced=sum(synced.values()),
        indicator_1_4=rules.share(sum(synced.values()), sum(received.values())))
