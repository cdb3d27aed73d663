"""Pure derivations for the forms: the form number, the control sheet's rows, the register's
rows (the heading is the catalogue's: app.catalog.headings)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from app.worktime.rules import timeliness

from .context import ControlSheetRow, StepResult

# Events that end the current holder's step; a transfer also starts the next one.
_CLOSING = frozenset({"transferred", "resolved", "refused", "stopped", "withdrawn"})


@dataclass(frozen=True)
class Step:
    """A timeline event as the control sheet needs it; units already given by name."""

    type: str
    at: datetime
    from_unit: str | None = None
    to_unit: str | None = None


@dataclass(frozen=True)
class HeldStep:
    """A step of the procedure's internal process as the dossier went through it (what the
    events' flags recorded, or the step it is at); its unit already given by name."""

    position: int
    name: str
    unit: str
    started_at: datetime
    due_at: datetime
    ended_at: datetime | None = None
    result: StepResult | None = None


def _finish(row: ControlSheetRow, at: datetime) -> ControlSheetRow:
    assert row.step_deadline is not None  # every derived row has the appointment
    return replace(row, finished_at=at, result=timeliness(at, row.step_deadline))


def process_rows(counter: str, held: list[HeldStep], last_position: int,
                 returned_at: datetime | None) -> list[ControlSheetRow]:
    """One row per step of the internal process, each judged against its own allotment (as
    recorded when the dossier left it); the return step, the last, by whether the result was
    ready by the appointment, however late the applicant collects it (shown as its end)."""
    rows: list[ControlSheetRow] = []
    giver = counter
    for step in sorted(held, key=lambda h: h.position):
        if step.position == last_position:
            rows.append(ControlSheetRow(step.name, step.unit, counter, step.started_at,
                                        step.due_at, returned_at, step.result))
            break
        rows.append(ControlSheetRow(step.name, giver, step.unit, step.started_at, step.due_at,
                                    step.ended_at, step.result))
        giver = step.unit
    return rows


def control_sheet_rows(
    counter: str, first_handler: str, received_at: datetime, due_at: datetime,
    steps: list[Step], returned_at: datetime | None,
) -> list[ControlSheetRow]:
    """One row per handoff: counter to handler, each transfer, and the result back, for a
    procedure version without steps of its own (see `process_rows` for one with them).

    Without allotments, each handoff is judged against the dossier's appointment (moved by
    pauses): a step that ends after it is late. The return of the result is judged by
    whether the result was ready by the appointment, not by when the applicant collected it.
    """
    rows = [ControlSheetRow("Tiếp nhận, chuyển hồ sơ", counter, first_handler, received_at,
                            due_at)]
    for step in steps:
        if step.type not in _CLOSING:
            continue
        rows[-1] = _finish(rows[-1], step.at)
        if step.type == "transferred":
            rows.append(ControlSheetRow("Chuyển xử lý liên thông", step.from_unit or "",
                                        step.to_unit or "", step.at, due_at))
            continue
        if step.type == "resolved":
            rows.append(ControlSheetRow("Trả kết quả giải quyết", rows[-1].to_unit, counter,
                                        step.at, due_at, returned_at,
                                        timeliness(step.at, due_at)))
        break  # the dossier has ended: nothing later hands it on
    return rows


# --- The dossier register (sổ theo dõi hồ sơ) -------------------------------------------------


@dataclass(frozen=True)
class RegisterEntry:
    """One dossier as the register lists it; instants are timezone-aware."""

    code: str
    procedure_name: str
    applicant_name: str
    applicant_address: str | None
    applicant_phone: str | None
    handling_unit_name: str
    received_at: datetime
    due_at: datetime
    status: str
    timeliness: str | None = None
    transferred_at: datetime | None = None
    resolved_at: datetime | None = None
    returned_at: datetime | None = None
    return_method: str | None = None
    rescheduled_due_at: datetime | None = None
    finished_at: datetime | None = None


_ENDED = {"refused": "Từ chối", "stopped": "Dừng giải quyết", "withdrawn": "Rút hồ sơ"}
_TIMELINESS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


def register_note(entry: RegisterEntry, now: datetime) -> str:
    """The register's remark (ghi chú): how the dossier ended or stands at `now`."""
    notes = []
    if entry.status in _ENDED:
        notes.append(_ENDED[entry.status])
    elif entry.timeliness in _TIMELINESS:
        notes.append(f"Giải quyết {_TIMELINESS[entry.timeliness].lower()}")
    elif entry.due_at < now:
        notes.append("Đang giải quyết, quá hạn")
    else:
        notes.append("Đang giải quyết")
    if entry.rescheduled_due_at is not None:
        notes.append("có văn bản xin lỗi, hẹn lại")
    if entry.return_method == "postal" and entry.returned_at is not None:
        notes.append("trả qua bưu chính")
    return "; ".join(notes)
