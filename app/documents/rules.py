"""Pure derivations for the forms: the heading and form number, the control sheet's rows, the
register's rows."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime

from app.worktime.rules import timeliness

from .context import ControlSheetRow

# Events that end the current holder's step; a transfer also starts the next one.
_CLOSING = frozenset({"transferred", "resolved", "refused", "stopped", "withdrawn"})


@dataclass(frozen=True)
class Step:
    """A timeline event as the control sheet needs it; units already given by name."""

    type: str
    at: datetime
    from_unit: str | None = None
    to_unit: str | None = None


def _finish(row: ControlSheetRow, at: datetime) -> ControlSheetRow:
    assert row.step_deadline is not None  # every derived row has the appointment
    return replace(row, finished_at=at, result=timeliness(at, row.step_deadline))


def control_sheet_rows(
    counter: str, first_handler: str, received_at: datetime, due_at: datetime,
    steps: list[Step], returned_at: datetime | None,
) -> list[ControlSheetRow]:
    """One row per handoff: counter to handler, each transfer, and the result back.

    No per-step legal time exists in the data, so each step is judged against the dossier's
    appointment (moved by pauses): a step that ends after it is late.
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
                                        step.at, due_at))
            if returned_at is not None:
                rows[-1] = _finish(rows[-1], returned_at)
        break  # the dossier has ended: nothing later hands it on
    return rows


# --- The heading of a form: issuing authority, issuing unit, place ----------------------------

LEVELS_WITH_COUNCILS = frozenset({"province", "district", "commune"})
"""Levels whose unit is a people's committee (Ủy ban nhân dân) issuing in its own name."""

# The administrative word a unit's name starts with, longest first; the rest is its proper
# name, which the place line prints (Nghị định 30/2020/NĐ-CP, Phụ lục I).
_ADMIN_WORDS = ("thành phố", "đặc khu", "thị trấn", "thị xã", "phường", "huyện", "quận",
                "tỉnh", "xã")
_COMMITTEE_PREFIXES = ("ủy ban nhân dân ", "uỷ ban nhân dân ", "ubnd ")


@dataclass(frozen=True)
class UnitLine:
    """A unit of the tree as the heading needs it: its level and its name."""

    level: str
    name: str


@dataclass(frozen=True)
class Heading:
    """The top-left block and the place of a form.

    `authority` is the line above the issuer (the body it belongs to, e.g. "UBND TỈNH QUẢNG
    NINH"), None when the issuer is itself a people's committee; `issuer` is the bold line;
    `place` the proper name printed before the date ("Quảng Ninh, ngày ...").
    """

    authority: str | None
    issuer: str
    place: str | None


def _upper(text: str) -> str:
    return unicodedata.normalize("NFC", text).upper()


def _is_committee_name(name: str) -> bool:
    return unicodedata.normalize("NFC", name).casefold().startswith(_COMMITTEE_PREFIXES)


def committee(unit: UnitLine, short: bool) -> str:
    """The people's committee of a province, district or commune, in capitals.

    "ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH" when it issues, "UBND TỈNH QUẢNG NINH" as the line of
    the body a department or a desk belongs to (the abbreviation the decree allows there).
    """
    name = unicodedata.normalize("NFC", unit.name)
    folded = name.casefold()
    for prefix in _COMMITTEE_PREFIXES:
        if folded.startswith(prefix):
            name = name[len(prefix):]
            break
    return _upper(("UBND " if short else "ỦY BAN NHÂN DÂN ") + name)


def proper_name(name: str) -> str:
    """A unit's proper name for the place line: "Tỉnh Quảng Ninh" -> "Quảng Ninh".

    A name that is only a number keeps its word ("Phường 1"), and so does Thành phố Hồ Chí
    Minh, as the decree writes them.
    """
    name = unicodedata.normalize("NFC", name).strip()
    folded = name.casefold()
    for prefix in _COMMITTEE_PREFIXES:
        if folded.startswith(prefix):
            name, folded = name[len(prefix):].strip(), folded[len(prefix):].strip()
            break
    if folded == "thành phố hồ chí minh":
        return name[:1].upper() + name[1:]
    for word in _ADMIN_WORDS:
        if folded.startswith(word + " "):
            rest = name[len(word):].strip()
            return name if rest.isdigit() else rest
    return name


def heading(chain: list[UnitLine]) -> Heading:
    """The heading of a form issued by chain[0], whose ancestors follow it up to the root.

    A people's committee (province, district, commune) issues in its own name, with no line
    above it. A department, centre or desk prints the body it belongs to above its own name:
    the committee of the nearest province, district or commune above it ("UBND TỈNH QUẢNG
    NINH" over "SỞ TƯ PHÁP"), or the agency it is part of. The place is the proper name of
    the nearest province, district or commune, the unit itself included.
    """
    if not chain:
        raise ValueError("a heading needs the issuing unit")
    unit, above = chain[0], chain[1:]
    place = next((proper_name(u.name) for u in chain if u.level in LEVELS_WITH_COUNCILS), None)
    if unit.level in LEVELS_WITH_COUNCILS:
        return Heading(None, committee(unit, short=False), place)
    if _is_committee_name(unit.name):
        return Heading(None, _upper(unit.name), place)
    authority = None
    if above:
        parent = above[0]
        authority = (committee(parent, short=True) if parent.level in LEVELS_WITH_COUNCILS
                     else _upper(parent.name))
    return Heading(authority, _upper(unit.name), place)


# --- The form numbers of the circulars -------------------------------------------------------

@dataclass(frozen=True)
class Circular:
    """A circular of the Government Office that numbers the one-stop forms."""

    number: str
    in_force_from: date | None
    forms: dict[str, str]


CIRCULARS: tuple[Circular, ...] = (
    # Thông tư 01/2018/TT-VPCP (guiding Nghị định 61/2018/NĐ-CP): six forms, no stop notice.
    Circular("01/2018/TT-VPCP", None, {
        "receipt": "01", "supplement": "02", "refusal": "03", "apology": "04",
        "control_sheet": "05", "register": "06"}),
    # Thông tư 03/2025/TT-VPCP of 15 September 2025 (guiding Nghị định 118/2025/NĐ-CP),
    # Phụ lục I: the stop notice is new as Mẫu số 05, which renumbers the last two.
    Circular("03/2025/TT-VPCP", date(2025, 9, 15), {
        "receipt": "01", "supplement": "02", "refusal": "03", "apology": "04", "stop": "05",
        "control_sheet": "06", "register": "07"}),
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
