"""The forms of one dossier, built from its state and timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.rules import Principal
from app.catalog.models import Procedure, ProcedureVersion, Unit
from app.catalog.schemas import ProcessingTimeIn
from app.core.problems import Conflict
from app.dossiers.models import Dossier
from app.dossiers.schemas import DossierOut, TimelineEvent
from app.dossiers.service import get_dossier, receipt_appointment
from app.postal.service import postal_return_of
from app.public.rules import show_secret

from .context import (
    ApologyContext,
    Applicant,
    ControlSheetContext,
    DocumentContext,
    DocumentKind,
    ReceiptContext,
    RefusalContext,
    SupplementContext,
)
from .rules import Step, control_sheet_rows


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


def build_context(
    session: Session, who: Principal, code: str, kind: DocumentKind, now: datetime
) -> DocumentContext:
    """The data of form `kind` for a dossier; 409 when the form does not apply yet."""
    d = get_dossier(session, who, code, now)
    assert d.applicant is not None  # documents are for roles that see the applicant
    procedure = session.get(Procedure, d.procedure)
    receiving = session.get(Unit, d.receiving_unit)
    assert procedure is not None and receiving is not None  # foreign keys
    parent = session.get(Unit, receiving.parent_code) if receiving.parent_code else None
    names = _names(session, d)
    common: dict[str, Any] = {
        "dossier_code": d.code, "unit_name": receiving.name, "procedure_name": procedure.name,
        "applicant": Applicant(d.applicant.name, d.applicant.id_number, d.applicant.phone,
                               d.applicant.address),
        "parent_unit_name": parent.name if parent else None,
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
            issuer = names.get(d.handling_unit, d.handling_unit)
            return ApologyContext(
                **{**common, "unit_name": issuer}, received_at=d.received_at,
                original_appointment_at=d.due_at, reason=event.details["reason"],
                new_appointment_at=datetime.fromisoformat(event.details["new_due_at"]),
                issued_at=event.at)
    steps = [Step(e.type, e.at, names.get(str(e.flags.get("from_unit"))),
                  names.get(str(e.details.get("to_unit"))))
             for e in d.timeline or []]
    first = str(receipt.details.get("handling_unit") or d.receiving_unit)
    return ControlSheetContext(
        **common, received_at=d.received_at, appointment_at=d.due_at,
        rows=control_sheet_rows(receiving.name, names.get(first, first), d.received_at,
                                d.due_at, steps, d.returned_at))
