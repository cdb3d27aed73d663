"""The dossier register (sổ theo dõi hồ sơ) of a unit and period, as XLSX read with openpyxl."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from app.documents.register import COLUMNS
from app.documents.service import REGISTER_MAX_ROWS
from tests.conftest import Clock
from tests.factories import AGENCY, COMMUNE, OTHER_COMMUNE, PROVINCE, Api, vn

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rename(api: Api, code: str, name: str) -> None:
    r = api.client.patch(f"/api/v1/units/{code}", json={"name": name})
    assert r.status_code == 200, r.text


@pytest.fixture
def book(api: Api, clock: Clock) -> list[str]:
    """Three dossiers at the commune in March (one transferred, one stopped, one by post) and
    one outside the period or unit each."""
    api.province()
    rename(api, PROVINCE, "Tỉnh Quảng Ninh")
    rename(api, COMMUNE, "Phường Hạ Long")
    rename(api, AGENCY, "Sở Tư pháp")
    a = str(api.receive("2026-03-02 08:00")["code"])
    api.event(a, "transferred", "2026-03-02 10:00", to_unit=AGENCY)
    api.event(a, "resolved", "2026-03-05 15:00")
    api.event(a, "returned", "2026-03-06 09:00", method="counter")
    b = str(api.receive("2026-03-03 14:05")["code"])
    api.event(b, "processing_started", "2026-03-03 15:00")
    api.event(b, "stopped", "2026-03-04 10:00", reason="Theo đề nghị của cơ quan phối hợp")
    c = str(api.receive("2026-03-31 16:00", return_by_post=True)["code"])
    api.receive("2026-04-01 08:00")  # the next period
    api.receive("2026-03-10 08:00", receiving_unit=OTHER_COMMUNE)  # another unit
    clock.now = vn("2026-04-20 09:00")
    return [a, b, c]


def register(api: Api, **params: Any) -> Worksheet:
    r = api.client.get("/api/v1/documents/register",
                       params={"unit": COMMUNE, "period": "2026-03", **params})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX
    assert r.headers["content-disposition"] == (
        f'attachment; filename="so-theo-doi-ho-so-{COMMUNE}-20260301-20260331.xlsx"')
    ws = load_workbook(io.BytesIO(r.content))["Sổ theo dõi hồ sơ"]
    return ws


def cells(ws: Worksheet) -> dict[Any, tuple[int, int]]:
    return {ws.cell(r, c).value: (r, c) for r in range(1, ws.max_row + 1)
            for c in range(1, ws.max_column + 1) if ws.cell(r, c).value is not None}


def test_one_row_per_dossier_the_unit_received_in_the_period(api: Api, book: list[str]
                                                             ) -> None:
    ws = register(api)
    found = cells(ws)
    assert found["Mẫu số 07"] == (1, len(COLUMNS))
    assert found["ỦY BAN NHÂN DÂN PHƯỜNG HẠ LONG"][0] == 2
    assert "SỔ THEO DÕI HỒ SƠ" in found
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in found
    numbers = found["(1)"][0]
    assert [ws.cell(numbers, c).value for c in range(1, len(COLUMNS) + 1)] == [
        f"({c})" for c in range(1, len(COLUMNS) + 1)]
    assert ws.cell(numbers - 2, found["Ngày, tháng, năm"][1]).value == "Ngày, tháng, năm"
    rows = [[ws.cell(r, c).value for c in range(1, len(COLUMNS) + 1)]
            for r in range(numbers + 1, ws.max_row + 1)]
    assert [r[1] for r in rows] == book  # in order of receipt, nothing else
    transferred, stopped, by_post = rows
    assert transferred[:8] == [1, book[0], "Thủ tục 1.000001", 1, "Nguyễn Văn An",
                               "Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội, 0912345678",
                               "Sở Tư pháp", "08:00 02/03/2026"]
    assert transferred[8:12] == ["17:00 06/03/2026", "10:00 02/03/2026", "15:00 05/03/2026",
                                 "09:00 06/03/2026"]
    assert transferred[13] == "Giải quyết trước hạn"
    assert stopped[6] == "Phường Hạ Long" and stopped[13] == "Dừng giải quyết"
    assert stopped[9] is None  # never handed on
    assert by_post[13] == "Đang giải quyết, quá hạn"  # due 07/04, still open on 20/04


def test_a_dashboard_or_foreign_counter_gets_no_register(api: Api, book: list[str]) -> None:
    for role, unit in (("dashboard", COMMUNE), ("counter", OTHER_COMMUNE)):
        r = api.client.get("/api/v1/documents/register",
                           params={"unit": COMMUNE, "period": "2026-03"},
                           headers={"X-API-Key": api.key(role, unit)})
        assert r.status_code == 403
        assert r.headers["content-type"] == "application/problem+json"
    own = api.key("counter", COMMUNE)
    r = api.client.get("/api/v1/documents/register", params={"period": "2026-03"},
                       headers={"X-API-Key": own})
    assert r.status_code == 200  # the counter's own unit by default


def test_bad_periods_and_a_national_key_without_unit_are_422(api: Api, book: list[str]
                                                             ) -> None:
    for params in ({"period": "2026-13"}, {"from": "2026-03-05", "to": "2026-03-01"},
                   {"period": "2026-03", "from": "2026-03-01"}):
        r = api.client.get("/api/v1/documents/register", params={"unit": COMMUNE, **params})
        assert r.status_code == 422, params
    r = api.client.get("/api/v1/documents/register", params={"period": "2026-03"})
    assert r.status_code == 422 and r.json()["code"] == "unit_required"
    r = api.client.get("/api/v1/documents/register", params={"unit": "nope",
                                                             "period": "2026-03"})
    assert r.status_code == 404


def test_an_empty_period_still_gives_the_headed_book(api: Api, book: list[str]) -> None:
    r = api.client.get("/api/v1/documents/register", params={"unit": COMMUNE,
                                                             "period": "2025-03"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    found = cells(ws)
    assert found["Mẫu số 07"] and ws.max_row == found["(1)"][0]


def test_the_register_cap_is_a_clear_422(api: Api, book: list[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.documents.service.REGISTER_MAX_ROWS", 2)
    r = api.client.get("/api/v1/documents/register", params={"unit": COMMUNE,
                                                             "period": "2026-03"})
    assert r.status_code == 422 and r.json()["code"] == "register_too_large"
    assert REGISTER_MAX_ROWS >= 10_000


def test_the_register_renders_through_libreoffice(api: Api, book: list[str], tmp_path: Path
                                                  ) -> None:
    if not (shutil.which("soffice") and shutil.which("pdftotext")):
        pytest.skip("LibreOffice or poppler not installed: visual check skipped")
    r = api.client.get("/api/v1/documents/register", params={"unit": COMMUNE,
                                                             "period": "2026-03"})
    xlsx = tmp_path / "register.xlsx"
    xlsx.write_bytes(r.content)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(xlsx)], check=True, capture_output=True, timeout=120)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "register.pdf"), "-"],
                          check=True, capture_output=True, text=True).stdout
    for value in ("SỔ THEO DÕI HỒ SƠ", "Mẫu số 07", "Cơ quan chủ trì", book[0], book[2],
                  "Dừng giải quyết"):
        assert value in text, value
