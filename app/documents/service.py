"""The forms of one dossier, built from its state and timeline."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.auth.rules import Principal
from app.catalog.headings import form_number
from app.catalog.models import Procedure, ProcedureVersion, Unit
from app.catalog.rules import ProcedureStep
from app.catalog.schemas import ProcessingTimeIn, rule_steps
from app.catalog.service import covered_unit, unit_heading
from app.core.clock import VN_TZ
from app.core.problems import Conflict, InvalidParam, Unprocessable
from app.dossiers.models import Dossier, DossierEvent
from app.dossiers.rules import show_secret
from app.dossiers.schemas import DossierOut, TimelineEvent
from app.dossiers.views import get_dossier, receipt_appointment
from app.postal.service import postal_return_of

from .context import (
    ApologyContext,
    Applicant,
    ControlSheetContext,
    DocumentContext,
    DocumentKind,
    ReceiptContext,
    RefusalContext,
    StopContext,
    SupplementContext,
)
from .register import Register
from .rules import HeldStep, RegisterEntry, Step, control_sheet_rows, process_rows


def _heading_fields(session: Session, unit: Unit) -> dict[str, Any]:
    h = unit_heading(session, unit)
    return {"parent_unit_name": h.authority, "issuer_name": h.issuer, "place": h.place}


def _latest(d: DossierOut, kind: DocumentKind, event_type: str) -> TimelineEvent:
    """The last event of a type; without one the form does not apply yet (409)."""
    for event in reversed(d.timeline or []):
        if event.type == event_type:
            return event
    raise Conflict(f"The dossier has no '{event_type}' event, so no {kind} form applies.",
                   code="document_not_applicable")


def _names(session: Session, d: DossierOut) -> dict[str, str]:
    """Unit codes the timeline names, mapped to their names."""
    codes = {d.receiving_unit, d.handling_unit}
    for event in d.timeline or []:
        codes |= {str(v) for k, v in {**event.details, **event.flags}.items()
                  if k in ("to_unit", "from_unit", "handling_unit")}
    return {c: (u.name if (u := session.get(Unit, c)) else c) for c in codes}


def _processing_time(session: Session, d: DossierOut) -> str:
    """The legal time of the procedure version the dossier was received under."""
    version = session.get(ProcedureVersion, (d.procedure, d.procedure_version))
    assert version is not None  # foreign keys
    time_ = ProcessingTimeIn.model_validate(version.time_for(d.channel))
    if time_.working_days is not None:
        return f"{time_.working_days} ngày làm việc"
    if time_.working_hours is not None:
        return f"{time_.working_hours} giờ làm việc"
    if time_.calendar_days is not None:
        return f"{time_.calendar_days} ngày"
    assert time_.same_day is not None  # exactly one kind is set
    return f"Trong ngày (tiếp nhận trước {time_.same_day.cutoff:%H:%M})"


def _deciding(session: Session, common: dict[str, Any], names: dict[str, str], d: DossierOut
              ) -> dict[str, Any]:
    """The common fields of a form the deciding unit issues (apology, stop notice)."""
    handling = session.get(Unit, d.handling_unit)
    if handling is None:  # foreign keys
        return {**common, "unit_name": names.get(d.handling_unit, d.handling_unit)}
    return {**common, "unit_name": handling.name, **_heading_fields(session, handling)}


def build_context(
    session: Session, who: Principal, code: str, kind: DocumentKind, now: datetime
) -> DocumentContext:
    """The data of form `kind` for a dossier; 409 when the form does not apply yet."""
    d = get_dossier(session, who, code, now)
    assert d.applicant is not None  # documents are for roles that see the applicant
    procedure = session.get(Procedure, d.procedure)
    receiving = session.get(Unit, d.receiving_unit)
    assert procedure is not None and receiving is not None  # foreign keys
    names = _names(session, d)
    common: dict[str, Any] = {
        "dossier_code": d.code, "unit_name": receiving.name, "procedure_name": procedure.name,
        "applicant": Applicant(d.applicant.name, d.applicant.id_number, d.applicant.phone,
                               d.applicant.address),
        **_heading_fields(session, receiving),
    }
    receipt = d.timeline[0] if d.timeline else None
    assert receipt is not None and receipt.type == "received"  # the timeline opens with it
    match kind:
        case "receipt":
            postal = postal_return_of(session, d.code)
            return ReceiptContext(
                **common, documents_received=list(receipt.details.get("documents") or []),
                processing_time=_processing_time(session, d), received_at=d.received_at,
                # The slip shows the promise made at the counter, not one moved by a pause
                # since; later appointments are on the documents that set them.
                appointment_at=receipt_appointment(session, d.code) or d.due_at,
                return_method="postal" if postal else "counter",
                return_address=postal.recipient_address if postal else None,
                lookup_secret=show_secret(session.scalar(
                    select(Dossier.lookup_secret).where(Dossier.code == d.code)) or ""))
        case "supplement":
            event = _latest(d, kind, "supplement_requested")
            return SupplementContext(
                **common, reason=event.details["reason"],
                documents_requested=list(event.details.get("documents") or []),
                requested_at=event.at)
        case "refusal":
            event = _latest(d, kind, "refused")
            return RefusalContext(**common, reason=event.details["reason"], refused_at=event.at)
        case "apology":
            event = _latest(d, kind, "apology_issued")
            # The letter is the deciding unit's: it names the unit that issued it.
            return ApologyContext(
                **_deciding(session, common, names, d), received_at=d.received_at,
                original_appointment_at=d.due_at, reason=event.details["reason"],
                new_appointment_at=datetime.fromisoformat(event.details["new_due_at"]),
                issued_at=event.at)
        case "stop":
            event = _latest(d, kind, "stopped")
            return StopContext(
                **_deciding(session, common, names, d), received_at=d.received_at,
                reason=str(event.details.get("reason") or ""), stopped_at=event.at)
    sheet = {**common, "received_at": d.received_at, "appointment_at": d.due_at}
    process = _process_steps(session, d)
    if process:
        held = _held_steps(d, process, names)
        return ControlSheetContext(**sheet, rows=process_rows(receiving.name, held,
                                                              len(process) - 1, d.returned_at))
    steps = [Step(e.type, e.at, names.get(str(e.flags.get("from_unit"))),
                  names.get(str(e.details.get("to_unit"))))
             for e in d.timeline or []]
    first = str(receipt.details.get("handling_unit") or d.receiving_unit)
    return ControlSheetContext(
        **sheet, rows=control_sheet_rows(receiving.name, names.get(first, first),
                                         d.received_at, d.due_at, steps, d.returned_at))


def _process_steps(session: Session, d: DossierOut) -> tuple[ProcedureStep, ...]:
    """The internal process of the procedure version the dossier was received under."""
    version = session.get(ProcedureVersion, (d.procedure, d.procedure_version))
    return () if version is None else rule_steps(version.steps)


def _held_steps(d: DossierOut, process: tuple[ProcedureStep, ...], names: dict[str, str]
                ) -> list[HeldStep]:
    """The steps as the events recorded them (a later record of a step replaces its start),
    and the step an open dossier is at."""
    held: dict[int, HeldStep] = {}
    for event in d.timeline or []:
        for r in event.flags.get("steps") or []:
            held[r["position"]] = HeldStep(
                r["position"], r["name"], names.get(r["unit"], r["unit"]),
                datetime.fromisoformat(r["started_at"]), datetime.fromisoformat(r["due_at"]),
                None if r["ended_at"] is None else datetime.fromisoformat(r["ended_at"]),
                r["result"])
    now = d.step
    if (now is not None and now.position not in held) or (
            now is not None and held[now.position].ended_at is None):
        assert now is not None
        held[now.position] = HeldStep(now.position, process[now.position].name,
                                      names.get(d.handling_unit, d.handling_unit),
                                      now.started_at, now.due_at)
    return list(held.values())


REGISTER_MAX_ROWS = 20_000
"""A register longer than this is asked for by a shorter period (a month at a busy centre
fits): the spreadsheet is built in memory."""


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time(0), VN_TZ)


def build_register(session: Session, who: Principal, unit_code: str | None, start: date,
                   end: date, now: datetime) -> Register:
    """The register of the dossiers `unit` received from `start` to `end` (local days)."""
    code = unit_code or who.unit_code
    if code is None:
        raise Unprocessable(
            "Name a unit: this key is national.", code="unit_required",
            invalid_params=[InvalidParam("unit", "required", "required for a national key")])
    unit = covered_unit(session, who, code)
    handler = aliased(Unit)
    first_transfer = (
        select(DossierEvent.dossier_id, func.min(DossierEvent.at).label("at"))
        .where(DossierEvent.type == "transferred").group_by(DossierEvent.dossier_id)
        .subquery())
    query = (
        select(Dossier, Procedure.name, handler.name, first_transfer.c.at)
        .join(Procedure, Procedure.code == Dossier.procedure_code)
        .join(handler, handler.code == Dossier.handling_unit)
        .outerjoin(first_transfer, first_transfer.c.dossier_id == Dossier.id)
        .where(Dossier.receiving_unit == unit.code,
               Dossier.received_at >= _day_start(start),
               Dossier.received_at < _day_start(end + timedelta(days=1)))
        .order_by(Dossier.received_at, Dossier.id)
        .limit(REGISTER_MAX_ROWS + 1))
    rows = session.execute(query).all()
    if len(rows) > REGISTER_MAX_ROWS:
        raise Unprocessable(
            f"The register of this unit and period has more than {REGISTER_MAX_ROWS:,} "
            "dossiers; ask for a shorter period.", code="register_too_large",
            invalid_params=[InvalidParam("to", "too_many_rows",
                                         f"more than {REGISTER_MAX_ROWS} dossiers")])
    entries = [RegisterEntry(
        code=d.code, procedure_name=procedure_name, applicant_name=d.applicant_name,
        applicant_address=d.applicant_address, applicant_phone=d.applicant_phone,
        handling_unit_name=handling_name, received_at=d.received_at, due_at=d.due_at,
        status=d.status, timeliness=d.timeliness, transferred_at=transferred_at,
        resolved_at=d.resolved_at, returned_at=d.returned_at, return_method=d.return_method,
        rescheduled_due_at=d.rescheduled_due_at, finished_at=d.finished_at,
    ) for d, procedure_name, handling_name, transferred_at in rows]
    return Register(heading=unit_heading(session, unit), unit_code=unit.code,
                    unit_name=unit.name, start=start, end=end,
                    form_number=form_number("register", now.astimezone(VN_TZ).date()),
                    entries=entries, now=now)
