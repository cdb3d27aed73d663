"""Importing the unit tree and the procedure catalogue from CSV and XLSX files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.__main__ import main
from tests.factories import Api

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"



def refused(out: str) -> list[list[str]]:
    return list(csv.reader(out.splitlines()))[1:]


def test_the_sample_units_import_in_any_order_and_again_unchanged(
        api: Api, cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["units", "import", str(SAMPLES / "units.csv")]) == 0
    assert "4 created, 0 updated, 0 unchanged, 0 refused" in capsys.readouterr().err
    commune = api.client.get("/api/v1/units/000.00.20.H99").json()
    # Listed before its parent in the file: placed once the parent was in.
    assert commune["parent"] == "000.00.00.H99"
    assert commune["working_hours"]["sessions"] == [["07:30:00", "11:30:00"],
                                                    ["13:30:00", "17:00:00"]]
    district = api.client.get("/api/v1/units/000.00.10.H99").json()
    assert district["valid_to"] == "2025-06-30"
    assert district["merged_into"] == "000.00.20.H99"
    assert main(["units", "import", str(SAMPLES / "units.csv")]) == 0
    assert "0 created, 0 updated, 4 unchanged, 0 refused" in capsys.readouterr().err
    audit = api.client.get("/api/v1/audit", params={"entity": "unit"}).json()["items"]
    assert len([a for a in audit if a["action"] == "create"]) == 4


def test_a_changed_row_updates_only_that_unit(api: Api, cli_env: None, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["units", "import", str(SAMPLES / "units.csv")]) == 0
    text = (SAMPLES / "units.csv").read_text().replace("Sở Tư pháp", "Sở Tư pháp tỉnh")
    (tmp_path / "u.csv").write_text(text)
    capsys.readouterr()
    assert main(["units", "import", str(tmp_path / "u.csv")]) == 0
    assert "0 created, 1 updated, 3 unchanged, 0 refused" in capsys.readouterr().err
    assert api.client.get("/api/v1/units/000.00.01.H99").json()["name"] == "Sở Tư pháp tỉnh"


def test_refused_rows_are_reported_with_row_field_and_reason_and_change_nothing(
        api: Api, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "code,name,level,parent,valid_from,valid_to\n"
        "000.00.00.H98,Tỉnh A,province,,,\n"
        "000.00.20.H98,Xã B,hamlet,000.00.00.H98,,\n"          # row 3: unknown level
        "000.00.21.H98,Xã C,commune,000.00.99.H98,,\n"         # row 4: parent nowhere
        "000.00.22.H98,Xã D,commune,000.00.00.H98,2026-01-01,2025-01-01\n"  # row 5
        "bad code!,Xã E,commune,000.00.00.H98,,\n")            # row 6: code pattern
    assert main(["units", "import", str(path)]) == 1
    captured = capsys.readouterr()
    assert "1 created, 0 updated, 0 unchanged, 4 refused" in captured.err
    rows = refused(captured.out)
    assert [(r[0], r[1]) for r in rows] == [("3", "level"), ("4", "parent"),
                                            ("5", "valid_to"), ("6", "code")]
    listed = api.client.get("/api/v1/units", params={"under": "000.00.00.H98"}).json()
    assert [u["code"] for u in listed["items"]] == ["000.00.00.H98"]


def test_procedures_from_a_spreadsheet(api: Api, cli_env: None, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    with (SAMPLES / "procedures.csv").open(encoding="utf-8") as f:
        for row in csv.reader(f):
            # Numbers as numbers, as a spreadsheet holds them.
            sheet.append([int(c) if c.isdigit() else c for c in row])
    sheet.append(["1.009999", "Thủ tục lỗi", "HT", "Hộ tịch", 3, 8, "true", "true"])
    book.save(tmp_path / "p.xlsx")
    assert main(["procedures", "import", str(tmp_path / "p.xlsx")]) == 1
    captured = capsys.readouterr()
    assert "3 created, 0 updated, 0 unchanged, 1 refused" in captured.err
    assert refused(captured.out)[0][:2] == ["5", "processing_time"]
    certification = api.client.get("/api/v1/procedures/2.000908").json()
    assert certification["processing_time"]["working_hours"] == 8
    assert certification["online"] is False


def test_a_file_of_another_kind_is_refused(cli_env: None, tmp_path: Path) -> None:
    (tmp_path / "units.txt").write_text("code\n")
    assert main(["units", "import", str(tmp_path / "units.txt")]) == 2


def test_a_spreadsheet_that_is_no_workbook_is_refused_with_its_reason(
        cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "units.xlsx").write_text("code,name\n")
    assert main(["units", "import", str(tmp_path / "units.xlsx")]) == 2
    assert "units.xlsx: not an .xlsx workbook" in capsys.readouterr().err


def test_a_cell_that_starts_like_json_but_is_not_refuses_only_its_row(
        api: Api, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "code,name,field_code,field_name,processing_time\n"
        '1.009998,Thủ tục A,HT,Hộ tịch,"{""working_days"": 3}"\n'
        "1.009999,Thủ tục B,HT,Hộ tịch,{not json\n", encoding="utf-8")
    assert main(["procedures", "import", str(path)]) == 1
    captured = capsys.readouterr()
    rows = refused(captured.out)
    assert [(r[0], r[1]) for r in rows] == [("3", "processing_time")]
    assert "must be JSON" in rows[0][2]
    assert api.client.get("/api/v1/procedures/1.009999").status_code == 404
