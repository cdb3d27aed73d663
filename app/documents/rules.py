"""Pure derivations for the forms: the form number, the control sheet's rows, the register's
rows (the heading is the catalogue's: app.catalog.headings)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

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


@dataclass(frozen=True)
class ApologyWording:
    """What the apology form is called under a circular, and how it offers the new date."""

    title: str
    offer: str  # ends the letter's last paragraph, before the new appointment


@dataclass(frozen=True)
class Circular:
    """A circular of the Government Office that numbers the one-stop forms."""

    number: str
    in_force_from: date | None
    forms: dict[str, str]
    apology: ApologyWording


CIRCULARS: tuple[Circular, ...] = (
    # Thông tư 01/2018/TT-VPCP (guiding Nghị định 61/2018/NĐ-CP): six forms, no stop notice.
    Circular("01/2018/TT-VPCP", None, {
        "receipt": "01", "supplement": "02", "refusal": "03", "apology": "04",
        "control_sheet": "05", "register": "06"},
        ApologyWording("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
                       "xin lỗi Ông/Bà và hẹn lại thời gian trả kết quả vào")),
    # Thông tư 03/2025/TT-VPCP of 15 September 2025 (guiding Nghị định 118/2025/NĐ-CP),
    # Phụ lục I: the stop notice is new as Mẫu số 05, which renumbers the last two.
    Circular("03/2025/TT-VPCP", date(2025, 9, 15), {
        "receipt": "01", "supplement": "02", "refusal": "03", "apology": "04", "stop": "05",
        "control_sheet": "06", "register": "07"},
        # Its Mẫu số 04 is a letter that apologises and asks to extend the processing time
        # (Nghị định 118/2025/NĐ-CP); the new appointment is the extended time.
        ApologyWording("VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
                       "xin lỗi Ông/Bà và đề nghị gia hạn thời gian giải quyết hồ sơ, hẹn "
                       "trả kết quả vào")),
)


def circular_on(day: date) -> Circular:
    """The circular whose forms are in force on `day`."""
    current = CIRCULARS[0]
    for circular in CIRCULARS[1:]:
        if circular.in_force_from is not None and circular.in_force_from <= day:
            current = circular
    return current


def form_number(kind: str, day: date) -> str | None:
    """ "Mẫu số 05" for a form dated `day`, by the circular then in force; None where that
    circular has no such form (a stop notice dated before 15 September 2025)."""
    number = circular_on(day).forms.get(kind)
    return f"Mẫu số {number}" if number else None


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
