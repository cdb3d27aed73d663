"""The periodic report II.06a/VPCP/KSTT as rows, CSV and XLSX (the layout leaders expect)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from app.core.sheets import two_level_header

FORM = "Biểu số II.06a/VPCP/KSTT"
TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"

# (top header, sub header, json path); a top header of None spans two header rows.
COLUMNS: tuple[tuple[str | None, str, str], ...] = (
    ("Số hồ sơ nhận giải quyết", "Tổng số", "received.total"),
    ("Số hồ sơ nhận giải quyết", "Trực tuyến", "received.online"),
    ("Số hồ sơ nhận giải quyết", "Trực tiếp, dịch vụ bưu chính", "received.counter_postal"),
    ("Số hồ sơ nhận giải quyết", "Từ kỳ trước chuyển sang", "received.carried_over"),
    ("Số hồ sơ nhận giải quyết", "Nhận liên thông", "received.transferred_in"),
    ("Số hồ sơ đã giải quyết", "Tổng số", "resolved.total"),
    ("Số hồ sơ đã giải quyết", "Trước hạn", "resolved.early"),
    ("Số hồ sơ đã giải quyết", "Đúng hạn", "resolved.on_time"),
    ("Số hồ sơ đã giải quyết", "Quá hạn", "resolved.late"),
    ("Số hồ sơ đang giải quyết", "Tổng số", "pending.total"),
    ("Số hồ sơ đang giải quyết", "Trong hạn", "pending.within_deadline"),
    ("Số hồ sơ đang giải quyết", "Quá hạn", "pending.overdue"),
    (None, "Số hồ sơ từ chối, rút, dừng xử lý", "ended_otherwise"),
    (None, "Trong đó từ chối giải quyết", "refused_after_appraisal"),
    (None, "Số hồ sơ từ chối tiếp nhận (không tính vào số nhận)", "refused_at_receipt"),
    (None, "Số hồ sơ chuyển liên thông đi (không còn đang giải quyết)", "transferred_out"),
    (None, "Tỷ lệ giải quyết đúng hạn (%)", "on_time_rate"),
)


@dataclass(frozen=True)
class Signed:
    """Who reports and when: the unit's heading lines, its place and the report date."""

    authority: str | None
    issuer: str
    place: str | None
    reported_on: date


PREPARER = ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)")
HEAD = ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký, đóng dấu, ghi rõ họ tên)")


@dataclass(frozen=True)
class Report:
    """Rows of the report: one per field (lĩnh vực) or unit, and the total."""

    unit: str
    unit_name: str
    start: date
    end: date
    rows_by: str
    rows: list[dict[str, Any]]
    total: dict[str, Any]
    signed: Signed | None = None


def place_date(place: str | None, day: date) -> str:
    """'Quảng Ninh, ngày 20 tháng 11 năm 2026' (days 1-9 and months 1-2 zero-padded)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    dated = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {dated}" if place else dated[:1].upper() + dated[1:]


def row(key: str, name: str | None, f: dict[str, Any]) -> dict[str, Any]:
    """One report row from a figures block."""
    ended = f["ended_otherwise"]
    return {
        "key": key, "name": name or key,
        "received": {**{k: f["received"][k] for k in (
                         "total", "online", "carried_over", "transferred_in")},
                     "counter_postal": f["received"]["direct"] + f["received"]["postal"]},
        "resolved": f["resolved"],
        "pending": f["pending"],
        "ended_otherwise": ended["refused"] + ended["withdrawn"] + ended["stopped"],
        "refused_after_appraisal": ended["refused"],
        "refused_at_receipt": f["refused_at_receipt"],
        "transferred_out": f["transferred_out"],
        "on_time_rate": f["rates"]["on_time"],
    }


def _value(r: dict[str, Any], path: str) -> Any:
    value: Any = r
    for part in path.split("."):
        value = value[part]
    return value


def _label(rows_by: str) -> str:
    return "Lĩnh vực giải quyết" if rows_by == "field" else "Đơn vị"


def _period(report: Report) -> str:
    return f"Từ ngày {report.start:%d/%m/%Y} đến ngày {report.end:%d/%m/%Y}"


def to_csv(report: Report) -> str:
    """CSV with a BOM so Excel opens the Vietnamese text correctly; headers flattened."""
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out)
    w.writerow(["STT", _label(report.rows_by), *[f"{top} - {sub}" if top else sub
                                                  for top, sub, _ in COLUMNS]])
    for i, r in enumerate(report.rows, 1):
        w.writerow([i, r["name"], *[_value(r, p) for _, _, p in COLUMNS]])
    w.writerow(["", "Tổng cộng", *[_value(report.total, p) for _, _, p in COLUMNS]])
    return out.getvalue()


def to_xlsx(report: Report) -> bytes:
    """The report as a spreadsheet: title, two-level merged headers, numbers as numbers."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "II.06a"
    width = 2 + len(COLUMNS)
    last = get_column_letter(width)
    bold, center = Font(bold=True), Alignment(horizontal="center", vertical="center",
                                              wrap_text=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    signed = report.signed
    ws[f"{last}1"] = FORM
    ws[f"{last}1"].alignment = Alignment(horizontal="right")
    if signed is None:
        ws["A1"] = report.unit_name
        ws["A1"].font = bold
    else:
        # The unit's heading over the first columns: its body above it, then its own name.
        heads = [(signed.authority, False), (signed.issuer, True)] if signed.authority else [
            (signed.issuer, True)]
        for r, (text, strong) in enumerate(heads, 1):
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
            ws.cell(r, 1, text).font = Font(bold=strong)
            ws.cell(r, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A3:{last}3")
    ws["A3"] = f"{TITLE} - {report.unit_name.upper()}"
    ws["A3"].font, ws["A3"].alignment = Font(bold=True, size=13), center
    ws.merge_cells(f"A4:{last}4")
    ws["A4"], ws["A4"].alignment = f"Kỳ báo cáo: {_period(report)}", center
    labels = [(None, "STT"), (None, _label(report.rows_by)),
              *((top, name) for top, name, _ in COLUMNS)]
    numbers = two_level_header(ws, 6, labels, font=bold, alignment=center, border=box)
    lines: list[tuple[int | str, dict[str, Any]]] = [
        *((i, r) for i, r in enumerate(report.rows, 1)), ("", report.total)]
    for line, (number, data) in enumerate(lines, numbers + 1):
        is_total = data is report.total
        values = [number, "Tổng cộng" if is_total else data["name"],
                  *[_value(data, p) for _, _, p in COLUMNS]]
        for c, v in enumerate(values, 1):
            cell = ws.cell(line, c, v)
            cell.border = box
            if is_total:
                cell.font = bold
            if c == width and isinstance(v, float):
                cell.number_format = "0.00"
    if signed is not None:
        _signatures(ws, numbers + len(lines) + 2, width, signed)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 34
    for c in range(3, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 13
    ws.row_dimensions[numbers - 1].height = 48  # the sub-header row
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _signatures(ws: Any, top: int, width: int, signed: Signed) -> None:
    """The place and date line, then who prepared the report (left) and the unit's head
    (right), with room to sign under each."""
    italic, bold = Font(italic=True), Font(bold=True)
    center = Alignment(horizontal="center")
    right = (width - 4, width)
    ws.merge_cells(start_row=top, start_column=right[0], end_row=top, end_column=right[1])
    ws.cell(top, right[0], place_date(signed.place, signed.reported_on)).font = italic
    ws.cell(top, right[0]).alignment = center
    for (title, note), (first, end) in ((PREPARER, (1, 4)), (HEAD, right)):
        for offset, (text, font) in enumerate(((title, bold), (note, italic)), 1):
            ws.merge_cells(start_row=top + offset, start_column=first, end_row=top + offset,
                           end_column=end)
            ws.cell(top + offset, first, text).font = font
            ws.cell(top + offset, first).alignment = center
