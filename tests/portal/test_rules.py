"""The portal's status codes, dates and payload shape, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.portal import rules
from tests.portal.receiver import shape_errors

AT = datetime(2026, 3, 2, 1, 5, 9, tzinfo=UTC)  # 08:05:09 in Vietnam


def timeline(*types: str) -> list[rules.TimelineEvent]:
    return [rules.TimelineEvent(id=i, type=t, at=AT, unit_code="X", unit_name="UBND xã X",
                                to_unit_name="Sở Tư pháp" if t == "transferred" else None)
            for i, t in enumerate(("received", *types), start=1)]


def dossier(status: str, **fields: object) -> rules.PortalDossier:
    base: dict[str, object] = dict(
        code="000.00.20.H12-260302-0001", status=status, procedure_code="1.000001",
        procedure_name="Đăng ký khai sinh", field_code="HT", field_name="Hộ tịch",
        applicant_kind="person", applicant_name="Nguyễn Văn An", applicant_phone="0912345678",
        handling_unit_name="UBND xã X", received_at=AT, due_at=AT, rescheduled_due_at=None,
        finished_at=None, returned_at=None, by_post=False)
    return rules.PortalDossier(**(base | fields))  # type: ignore[arg-type]


def test_dates_are_vietnamese_time_in_the_portals_format() -> None:
    assert rules.portal_date(AT) == "20260302080509"
    assert rules.portal_date(None) == ""


@pytest.mark.parametrize(("status", "types", "code"), [
    ("received", (), "2"),
    ("processing", ("processing_started",), "4"),
    ("processing", ("transferred",), "4"),
    ("awaiting_supplement", ("supplement_requested",), "5"),
    ("awaiting_financial_obligation", ("financial_obligation_requested",), "6"),
    ("withdrawn", ("withdrawn",), "7"),
    ("stopped", ("processing_started", "stopped"), "8"),
    ("refused", ("processing_started", "refused"), "8"),
    ("refused", ("refused",), "3"),
    ("refused", ("apology_issued", "refused"), "3"),
    ("resolved", ("resolved",), "9"),
    ("returned", ("resolved", "returned"), "10"),
])
def test_status_codes(status: str, types: tuple[str, ...], code: str) -> None:
    assert rules.status_code(status, ("received", *types)) == code
    assert rules.steps("C", timeline(*types))[-1]["TrangThai"] == code


def test_a_transfer_keeps_processing_and_names_the_new_agency() -> None:
    step = rules.steps("C", timeline("transferred"))[-1]
    assert (step["TrangThai"], step["PhongBanXuLy"]) == ("4", "Sở Tư pháp")
    assert step["NoiDungXuLy"].endswith("đến Sở Tư pháp")


def test_overlays_keep_the_code_they_found() -> None:
    codes = [s["TrangThai"] for s in rules.steps("C", timeline(
        "processing_started", "apology_issued", "resolved", "returned", "delivered"))]
    assert codes == ["2", "4", "4", "9", "10", "10"]


def test_the_dossier_payload_has_the_documented_shape() -> None:
    body = rules.dossier_payload(dossier("resolved", finished_at=AT, by_post=True),
                                 timeline("resolved"), updating=False)
    assert shape_errors("DongBoHoSoMC", body) == []
    item = body["data"][0]
    assert (body["isUpdating"], item["TrangThaiHoSo"], item["HinhThuc"], item["NgayTra"]) == (
        "False", "9", "1", "")
    assert "CMND" not in str(item) and "Tràng Tiền" not in str(item)


def test_the_new_appointment_is_the_one_sent() -> None:
    later = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    item = rules.dossier_payload(dossier("processing", rescheduled_due_at=later),
                                 timeline("apology_issued"), updating=True)["data"][0]
    assert item["NgayHenTra"] == "20260309170000"


def test_steps_have_the_documented_shape() -> None:
    body = {"data": rules.steps("C", timeline("transferred", "supplement_requested",
                                               "supplement_received", "resolved"))}
    assert shape_errors("CapNhatTienDoHoSoMC", body) == []


@pytest.mark.parametrize(("reply", "ok"), [
    ({"error_code": 0}, True), ({"error_code": "0"}, True), ({"error_code": " 0 "}, True),
    ({"error_code": 1}, False), ({"error_code": "-3"}, False), ({"error_code": False}, False),
    ({"message": "thành công"}, False), ({}, False), (None, False),
])
def test_only_error_code_zero_acknowledges(reply: dict[str, object] | None, ok: bool) -> None:
    assert rules.acknowledged(reply) is ok


@given(st.lists(st.sampled_from(sorted(rules.EVENT_STEPS)), max_size=12))
def test_every_step_carries_a_portal_code(types: list[str]) -> None:
    for step in rules.steps("C", timeline(*types)):
        assert step["TrangThai"] in {str(n) for n in range(2, 11)}
        assert all(isinstance(v, str) for v in step.values())


def test_indicator_share() -> None:
    assert (rules.share(2, 3), rules.share(0, 0)) == (66.67, None)


def test_the_dossier_payload_field_by_field() -> None:
    done = datetime(2026, 3, 5, 3, 0, tzinfo=UTC)
    back = datetime(2026, 3, 6, 2, 30, tzinfo=UTC)
    body = rules.dossier_payload(
        dossier("returned", applicant_kind="organisation", finished_at=done, returned_at=back),
        timeline("processing_started", "resolved", "returned"), updating=True)
    assert body == {"isUpdating": "True", "data": [{
        "MaHoSo": "000.00.20.H12-260302-0001", "MaTTHC": "1.000001",
        "TenTTHC": "Đăng ký khai sinh", "MaLinhVuc": "HT", "TenLinhVuc": "Hộ tịch",
        "LoaiDoiTuong": "2", "ChuHoSo": "Nguyễn Văn An", "SoDienThoai": "0912345678",
        "TrichYeuHoSo": "Đăng ký khai sinh", "DonViXuLy": "UBND xã X",
        "NgayTiepNhan": "20260302080509", "NgayHenTra": "20260302080509",
        "NgayTra": "20260306093000", "NgayKetThucXuLy": "20260305100000",
        "TrangThaiHoSo": "10", "HinhThuc": "0"}]}


def test_payload_defaults_an_unknown_applicant_kind_and_a_missing_phone() -> None:
    item = rules.dossier_payload(dossier("received", applicant_kind="other",
                                         applicant_phone=None), timeline(),
                                 updating=False)["data"][0]
    assert (item["LoaiDoiTuong"], item["SoDienThoai"]) == ("1", "")


def test_a_refusal_at_receipt_is_sent_as_not_received() -> None:
    item = rules.dossier_payload(dossier("refused"), timeline("refused"),
                                 updating=False)["data"][0]
    assert item["TrangThaiHoSo"] == "3"
    step = rules.steps("C", timeline("refused"))[-1]
    assert (step["TrangThai"], step["NoiDungXuLy"]) == ("3", rules.REFUSED_AT_RECEIPT_TEXT)


@pytest.mark.parametrize(("types", "at_receipt"), [
    ((), False),  # no refusal at all
    (("refused",), True),
    (("apology_issued", "return_by_post_requested", "refused"), True),  # overlays only
    (("supplement_requested", "refused"), False),
    (("unknown_kind", "refused"), True),  # an event the portal has no step for
])
def test_refused_at_receipt_when_nothing_but_overlays_came_before(
        types: tuple[str, ...], at_receipt: bool) -> None:
    assert rules.refused_at_receipt(["received", *types]) is at_receipt


def test_each_step_field_by_field() -> None:
    later = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    events = [rules.TimelineEvent(1, "received", AT, "X", "UBND xã X"),
              rules.TimelineEvent(2, "transferred", later, "X", "UBND xã X", "Sở Tư pháp"),
              rules.TimelineEvent(3, "supplement_requested", later, "S", "Sở Tư pháp",
                                  "Sở Tư pháp"),
              rules.TimelineEvent(4, "custom_note", later, "S", "Sở Tư pháp")]
    assert rules.steps("C", events) == [
        {"MaHoSo": "C", "NguoiXuLy": "UBND xã X", "ChucDanh": "",
         "ThoiDiemXuLy": "20260302080509", "PhongBanXuLy": "UBND xã X",
         "NoiDungXuLy": "Tiếp nhận hồ sơ", "TrangThai": "2",
         "NgayBatDau": "20260302080509", "NgayKetThucTheoQuyDinh": ""},
        {"MaHoSo": "C", "NguoiXuLy": "UBND xã X", "ChucDanh": "",
         "ThoiDiemXuLy": "20260303090000", "PhongBanXuLy": "Sở Tư pháp",
         "NoiDungXuLy": "Chuyển xử lý liên thông đến Sở Tư pháp", "TrangThai": "4",
         "NgayBatDau": "20260303090000", "NgayKetThucTheoQuyDinh": ""},
        # Only a transfer names a new agency, whatever else an event carries.
        {"MaHoSo": "C", "NguoiXuLy": "Sở Tư pháp", "ChucDanh": "",
         "ThoiDiemXuLy": "20260303090000", "PhongBanXuLy": "Sở Tư pháp",
         "NoiDungXuLy": "Yêu cầu bổ sung, hoàn thiện hồ sơ", "TrangThai": "5",
         "NgayBatDau": "20260303090000", "NgayKetThucTheoQuyDinh": ""},
        # An event the portal has no step for keeps the code and says what it was.
        {"MaHoSo": "C", "NguoiXuLy": "Sở Tư pháp", "ChucDanh": "",
         "ThoiDiemXuLy": "20260303090000", "PhongBanXuLy": "Sở Tư pháp",
         "NoiDungXuLy": "custom_note", "TrangThai": "5",
         "NgayBatDau": "20260303090000", "NgayKetThucTheoQuyDinh": ""},
    ]


def test_differences_are_the_days_whose_counts_disagree() -> None:
    day = AT.date()
    same = rules.DayCount("X", day, frozenset({"a"}), frozenset({"a"}))
    short = rules.DayCount("Y", day, frozenset({"a", "b"}), frozenset({"b"}))
    assert rules.differences([same, short]) == [short]
    assert short.missing == ["a"]
