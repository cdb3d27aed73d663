"""The II.06a report as JSON, CSV and XLSX; and the ranking of units."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import Clock
from tests.factories import Api, vn
from tests.stats import streams
from tests.stats.streams import AGENCY, C1, C2, PROVINCE


@pytest.fixture
def filled(api: Api) -> Api:
    streams.catalogue(api)
    streams.post(api, streams.plan(random.Random(3), 80))
    return api


def report(api: Api, **params: Any) -> Any:
    r = api.client.get("/api/v1/reports/ii06a", params={"unit": PROVINCE, "period": "2026-H1",
                                                        **params})
    assert r.status_code == 200, r.text
    return r


def test_json_rows_add_up_to_the_total_and_match_the_statistics(filled: Api) -> None:
    body = report(filled).json()
    total = body["total"]
    stats = filled.client.get("/api/v1/stats/on-time",
                              params={"unit": PROVINCE, "period": "2026-H1",
                                      "include_merged": True}).json()
    assert total["received"]["total"] == stats["received"]["total"]
    assert total["pending"] == stats["pending"]
    assert {r["key"] for r in body["rows"]} <= {"HT", "DD", "CT"}
    for part, fields in (("received", ("total", "online", "counter_postal", "carried_over")),
                         ("resolved", ("total", "early", "on_time", "late")),
                         ("pending", ("total", "within_deadline", "overdue"))):
        for f in fields:
            assert sum(r[part][f] for r in body["rows"]) == total[part][f], (part, f)
    by_unit = report(filled, rows="unit").json()
    assert {r["key"] for r in by_unit["rows"]} <= {C1, C2, AGENCY}


def test_csv_has_a_bom_and_flat_headers(filled: Api) -> None:
    r = report(filled, format="csv")
    assert r.headers["content-type"].startswith("text/csv")
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeffSTT,Lĩnh vực giải quyết,Số hồ sơ nhận giải quyết - Tổng số")
    assert text.strip().splitlines()[-1].startswith(",Tổng cộng,")


def test_xlsx_has_two_level_merged_headers_and_numbers(filled: Api, tmp_path: Path) -> None:
    r = report(filled, format="xlsx")
    assert "attachment" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["II.06a"]
    assert ws["A3"].value.startswith("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH")
    assert "Từ ngày 01/01/2026 đến ngày 30/06/2026" in ws["A4"].value
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A6:A7", "B6:B7", "C6:G6", "H6:K6", "L6:N6"} <= merged
    assert ws.cell(7, 7).value == "Nhận liên thông"
    assert [ws.cell(7, c).value for c in range(8, 12)] == [
        "Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn"]
    last = next(r for r in range(9, ws.max_row + 1) if ws.cell(r, 2).value == "Tổng cộng")
    body = report(filled).json()
    assert ws.cell(last, 3).value == body["total"]["received"]["total"]
    assert isinstance(ws.cell(last, 3).value, int)
    data_rows = range(9, last)
    assert sum(ws.cell(r, 8).value for r in data_rows) == ws.cell(last, 8).value
    if shutil.which("soffice") and shutil.which("pdftoppm"):
        xlsx = tmp_path / "report.xlsx"
        xlsx.write_bytes(r.content)
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir",
                        str(tmp_path), str(xlsx)], check=True, capture_output=True, timeout=120)
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", str(tmp_path / "report.pdf"),
                        str(tmp_path / "report")], check=True, timeout=60)
        assert (tmp_path / "report.png").stat().st_size > 5000
        text = subprocess.run(["pdftotext", str(tmp_path / "report.pdf"), "-"],
                              check=True, capture_output=True, text=True).stdout
        assert "Tổng cộng" in text and "Đúng hạn" in text
        for line in ("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "(Ký, đóng dấu, ghi rõ họ tên)"):
            assert line in text, line
    else:
        pytest.skip("LibreOffice or poppler not installed: visual check skipped")


def rename(api: Api, code: str, name: str) -> None:
    r = api.client.patch(f"/api/v1/units/{code}", json={"name": name})
    assert r.status_code == 200, r.text


def test_xlsx_is_headed_dated_and_signed(filled: Api, clock: Clock) -> None:
    rename(filled, PROVINCE, "Tỉnh Quảng Ninh")
    clock.now = vn("2026-07-06 09:00")
    ws = load_workbook(io.BytesIO(report(filled, format="xlsx").content))["II.06a"]
    # The province's committee reports in its own name, dated at its place.
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH"
    assert ws["A1"].font.b
    assert ws.cell(1, ws.max_column).value == "Biểu số II.06a/VPCP/KSTT"
    cells = {ws.cell(r, c).value: (r, c) for r in range(1, ws.max_row + 1)
             for c in range(1, ws.max_column + 1) if ws.cell(r, c).value is not None}
    total_row = cells["Tổng cộng"][0]
    dated = cells["Quảng Ninh, ngày 06 tháng 7 năm 2026"]
    preparer, head = cells["NGƯỜI LẬP BIỂU"], cells["THỦ TRƯỞNG ĐƠN VỊ"]
    assert total_row < dated[0] < preparer[0] == head[0]
    assert preparer[1] == 1 < head[1]  # the preparer on the left, the head on the right
    assert cells["(Ký, ghi rõ họ tên)"] == (preparer[0] + 1, 1)
    assert cells["(Ký, đóng dấu, ghi rõ họ tên)"] == (head[0] + 1, head[1])


def test_a_department_reports_under_its_committee(filled: Api) -> None:
    rename(filled, PROVINCE, "Tỉnh Quảng Ninh")
    rename(filled, AGENCY, "Sở Tư pháp")
    r = filled.client.get("/api/v1/reports/ii06a", params={
        "unit": AGENCY, "period": "2026-H1", "format": "xlsx"})
    assert r.status_code == 200, r.text
    ws = load_workbook(io.BytesIO(r.content))["II.06a"]
    assert ws["A1"].value == "UBND TỈNH QUẢNG NINH"
    assert not ws["A1"].font.b
    assert ws["A2"].value == "SỞ TƯ PHÁP"
    assert ws["A2"].font.b


def test_ranking_orders_by_on_time_rate(filled: Api) -> None:
    r = filled.client.get("/api/v1/stats/ranking", params={"unit": PROVINCE,
                                                           "period": "2026-H1"})
    items = r.json()["items"]
    assert [i["rank"] for i in items] == list(range(1, len(items) + 1))
    assert {i["unit"] for i in items} == {C1, C2}
    rates = [i["on_time_rate"] for i in items if i["on_time_rate"] is not None]
    assert rates == sorted(rates, reverse=True)
    for item in items:
        stats = filled.client.get("/api/v1/stats/on-time", params={
            "unit": item["unit"], "period": "2026-H1"}).json()
        assert item["on_time_rate"] == stats["rates"]["on_time"]
        assert item["resolved"] == stats["resolved"]["total"]


def test_dashboard_key_is_scoped_to_its_subtree(filled: Api) -> None:
    key = filled.key("dashboard", C1)
    h = {"X-API-Key": key}
    ok = filled.client.get("/api/v1/stats/on-time", params={"period": "2026"}, headers=h)
    assert ok.status_code == 200 and ok.json()["unit"] == C1
    for url in ("/api/v1/stats/on-time", "/api/v1/reports/ii06a"):
        r = filled.client.get(url, params={"unit": PROVINCE, "period": "2026"}, headers=h)
        assert r.status_code == 403
    postal = filled.key("postal")
    r = filled.client.get("/api/v1/stats/on-time", params={"unit": C1, "period": "2026"},
                          headers={"X-API-Key": postal})
    assert r.status_code == 403
