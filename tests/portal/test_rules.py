"""The portal's status codes, dates and payload shape, without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.dossiers.rules import EVENT_TYPES, Status
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
    ("processing", ("financial_obligation_requested", "financial_obligation_fulfilled"), "4"),
    ("refused", ("financial_obligation_requested", "refused"), "8"),
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


def test_every_status_and_event_of_the_lifecycle_has_its_portal_code() -> None:
    statuses = set(get_args(Status))
    assert statuses - set(rules.STATUS_CODES) == {"refused"}  # decided by the timeline
    assert set(rules.STATUS_CODES) <= statuses
    assert set(rules.EVENT_STEPS) == {"received", "due_changed", *EVENT_TYPES}


@given(st.lists(st.sampled_from(sorted(rules.EVENT_STEPS)), max_size=12))
def test_every_step_carries_a_portal_code(types: list[str]) -> None:
    for step in rules.steps("C", timeline(*types)):
        assert step["TrangThai"] in {str(n) for n in range(2, 11)}
        assert all(isinstance(v, str) for v in step.values())


def test_indicator_share() -> None:
    assert (rules.share(2, 3), rules.share(0, 0)) == (66.67, None)
