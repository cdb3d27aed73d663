"""The dossier register (sổ theo dõi hồ sơ) of a unit for a period, as a spreadsheet.

The columns are the register form's: one row per dossier the unit received, the dates of its
receipt, appointment, hand-off to the deciding unit, result and return, and a blank column for
the signature of whoever collects the result.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from app.catalog.headings import Heading
from app.core.clock import VN_TZ
from app.core.sheets import two_level_header

from .rules import RegisterEntry, register_note

TITLE = "SỔ THEO DÕI HỒ SƠ"
DATES = "Ngày, tháng, năm"
# (top header or None for one spanning both header rows, sub header, width)
COLUMNS: tuple[tuple[str | None, str, int], ...] = (
    (None, "STT", 5),
    (None, "Mã hồ sơ", 26),
    (None, "Tên thủ tục hành chính", 34),
    (None, "Số lượng hồ sơ (bộ)", 9),
    (None, "Tên cá nhân, tổ chức", 24),
    (None, "Địa chỉ, số điện thoại", 30),
    (None, "Cơ quan chủ trì giải quyết", 24),
    (DATES, "Nhận hồ sơ", 16),
    (DATES, "Hẹn trả kết quả", 16),
    (DATES, "Chuyển hồ sơ đến cơ quan giải quyết", 16),
    (DATES, "Có kết quả giải quyết", 16),
    (DATES, "Trả kết quả", 16),
    (None, "Ký nhận", 12),
    (None, "Ghi chú", 26),
)


@dataclass(frozen=True)
class Register:
    """What the spreadsheet shows: who keeps it, for which period, and its rows."""

    heading: Heading
    unit_code: str
    unit_name: str
    start: date
    end: date
    form_number: str | None
    entries: Sequence[RegisterEntry]
    now: datetime


def _when(value: datetime | None) -> str:
    """'14:05 02/03/2026' in Vietnam time, as clerks write the register; '' when not yet."""
    return "" if value is None else f"{value.astimezone(VN_TZ):%H:%M %d/%m/%Y}"


def _contact(entry: RegisterEntry) -> str:
    return ", ".join(v for v in (entry.applicant_address, entry.applicant_phone) if v)


def row_values(number: int, entry: RegisterEntry, now: datetime) -> list[object]:
    """One register line, in COLUMNS order."""
    return [number, entry.code, entry.procedure_name, 1, entry.applicant_name, _contact(entry),
            entry.handling_unit_name, _when(entry.received_at), _when(entry.due_at),
            _when(entry.transferred_at), _when(entry.resolved_at), _when(entry.returned_at),
            "", register_note(entry, now)]


def to_xlsx(register: Register) -> bytes:
    """The register as an A4 landscape spreadsheet with two header rows and column numbers."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its sheet
    ws.title = "Sổ theo dõi hồ sơ"
    width = len(COLUMNS)
    last = get_column_letter(width)
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    h = register.heading
    top = 1
    if register.form_number:
        ws.cell(1, width, register.form_number).font = bold
        ws.cell(1, width).alignment = Alignment(horizontal="right")
        top = 2
    if h.authority:
        ws.cell(top, 1, h.authority)
        ws.merge_cells(start_row=top, start_column=1, end_row=top, end_column=4)
        ws.cell(top, 1).alignment = Alignment(horizontal="center")
        top += 1
    ws.cell(top, 1, h.issuer).font = bold
    ws.merge_cells(start_row=top, start_column=1, end_row=top, end_column=4)
    ws.cell(top, 1).alignment = Alignment(horizontal="center")
    title = top + 2
    ws.merge_cells(f"A{title}:{last}{title}")
    ws.cell(title, 1, TITLE).font = Font(bold=True, size=14)
    ws.cell(title, 1).alignment = center
    ws.merge_cells(f"A{title + 1}:{last}{title + 1}")
    ws.cell(title + 1, 1, f"Từ ngày {register.start:%d/%m/%Y} đến ngày {register.end:%d/%m/%Y}")
    ws.cell(title + 1, 1).alignment = center
    head = title + 3
    numbers = two_level_header(ws, head, [(group, name) for group, name, _ in COLUMNS],
                               font=bold, alignment=center, border=box)
    for c in range(1, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = COLUMNS[c - 1][2]
    ws.row_dimensions[head + 1].height = 45
    for line, entry in enumerate(register.entries, 1):
        for c, value in enumerate(row_values(line, entry, register.now), 1):
            cell = ws.cell(numbers + line, c, value)
            cell.border, cell.alignment = box, wrap
    ws.freeze_panes = ws.cell(numbers + 1, 3)
    ws.print_title_rows = f"{head}:{numbers}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
