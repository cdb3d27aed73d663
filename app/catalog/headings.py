"""The heading a unit prints on what it issues: its line of authority and its place name;
the form numbers and the apology's wording of the circulars; dates as the forms write them.

Pure, from the unit and the units above it (Nghị định 30/2020/NĐ-CP on the form of
administrative documents). The forms and the II.06a report both print the heading; the forms
and the citizen notices (app/notices) word the apology and write dates alike.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from app.core.clock import VN_TZ

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


def apology_wording(value: datetime) -> ApologyWording:
    """The apology form's title and offer under the circular in force on `value`'s day."""
    return circular_on(vn_local(value).date()).apology


Run = tuple[str, bool]
"""A piece of a paragraph and whether the form prints it in bold."""


@dataclass(frozen=True)
class ApologyFacts:
    """What the apology letter states; `unit_name` is the issuing (deciding) unit."""

    applicant_name: str
    unit_name: str
    procedure_name: str
    dossier_code: str
    received_at: datetime
    original_appointment_at: datetime
    reason: str
    new_appointment_at: datetime
    issued_at: datetime


def apology_paragraphs(f: ApologyFacts) -> tuple[tuple[Run, ...], ...]:
    """The letter's paragraphs, from the salutation to the thanks, as the form prints them
    and the citizen notice sends them (one wording for both)."""
    unit = f.unit_name
    return (
        (("Kính gửi: ", False), (f.applicant_name, True)),
        ((f"Lúc {format_datetime(f.received_at)}, {unit} tiếp nhận giải quyết hồ sơ đề nghị: ",
          False), (f.procedure_name, True), (". Mã hồ sơ: ", False), (f.dossier_code, True),
         (".", False)),
        ((f"Thời gian hẹn trả kết quả giải quyết hồ sơ: "
          f"{format_datetime(f.original_appointment_at)}.", False),),
        ((f"Tuy nhiên đến nay, {unit} chưa trả kết quả giải quyết hồ sơ của Ông/Bà đúng hạn "
          "ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.", False),),
        ((f"Lý do: {f.reason}", False),),
        ((f"Sự chậm trễ này đã gây phiền hà cho Ông/Bà. {unit} "
          f"{apology_wording(f.issued_at).offer}: ", False),
         (format_datetime(f.new_appointment_at), True), (".", False)),
        (("Xin trân trọng cảm ơn sự hợp tác của Ông/Bà./.", False),),
    )


# --- Dates as the forms write them (Nghị định 30/2020/NĐ-CP) ---------------------------------


def _day_month(day: date) -> tuple[str, str]:
    """Day and month as Nghị định 30/2020/NĐ-CP writes them: 0-padded days 1-9, months 1-2."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{day.day:02d}", month


def vn_local(value: datetime) -> datetime:
    """The instant in Vietnam time; naive values are refused rather than guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return value.astimezone(VN_TZ)


def format_date(value: datetime) -> str:
    """Format an instant's Vietnamese calendar day as 'ngày 12 tháng 02 năm 2026'."""
    local = vn_local(value)
    day, month = _day_month(local.date())
    return f"ngày {day} tháng {month} năm {local.year}"


def format_datetime(value: datetime | None) -> str:
    """Format an instant as '09 giờ 00 phút, ngày 12 tháng 02 năm 2026' (Vietnam time)."""
    if value is None:
        return ""
    local = vn_local(value)
    return f"{local.hour:02d} giờ {local.minute:02d} phút, {format_date(local)}"


def place_date(place: str | None, value: datetime) -> str:
    """The place/date line, e.g. 'Hà Nội, ngày 12 tháng 02 năm 2026'."""
    dated = format_date(value)
    return f"{place}, {dated}" if place else dated[:1].upper() + dated[1:]
