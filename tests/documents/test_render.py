"""Rendering of the one-stop-shop forms to HTML and PDF (Vietnamese text, escaping, layout)."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from app.catalog.headings import format_date, format_datetime
from app.documents.context import (
    ApologyContext,
    Applicant,
    ControlSheetContext,
    ControlSheetRow,
    DocumentContext,
    DocumentKind,
    ReceiptContext,
    RefusalContext,
    StopContext,
    SupplementContext,
)
from app.documents.render import render_html, render_pdf

VN = timezone(timedelta(hours=7))
NAME = "Nguyễn Thị Hương"
ADDRESS = "Số 12 đường Trần Hưng Đạo, phường Hoàn Kiếm, Hà Nội"
REASON = "Thiếu bản sao giấy chứng nhận quyền sử dụng đất"
UNIT = "Bộ phận Một cửa phường Hoàn Kiếm"
PROCEDURE = "Cấp giấy chứng nhận quyền sử dụng đất lần đầu"
CODE = "HK-260212-0007"
RECEIVED = datetime(2026, 2, 12, 9, 0, tzinfo=VN)
APPOINTMENT = datetime(2026, 2, 19, 9, 0, tzinfo=VN)

TITLES: dict[DocumentKind, str] = {
    "receipt": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "supplement": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "refusal": "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
    # Dated in 2026: the title of Thông tư 03/2025/TT-VPCP's Mẫu số 04.
    "apology": "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
    "stop": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
    "control_sheet": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
}
# The label of each form dated in February 2026 (Thông tư 03/2025/TT-VPCP).
LABELS: dict[DocumentKind, str] = {
    "receipt": "Mẫu số 01", "supplement": "Mẫu số 02", "refusal": "Mẫu số 03",
    "apology": "Mẫu số 04", "stop": "Mẫu số 05", "control_sheet": "Mẫu số 06",
}
KINDS: list[DocumentKind] = list(TITLES)
HEADING = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]

# Values each form must print verbatim (besides its title and the national heading).
KEY_VALUES: dict[DocumentKind, list[str]] = {
    "receipt": [
        CODE,
        NAME,
        ADDRESS,
        "0912 345 678",
        "001190012345",
        PROCEDURE,
        "Bản sao giấy tờ về quyền sử dụng đất",
        "5 ngày làm việc",
        "09 giờ 00 phút, ngày 12 tháng 02 năm 2026",
        "09 giờ 00 phút, ngày 19 tháng 02 năm 2026",
        "qua dịch vụ bưu chính công ích",
        "Hà Nội, ngày 12 tháng 02 năm 2026",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Trần Văn Minh",
    ],
    "supplement": [
        CODE,
        NAME,
        ADDRESS,
        PROCEDURE,
        REASON,
        "Bản sao giấy chứng nhận quyền sử dụng đất có chứng thực",
        "10 giờ 15 phút, ngày 13 tháng 02 năm 2026",
        "NGƯỜI HƯỚNG DẪN",
    ],
    "refusal": [
        CODE,
        NAME,
        ADDRESS,
        PROCEDURE,
        REASON,
        "14 giờ 05 phút, ngày 12 tháng 02 năm 2026",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
    ],
    "apology": [
        CODE,
        NAME,
        PROCEDURE,
        REASON,
        UNIT,
        "09 giờ 00 phút, ngày 12 tháng 02 năm 2026",
        "09 giờ 00 phút, ngày 19 tháng 02 năm 2026",
        "14 giờ 30 phút, ngày 24 tháng 02 năm 2026",
        "Hà Nội, ngày 18 tháng 02 năm 2026",
        "THỦ TRƯỞNG CƠ QUAN",
        "Lê Thị Mai",
    ],
    "stop": [
        CODE,
        NAME,
        ADDRESS,
        PROCEDURE,
        REASON,
        UNIT,
        "09 giờ 00 phút, ngày 12 tháng 02 năm 2026",
        "15 giờ 10 phút, ngày 20 tháng 02 năm 2026",
        "Hà Nội, ngày 20 tháng 02 năm 2026",
        "THỦ TRƯỞNG CƠ QUAN",
    ],
    # Table cells wrap and pdftotext interleaves neighbouring cells, so only values that fit
    # on one line of their cell are looked for verbatim; test_pdf_and_html_carry_same_words
    # covers the rest.
    "control_sheet": [
        CODE,
        NAME,
        PROCEDURE,
        "09 giờ 00 phút, ngày 12 tháng 02 năm 2026",
        "09 giờ 00 phút, ngày 19 tháng 02 năm 2026",
        "Thẩm định hồ sơ",
        "Giao: Phòng Kinh tế",
        "Trước hạn",
        "Quá hạn",
    ],
}


def make_context(kind: DocumentKind, applicant: Applicant | None = None) -> DocumentContext:
    """A realistic context of `kind` for the Hoàn Kiếm one-stop shop."""
    person = applicant or Applicant(NAME, "001190012345", "0912 345 678", ADDRESS)
    common: dict[str, Any] = {
        "dossier_code": CODE,
        "unit_name": UNIT,
        "procedure_name": PROCEDURE,
        "applicant": person,
        "place": "Hà Nội",
        "parent_unit_name": "Ủy ban nhân dân phường Hoàn Kiếm",
    }
    if kind == "receipt":
        return ReceiptContext(
            **common,
            documents_received=[
                "Đơn đăng ký cấp giấy chứng nhận (bản chính)",
                "Bản sao giấy tờ về quyền sử dụng đất",
            ],
            processing_time="5 ngày làm việc",
            received_at=RECEIVED,
            appointment_at=APPOINTMENT,
            return_method="postal",
            officer_name="Trần Văn Minh",
        )
    if kind == "supplement":
        return SupplementContext(
            **common,
            reason=REASON,
            documents_requested=["Bản sao giấy chứng nhận quyền sử dụng đất có chứng thực"],
            requested_at=datetime(2026, 2, 13, 3, 15, tzinfo=UTC),
        )
    if kind == "refusal":
        return RefusalContext(
            **common,
            reason=REASON,
            refused_at=datetime(2026, 2, 12, 14, 5, tzinfo=VN),
        )
    if kind == "apology":
        return ApologyContext(
            **common,
            received_at=RECEIVED,
            original_appointment_at=APPOINTMENT,
            reason=REASON,
            new_appointment_at=datetime(2026, 2, 24, 14, 30, tzinfo=VN),
            issued_at=datetime(2026, 2, 18, 16, 0, tzinfo=VN),
            signer_name="Lê Thị Mai",
        )
    if kind == "stop":
        return StopContext(
            **common,
            received_at=RECEIVED,
            reason=REASON,
            stopped_at=datetime(2026, 2, 20, 15, 10, tzinfo=VN),
        )
    return ControlSheetContext(
        **common,
        received_at=RECEIVED,
        appointment_at=APPOINTMENT,
        rows=[
            ControlSheetRow(
                "Tiếp nhận, chuyển hồ sơ",
                "Bộ phận Một cửa",
                "Phòng Kinh tế",
                RECEIVED,
                datetime(2026, 2, 12, 17, 0, tzinfo=VN),
                datetime(2026, 2, 12, 10, 0, tzinfo=VN),
                "early",
            ),
            ControlSheetRow(
                "Thẩm định hồ sơ",
                "Phòng Kinh tế",
                "Lãnh đạo UBND phường",
                datetime(2026, 2, 13, 8, 0, tzinfo=VN),
                datetime(2026, 2, 17, 17, 0, tzinfo=VN),
                datetime(2026, 2, 18, 9, 0, tzinfo=VN),
                "late",
            ),
            ControlSheetRow(
                "Ký duyệt kết quả",
                "Lãnh đạo UBND phường",
                "Bộ phận Một cửa",
                datetime(2026, 2, 18, 9, 30, tzinfo=VN),
            ),
        ],
    )


def norm(text: str) -> str:
    """NFC with whitespace runs collapsed, so line breaks do not matter."""
    return " ".join(unicodedata.normalize("NFC", text).split())


_INLINE = frozenset({"b", "strong", "i", "em", "span", "u", "a"})


class _VisibleText(HTMLParser):
    """Collects the text a browser would print (not head, style or script)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "style", "script", "title"):
            self._hidden += 1
        elif tag not in _INLINE:
            self.parts.append(" ")  # a block or <br> separates words; inline tags do not

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "script", "title"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The printed text of an HTML page."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return norm("".join(parser.parts))


needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) not installed",
)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """Text of a PDF as pdftotext extracts it."""
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    completed = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(source), "-"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return completed.stdout.decode("utf-8")


def page_count(pdf: bytes) -> int:
    """Number of page objects in a PDF (fpdf2 writes no compressed object streams)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


# --- HTML --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_html_has_title_heading_and_values(kind: DocumentKind) -> None:
    html = render_html(kind, make_context(kind))
    text = visible_text(html)
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="vi">' in html
    assert norm(TITLES[kind]) in text
    assert f"<h1>{TITLES[kind]}</h1>" in html
    for line in HEADING:
        assert line in text
    assert "ỦY BAN NHÂN DÂN PHƯỜNG HOÀN KIẾM" in text
    assert UNIT.upper() in text
    assert text.startswith(LABELS[kind])  # the form number comes first, top right
    for value in KEY_VALUES[kind]:
        assert norm(value) in text, value


def test_the_issuer_line_prints_the_heading_not_the_bare_name() -> None:
    ctx = replace(make_context("receipt"), parent_unit_name="UBND TỈNH QUẢNG NINH",
                  issuer_name="TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH", place="Quảng Ninh")
    text = visible_text(render_html("receipt", ctx))
    assert norm("Mẫu số 01 UBND TỈNH QUẢNG NINH TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH "
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc "
                "Quảng Ninh, ngày 12 tháng 02 năm 2026") in text
    assert UNIT.upper() not in text  # the body text keeps the name, the heading does not


def test_a_form_dated_under_the_2018_circular_carries_its_number() -> None:
    ctx = make_context("control_sheet")
    assert isinstance(ctx, ControlSheetContext)
    old = replace(ctx, received_at=datetime(2025, 9, 12, 9, 0, tzinfo=VN))
    assert visible_text(render_html("control_sheet", old)).startswith("Mẫu số 05 ")
    stop = make_context("stop")
    assert isinstance(stop, StopContext)
    unnumbered = replace(stop, stopped_at=datetime(2025, 9, 14, 16, 0, tzinfo=VN))
    assert "Mẫu số" not in visible_text(render_html("stop", unnumbered))
    apology = make_context("apology")
    assert isinstance(apology, ApologyContext)
    slip = visible_text(render_html("apology", replace(
        apology, issued_at=datetime(2025, 9, 12, 16, 0, tzinfo=VN))))
    assert norm("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ") in slip
    assert norm("xin lỗi Ông/Bà và hẹn lại thời gian trả kết quả vào: "
                "14 giờ 30 phút, ngày 24 tháng 02 năm 2026") in slip
    letter = visible_text(render_html("apology", apology))
    assert norm("xin lỗi Ông/Bà và đề nghị gia hạn thời gian giải quyết hồ sơ, hẹn trả kết "
                "quả vào: 14 giờ 30 phút, ngày 24 tháng 02 năm 2026") in letter


@pytest.mark.parametrize("kind", KINDS)
def test_html_escapes_values(kind: DocumentKind) -> None:
    evil = Applicant('<script>alert("x")</script> Nguyễn & Co', "1", "2", "<b>Hà Nội</b>")
    html = render_html(kind, make_context(kind, evil))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Nguyễn &amp; Co" in html
    assert "<b>Hà Nội</b>" not in html


@pytest.mark.parametrize("kind", KINDS)
def test_decomposed_input_is_printed_composed(kind: DocumentKind) -> None:
    decomposed = unicodedata.normalize("NFD", NAME)
    assert decomposed != NAME
    html = render_html(kind, make_context(kind, Applicant(decomposed, None, None, None)))
    assert NAME in html
    assert decomposed not in html


def test_receipt_counter_return_and_optional_lines() -> None:
    ctx = make_context("receipt")
    assert isinstance(ctx, ReceiptContext)
    counter = replace(
        ctx,
        return_method="counter",
        return_address="Số 1 phố Lý Thái Tổ",
        applicant=Applicant(NAME),
        place=None,
    )
    text = visible_text(render_html("receipt", counter))
    assert f"trực tiếp tại {UNIT}, Số 1 phố Lý Thái Tổ." in text
    assert "Ngày 12 tháng 02 năm 2026" in text
    assert "Số điện thoại" not in text
    assert "Địa chỉ" not in text


def test_control_sheet_open_steps_are_blank() -> None:
    ctx = make_context("control_sheet")
    assert isinstance(ctx, ControlSheetContext)
    html = render_html("control_sheet", replace(ctx, rows=ctx.rows[2:]))
    assert "Ký duyệt kết quả" in html
    assert "Trước hạn</td>" not in html
    assert html.count('<td class="center"></td>') == 1
    assert html.count("<td></td>") == 2


def test_datetimes_print_in_vietnam_time() -> None:
    assert format_datetime(datetime(2026, 2, 12, 2, 0, tzinfo=UTC)) == (
        "09 giờ 00 phút, ngày 12 tháng 02 năm 2026"
    )
    # 20:30 UTC is already the next day in Hà Nội.
    assert format_date(datetime(2026, 3, 4, 20, 30, tzinfo=UTC)) == "ngày 05 tháng 3 năm 2026"
    assert format_date(datetime(2026, 12, 25, 8, 0, tzinfo=VN)) == "ngày 25 tháng 12 năm 2026"
    assert format_datetime(None) == ""


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        RefusalContext(CODE, UNIT, PROCEDURE, Applicant(NAME), REASON, datetime(2026, 2, 12))
    with pytest.raises(ValueError, match="timezone-aware"):
        format_datetime(datetime(2026, 2, 12))


def test_wrong_context_or_kind_is_refused() -> None:
    with pytest.raises(TypeError, match="ReceiptContext"):
        render_html("receipt", make_context("refusal"))
    with pytest.raises(ValueError, match="unknown document kind"):
        render_html("letter", make_context("refusal"))  # type: ignore[arg-type]


def test_unknown_literals_are_refused() -> None:
    receipt = make_context("receipt")
    assert isinstance(receipt, ReceiptContext)
    with pytest.raises(ValueError, match="return_method"):
        replace(receipt, return_method="drone")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="result"):
        ControlSheetRow("a", "b", "c", RECEIVED, result="soon")  # type: ignore[arg-type]


# --- PDF ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_is_a_pdf(kind: DocumentKind) -> None:
    pdf = render_pdf(kind, make_context(kind))
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert page_count(pdf) == 1


@needs_poppler
@pytest.mark.parametrize("kind", KINDS)
def test_pdf_text_has_title_heading_and_values(kind: DocumentKind, tmp_path: Path) -> None:
    text = norm(pdf_text(render_pdf(kind, make_context(kind)), tmp_path))
    assert norm(TITLES[kind]) in text
    for line in HEADING:
        assert line in text
    assert text.startswith(LABELS[kind])
    for value in KEY_VALUES[kind]:
        assert norm(value) in text, value


@needs_poppler
@pytest.mark.parametrize("kind", KINDS)
def test_pdf_and_html_carry_same_words(kind: DocumentKind, tmp_path: Path) -> None:
    ctx = make_context(kind)
    html_words = Counter(visible_text(render_html(kind, ctx)).split())
    pdf_words = Counter(norm(pdf_text(render_pdf(kind, ctx), tmp_path)).split())
    assert pdf_words == html_words


@needs_poppler
@pytest.mark.parametrize("kind", KINDS)
def test_pdf_keeps_markup_like_values_as_text(kind: DocumentKind, tmp_path: Path) -> None:
    evil = Applicant("<script>alert(1)</script> Nguyễn Thị Hương", "1", "2", ADDRESS)
    text = norm(pdf_text(render_pdf(kind, make_context(kind, evil)), tmp_path))
    assert "<script>alert(1)</script> Nguyễn Thị Hương" in text


@needs_poppler
@pytest.mark.parametrize("kind", KINDS)
def test_pdf_page_renders_to_png(kind: DocumentKind, tmp_path: Path) -> None:
    source = tmp_path / "doc.pdf"
    source.write_bytes(render_pdf(kind, make_context(kind)))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(source), str(tmp_path / "p")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    pngs = sorted(tmp_path.glob("p*.png"))
    assert len(pngs) == 1
    data = pngs[0].read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    # A4 portrait (210 x 297 mm) at 60 dpi, give or take poppler's rounding.
    assert abs(width - 496) <= 1
    assert abs(height - 702) <= 1


@needs_poppler
def test_long_dossier_flows_onto_more_pages(tmp_path: Path) -> None:
    ctx = make_context("receipt")
    assert isinstance(ctx, ReceiptContext)
    documents = [f"Giấy tờ kèm theo số {n} — bản sao có chứng thực" for n in range(1, 71)]
    long_code = "MÃ-" + "0123456789" * 12  # wider than a line: broken between characters
    long = replace(ctx, documents_received=documents, procedure_name=long_code)
    pdf = render_pdf("receipt", long)
    assert page_count(pdf) >= 2
    text = norm(pdf_text(pdf, tmp_path))
    assert "Giấy tờ kèm theo số 70 — bản sao có chứng thực" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text
    assert norm(TITLES["receipt"]) in text
    assert "".join(text.split()).count(long_code) >= 1


@needs_poppler
def test_control_sheet_table_repeats_across_pages(tmp_path: Path) -> None:
    ctx = make_context("control_sheet")
    assert isinstance(ctx, ControlSheetContext)
    rows = [replace(ctx.rows[1], step_name=f"Bước {n}") for n in range(1, 31)]
    pdf = render_pdf("control_sheet", replace(ctx, rows=rows))
    assert page_count(pdf) >= 2
    text = norm(pdf_text(pdf, tmp_path))
    assert "Bước 30" in text
    assert text.count("Hạn xử lý") == page_count(pdf)  # the heading row repeats


def test_empty_control_sheet_still_renders() -> None:
    ctx = make_context("control_sheet")
    assert isinstance(ctx, ControlSheetContext)
    assert render_pdf("control_sheet", replace(ctx, rows=[])).startswith(b"%PDF-")
