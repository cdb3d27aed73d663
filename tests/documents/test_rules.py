"""The control sheet's rows derived from a timeline, without a database."""

from __future__ import annotations

from app.documents.rules import Step, control_sheet_rows
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
        ("Trả kết quả giải quyết", "Sở", "Một cửa", "late"),
    ]


def test_open_and_ended_dossiers() -> None:
    [open_] = control_sheet_rows("Một cửa", "Xã", vn("2026-03-02 08:00"), DUE, [], None)
    assert (open_.finished_at, open_.result) == (None, None)
    [refused] = control_sheet_rows("Một cửa", "Xã", vn("2026-03-02 08:00"), DUE,
                                   [Step("refused", vn("2026-03-02 09:00")),
                                    Step("transferred", vn("2026-03-03 09:00"), "Xã", "Sở")],
                                   None)
    assert refused.finished_at == vn("2026-03-02 09:00")
