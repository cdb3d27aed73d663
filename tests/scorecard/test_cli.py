"""`python -m app scorecard`: export a version, amend it, add it with an effective date."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.__main__ import main
from tests.factories import PROVINCE, Api


def export(capsys: pytest.CaptureFixture[str]) -> list[dict[str, str]]:
    assert main(["scorecard", "export"]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)
    return path


def weight_of(client: TestClient, period: str, code: str) -> tuple[int, float]:
    r = client.get("/api/v1/stats/scorecard", params={"unit": PROVINCE, "period": period})
    assert r.status_code == 200, r.text
    i = next(i for i in r.json()["indicators"] if i["code"] == code)
    return r.json()["weights"]["version"], i["max_points"]


def test_an_amendment_is_a_new_version_that_scores_later_periods(
        api: Api, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    api.province()
    rows = export(capsys)
    assert len(rows) == 19 and {r["indicator"] for r in rows} >= {"2.1", "3.6", "5.4"}
    # the amendment moves two points from 1.4 to 1.1 within group 1
    for r in rows:
        if r["indicator"] in ("1.1", "1.4"):
            r["max_points"] = {"1.1": "6", "1.4": "4"}[r["indicator"]]
            r["source"] = "Quyết định sửa đổi (ví dụ)"
    amended = write(tmp_path / "v2.csv", rows)
    assert main(["scorecard", "add", str(amended), "--effective-from", "2026-07-01"]) == 0
    assert "version 2" in capsys.readouterr().out
    assert weight_of(api.client, "2026-06", "1.1") == (1, 4.0)
    assert weight_of(api.client, "2026-07", "1.1") == (2, 6.0)
    assert weight_of(api.client, "2026", "1.1") == (2, 6.0)  # in force on the last day
    assert main(["scorecard", "list"]) == 0
    assert "version 2: in force from 2026-07-01" in capsys.readouterr().out
    audit = api.client.get("/api/v1/audit", params={"entity": "scorecard_weights"}).json()
    assert [e["entity_id"] for e in audit["items"]] == ["2"]


def test_a_table_whose_groups_exceed_100_is_refused_and_nothing_stored(
        api: Api, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    api.province()
    rows = export(capsys)
    for r in rows:
        if r["group_code"] == "5":
            r["group_max_points"] = "20"
        if r["indicator"] == "5.4":
            r["max_points"] = "10"
    bad = write(tmp_path / "bad.csv", rows)
    assert main(["scorecard", "add", str(bad), "--effective-from", "2027-01-01"]) == 1
    assert "the groups add up to 102, not 100" in capsys.readouterr().err
    assert main(["scorecard", "add", str(write(tmp_path / "old.csv", export(capsys))),
                 "--effective-from", "2022-06-23"]) == 1
    assert "must be after 2022-06-23" in capsys.readouterr().err
    rows[0]["threshold"] = "abc"
    assert main(["scorecard", "add", str(write(tmp_path / "nan.csv", rows)),
                 "--effective-from", "2027-01-01"]) == 1
    assert "row 2, threshold: a number" in capsys.readouterr().err
    assert main(["scorecard", "list"]) == 0
    assert capsys.readouterr().out.count("version ") == 1
