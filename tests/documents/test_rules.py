"""The forms' pure parts without a database: the control sheet's rows from a timeline, the
heading and place of the issuing unit, the circulars' form numbers, the register's remark."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app.catalog.headings import (
    Heading,
    UnitLine,
    circular_on,
    form_number,
    heading,
    proper_name,
)
from app.documents.rules import (
    HeldStep,
    RegisterEntry,
    Step,
    control_sheet_rows,
    process_rows,
    register_note,
)
from tests.factories import vn

DUE = vn("2026-03-10 17:00")


def test_one_row_per_handoff_judged_against_the_appointment() -> None:
    rows = control_sheet_rows("Một cửa", "Xã", vn("2026-03-02 08:00"), DUE, [
        Step("received", vn("2026-03-02 08:00")),
        Step("transferred", vn("2026-03-04 11:00"), "Xã", "Sở"),
        Step("apology_issued", vn("2026-03-05 09:00")),
        Step("resolved", vn("2026-03-10 10:00")),
    ], vn("2026-03-12 09:00"))
    assert [(r.step_name, r.from_unit, r.to_unit, r.result) for r in rows] == [
        ("Tiếp nhận, chuyển hồ sơ", "Một cửa", "Xã", "early"),
        ("Chuyển xử lý liên thông", "Xã", "Sở", "on_time"),
        # Ready by the appointment: on time, however late the applicant collects it.
        ("Trả kết quả giải quyết", "Sở", "Một cửa", "on_time"),
    ]
    assert rows[-1].finished_at == vn("2026-03-12 09:00")


def test_each_step_of_the_process_is_judged_against_its_own_allotment() -> None:
    held = [
        HeldStep(2, "Trả kết quả", "Sở", vn("2026-03-09 10:00"), DUE, vn("2026-03-09 10:00"),
                 "early"),
        HeldStep(0, "Tiếp nhận", "Xã", vn("2026-03-02 08:00"), vn("2026-03-02 17:00"),
                 vn("2026-03-02 10:00"), "on_time"),
        HeldStep(1, "Thẩm định", "Sở", vn("2026-03-02 10:00"), vn("2026-03-05 10:00"),
                 vn("2026-03-09 10:00"), "late"),
    ]
    rows = process_rows("Một cửa", held, 2, vn("2026-03-12 09:00"))
    assert [(r.step_name, r.from_unit, r.to_unit, r.step_deadline, r.result) for r in rows] == [
        ("Tiếp nhận", "Một cửa", "Xã", vn("2026-03-02 17:00"), "on_time"),
        ("Thẩm định", "Xã", "Sở", vn("2026-03-05 10:00"), "late"),
        ("Trả kết quả", "Sở", "Một cửa", DUE, "early"),
    ]
    # The return step ends when the applicant collects the result, judged on when it was ready.
    assert rows[-1].finished_at == vn("2026-03-12 09:00")


def test_an_open_dossier_lists_the_steps_reached() -> None:
    [first] = process_rows("Một cửa", [HeldStep(0, "Tiếp nhận", "Xã", vn("2026-03-02 08:00"),
                                                vn("2026-03-02 17:00"))], 2, None)
    assert (first.finished_at, first.result) == (None, None)


def test_each_row_is_handed_over_when_the_step_before_it_ended() -> None:
    received_at = vn("2026-03-02 08:00")
    rows = control_sheet_rows("Một cửa", "Xã", received_at, DUE, [
        Step("transferred", vn("2026-03-03 10:00"), "Xã", "Sở"),
        Step("transferred", vn("2026-03-04 10:00"), None, None),
        Step("transferred", vn("2026-03-05 10:00"), "Phòng", "Ban"),
        Step("resolved", vn("2026-03-11 10:00")),
    ], vn("2026-03-11 11:00"))
    assert [(r.step_name, r.from_unit, r.to_unit, r.handed_over_at, r.step_deadline,
             r.finished_at, r.result) for r in rows] == [
        ("Tiếp nhận, chuyển hồ sơ", "Một cửa", "Xã", received_at, DUE,
         vn("2026-03-03 10:00"), "early"),
        ("Chuyển xử lý liên thông", "Xã", "Sở", vn("2026-03-03 10:00"), DUE,
         vn("2026-03-04 10:00"), "early"),
        # A transfer whose units the timeline lost still has its row, with blank units.
        ("Chuyển xử lý liên thông", "", "", vn("2026-03-04 10:00"), DUE,
         vn("2026-03-05 10:00"), "early"),
        ("Chuyển xử lý liên thông", "Phòng", "Ban", vn("2026-03-05 10:00"), DUE,
         vn("2026-03-11 10:00"), "late"),
        # The result goes back from the last holder to the counter.
        ("Trả kết quả giải quyết", "Ban", "Một cửa", vn("2026-03-11 10:00"), DUE,
         vn("2026-03-11 11:00"), "late"),
    ]


def test_open_and_ended_dossiers() -> None:
    [open_] = control_sheet_rows("Một cửa", "Xã", vn("2026-03-02 08:00"), DUE, [], None)
    assert (open_.finished_at, open_.result) == (None, None)
    [refused] = control_sheet_rows("Một cửa", "Xã", vn("2026-03-02 08:00"), DUE,
                                   [Step("refused", vn("2026-03-02 09:00")),
                                    Step("transferred", vn("2026-03-03 09:00"), "Xã", "Sở")],
                                   None)
    assert refused.finished_at == vn("2026-03-02 09:00")


# --- Heading, place and form number ----------------------------------------------------------

PROVINCE = UnitLine("province", "Tỉnh Quảng Ninh")
WARD = UnitLine("commune", "Phường Hạ Long")


def test_the_provincial_committee_issues_in_its_own_name() -> None:
    assert heading([PROVINCE]) == Heading(None, "ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH", "Quảng Ninh")


def test_a_department_or_centre_prints_the_committee_above_it() -> None:
    for name in ("Sở Tư pháp", "Trung tâm Phục vụ hành chính công tỉnh"):
        h = heading([UnitLine("agency", name), PROVINCE])
        assert h == Heading("UBND TỈNH QUẢNG NINH", name.upper(), "Quảng Ninh")


def test_a_commune_issues_in_its_own_name_at_its_own_place() -> None:
    assert heading([WARD, PROVINCE]) == Heading(None, "ỦY BAN NHÂN DÂN PHƯỜNG HẠ LONG",
                                                "Hạ Long")
    # A desk of the ward prints the ward's committee above it, and the ward's place.
    desk = heading([UnitLine("agency", "Bộ phận Một cửa"), WARD, PROVINCE])
    assert desk == Heading("UBND PHƯỜNG HẠ LONG", "BỘ PHẬN MỘT CỬA", "Hạ Long")


def test_an_office_of_a_department_prints_the_department_above_it() -> None:
    h = heading([UnitLine("agency", "Văn phòng Đăng ký đất đai"),
                 UnitLine("agency", "Sở Nông nghiệp và Môi trường"), PROVINCE])
    assert h == Heading("SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", "VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI",
                        "Quảng Ninh")


def test_a_name_that_already_says_committee_is_not_doubled() -> None:
    assert heading([UnitLine("commune", "Ủy ban nhân dân xã Tiên Yên"), PROVINCE]).issuer == (
        "ỦY BAN NHÂN DÂN XÃ TIÊN YÊN")
    assert heading([UnitLine("agency", "Ban A"), UnitLine("province", "UBND tỉnh Bắc Ninh")]
                   ).authority == "UBND TỈNH BẮC NINH"
    assert heading([UnitLine("agency", "UBND phường Kinh Bắc")]).authority is None


def test_proper_names_for_the_place_line() -> None:
    assert proper_name("Tỉnh Quảng Ninh") == "Quảng Ninh"
    assert proper_name("Thành phố Hà Nội") == "Hà Nội"
    assert proper_name("Thành phố Hồ Chí Minh") == "Thành phố Hồ Chí Minh"
    assert proper_name("Đặc khu Vân Đồn") == "Vân Đồn"
    assert proper_name("Phường Móng Cái 1") == "Móng Cái 1"
    assert proper_name("Phường 1") == "Phường 1"
    assert proper_name("Huyện Tiên Yên") == "Tiên Yên"
    assert proper_name("Quảng Ninh") == "Quảng Ninh"


def test_an_agency_without_a_committee_above_it_has_no_place() -> None:
    assert heading([UnitLine("agency", "Cục Kiểm soát thủ tục hành chính")]) == Heading(
        None, "CỤC KIỂM SOÁT THỦ TỤC HÀNH CHÍNH", None)
    with pytest.raises(ValueError, match="issuing unit"):
        heading([])


def test_form_numbers_follow_the_circular_of_the_forms_date() -> None:
    before, after = date(2025, 9, 14), date(2025, 9, 15)
    assert circular_on(before).number == "01/2018/TT-VPCP"
    assert circular_on(after).number == "03/2025/TT-VPCP"
    assert [form_number(k, after) for k in ("receipt", "supplement", "refusal", "apology",
                                              "stop", "control_sheet", "register")] == [
        "Mẫu số 01", "Mẫu số 02", "Mẫu số 03", "Mẫu số 04", "Mẫu số 05", "Mẫu số 06",
        "Mẫu số 07"]
    assert form_number("control_sheet", before) == "Mẫu số 05"
    assert form_number("register", before) == "Mẫu số 06"
    assert form_number("stop", before) is None  # the 2018 circular had no stop notice


# --- The register's remark -------------------------------------------------------------------


def entry(**changes: object) -> RegisterEntry:
    base = RegisterEntry("X-260302-0001", "Thủ tục", "Nguyễn Văn An", None, None, "Sở",
                         vn("2026-03-02 08:00"), DUE, "processing")
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_apology_is_worded_by_the_circular_of_its_date() -> None:
    """Mẫu số 04 was a slip with a new appointment (2018); from 15 September 2025 it is a
    letter that apologises and asks to extend the processing time."""
    before, after = circular_on(date(2025, 9, 14)).apology, circular_on(date(2025, 9, 15)).apology
    assert before.title == "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
    assert "hẹn lại thời gian trả kết quả" in before.offer
    assert after.title == "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"
    assert "đề nghị gia hạn thời gian giải quyết" in after.offer


def test_register_note_says_how_the_dossier_stands() -> None:
    now = vn("2026-03-05 09:00")
    assert register_note(entry(), now) == "Đang giải quyết"
    assert register_note(entry(), vn("2026-03-11 09:00")) == "Đang giải quyết, quá hạn"
    assert register_note(entry(status="resolved", timeliness="late"), now) == (
        "Giải quyết quá hạn")
    assert register_note(entry(status="stopped"), now) == "Dừng giải quyết"
    # At the appointment itself it is not overdue yet (overdue is after it).
    assert register_note(entry(), DUE) == "Đang giải quyết"
    assert register_note(entry(status="returned", timeliness="on_time", return_method="counter",
                               returned_at=now), now) == "Giải quyết đúng hạn"
    assert register_note(entry(status="returned", timeliness="early", return_method="postal",
                               returned_at=now, rescheduled_due_at=DUE), now) == (
        "Giải quyết trước hạn; có văn bản xin lỗi, hẹn lại; trả qua bưu chính")
