"""`python -m app import history FILE`: past dossiers through the batch write path."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, make_url, select, text
from sqlalchemy.engine import Engine

from app.__main__ import main
from app.audit.models import AuditEntry
from app.dossiers.models import Dossier, DossierEvent
from app.history.importer import State, file_digest, save_state
from app.stats.models import stat_day, stat_histogram, stat_histogram_month, stat_month
from tests.conftest import empty_database
from tests.factories import Api
from tests.history.rows import demo_catalogue, demo_rows, write_jsonl

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
SUMMARY = "{} created, {} updated, {} unchanged, {} refused"


def refused(out: str) -> list[list[str]]:
    return list(csv.reader(out.splitlines()))[1:]


@pytest.fixture
def catalogue(api: Api, cli_env: None, capsys: pytest.CaptureFixture[str]) -> Api:
    """The sample units and procedures, imported as the catalogue import's guide says."""
    assert main(["units", "import", str(SAMPLES / "units.csv")]) == 0
    assert main(["procedures", "import", str(SAMPLES / "procedures.csv")]) == 0
    capsys.readouterr()
    return api


def by_ref(api: Api, ref: str) -> dict[str, Any]:
    page = api.client.get("/api/v1/dossiers", params={"limit": 500}).json()["items"]
    (found,) = [d for d in page if d["client_ref"] == ref]
    return api.dossier(found["code"])


def check_sample(api: Api) -> None:
    """The sample's six dossiers as the guide describes them."""
    district = by_ref(api, "MC-2025-000101")
    assert district["receiving_unit"] == "000.00.10.H99"
    assert district["code"] == "000.00.10.H99-250616-0001"
    assert district["received_at"] == "2025-06-16T08:15:00+07:00"  # no offset: Vietnamese time
    assert (district["status"], district["timeliness"], district["rating"]) == (
        "returned", "early", 5)
    assert [(e["id"], e["type"]) for e in district["timeline"]] == [
        ("MC-2025-000101", "received"), ("history-1", "processing_started"),
        ("history-2", "resolved"), ("history-3", "returned")]
    land = by_ref(api, "MC-2025-000103")
    assert land["supplement_count"] == 1 and land["status"] == "returned"
    assert by_ref(api, "MC-2025-000104")["status"] == "withdrawn"
    assert by_ref(api, "MC-2025-000105")["status"] == "refused"
    assert by_ref(api, "MC-2025-000106")["status"] == "processing"


@pytest.mark.parametrize("name", ["history.csv", "history.jsonl"])
def test_the_samples_import_and_a_second_run_changes_nothing(
        catalogue: Api, engine: Engine, tmp_path: Path, name: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(shutil.copy(SAMPLES / name, tmp_path / name))
    assert main(["import", "history", str(path)]) == 0
    assert SUMMARY.format(6, 0, 0, 0) + "; 14 events" in capsys.readouterr().err
    check_sample(catalogue)
    assert not (tmp_path / f"{name}.checkpoint").exists()  # done: nothing to resume
    with engine.connect() as conn:
        before = [conn.scalar(select(func.count()).select_from(t))
                  for t in (Dossier, DossierEvent, AuditEntry)]
    assert main(["import", "history", str(path)]) == 0
    assert SUMMARY.format(0, 0, 6, 0) in capsys.readouterr().err
    with engine.connect() as conn:
        assert [conn.scalar(select(func.count()).select_from(t))
                for t in (Dossier, DossierEvent, AuditEntry)] == before
    assert main(["stats", "check"]) == 0


def test_a_spreadsheet_with_date_cells_imports_like_the_csv(
        catalogue: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    with (SAMPLES / "history.csv").open(encoding="utf-8") as f:
        for number, row in enumerate(csv.reader(f)):
            if number and "T" not in row[5]:
                # A spreadsheet's own date-time cell: it holds no offset at all.
                sheet.append([*row[:5], datetime.fromisoformat(row[5]), *row[6:]])
            else:
                sheet.append(row)
    book.save(tmp_path / "history.xlsx")
    assert main(["import", "history", str(tmp_path / "history.xlsx")]) == 0
    assert SUMMARY.format(6, 0, 0, 0) in capsys.readouterr().err
    check_sample(catalogue)


def test_numbered_event_columns_are_the_events_list(
        catalogue: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "h.csv").write_text(
        "client_ref,procedure,receiving_unit,channel,received_at,applicant.name,"
        "events.1.type,events.1.at,events.2.type,events.2.at,events.2.method\n"
        "X-1,2.000908,000.00.20.H99,direct,2025-07-02 14:10,Ngô Thị Hoa,"
        "resolved,2025-07-02 16:30,returned,2025-07-03 08:00,counter\n", encoding="utf-8")
    assert main(["import", "history", str(tmp_path / "h.csv")]) == 0
    dossier = by_ref(catalogue, "X-1")
    assert dossier["status"] == "returned"
    assert dossier["resolved_at"] == "2025-07-02T16:30:00+07:00"


def test_refused_rows_name_row_field_and_reason_and_land_nothing(
        catalogue: Api, engine: Engine, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    good = "2.000908,000.00.20.H99,direct,2025-07-02 14:10,Ngô Thị Hoa"
    events = '"[{""type"": ""resolved"", ""at"": ""2025-07-02 16:30""}]"'
    (tmp_path / "h.csv").write_text("\n".join([
        "client_ref,procedure,receiving_unit,channel,received_at,applicant.name,events",
        f"R-1,{good},{events}",
        f"R-2,9.999999,000.00.20.H99,direct,2025-07-02 14:10,A,{events}",   # row 3
        f",{good},",                                                         # row 4
        f"R-4,{good},\"[{{\"\"type\"\": \"\"returned\"\", \"\"at\"\": \"\"2025-07-03 08:00\"\", "
        f"\"\"method\"\": \"\"counter\"\"}}]\"",                           # row 5: not resolved
        f"R-5,{good},\"[{{\"\"type\"\": \"\"resolved\"\", \"\"at\"\": \"\"tomorrow\"\"}}]\"",
        "R-6,2.000908,000.00.20.H99,direct,2035-01-01 08:00,A,",           # row 7: future
        f"R-7,{good},[oops",                                                 # row 8
        f"R-8,{good},{events}",
    ]) + "\n", encoding="utf-8")
    assert main(["import", "history", str(tmp_path / "h.csv")]) == 1
    captured = capsys.readouterr()
    assert SUMMARY.format(2, 0, 0, 6) in captured.err
    rows = {(r[0], r[1]) for r in refused(captured.out)}
    assert rows == {("3", "procedure"), ("4", "client_ref"), ("5", "events.1"),
                    ("6", "events.1.at"), ("7", "received_at"), ("8", "events")}, captured.out
    with engine.connect() as conn:
        refs = set(conn.scalars(select(Dossier.client_ref)))
    # Row 5's receipt was valid: the row is refused whole, so no half-imported dossier.
    assert refs == {"R-1", "R-8"}
    assert main(["stats", "check"]) == 0


def test_a_later_export_adds_the_new_events_and_a_changed_row_is_refused(
        catalogue: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [json.loads(line) for line in (SAMPLES / "history.jsonl").read_text().splitlines()]
    write_jsonl(tmp_path / "h.jsonl", rows)
    assert main(["import", "history", str(tmp_path / "h.jsonl")]) == 0
    # The open land dossier got its result since; another row was corrected in the source.
    rows[5]["events"].append({"type": "resolved", "at": "2025-11-20 10:00"})
    rows[1]["applicant"]["name"] = "Trần Thị Bích"
    write_jsonl(tmp_path / "h.jsonl", rows)
    capsys.readouterr()
    assert main(["import", "history", str(tmp_path / "h.jsonl")]) == 1
    captured = capsys.readouterr()
    assert SUMMARY.format(0, 1, 4, 1) in captured.err
    assert refused(captured.out)[0][:2] == ["2", "row"]
    assert "already used for a different request" in refused(captured.out)[0][2]
    assert by_ref(catalogue, "MC-2025-000106")["status"] == "resolved"


def test_audit_entries_and_events_name_the_import_key(
        catalogue: Api, engine: Engine, tmp_path: Path) -> None:
    path = Path(shutil.copy(SAMPLES / "history.csv", tmp_path / "history.csv"))
    assert main(["import", "history", str(path)]) == 0
    keys = catalogue.client.get("/api/v1/keys").json()
    (key,) = [k for k in keys if k["name"].startswith("history import history.csv sha256:")]
    assert key["role"] == "admin" and key["revoked_at"] is not None
    with engine.connect() as conn:
        assert set(conn.scalars(select(DossierEvent.key_id))) == {key["id"]}
        actions = conn.execute(select(AuditEntry.action, AuditEntry.key_id)
                               .where(AuditEntry.entity == "dossier")).all()
    assert {k for _, k in actions} == {key["id"]}
    assert sum(a == "receive" for a, _ in actions) == 6
    assert main(["import", "history", str(path)]) == 0  # a second run: the same key
    assert len(catalogue.client.get("/api/v1/keys").json()) == len(keys)


def test_a_file_of_another_kind_is_refused(cli_env: None, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "h.txt").write_text("client_ref\n")
    assert main(["import", "history", str(tmp_path / "h.txt")]) == 2
    assert "expected a .csv, .xlsx or .jsonl file" in capsys.readouterr().err
    (tmp_path / "h.xlsx").write_text("client_ref\n")
    assert main(["import", "history", str(tmp_path / "h.xlsx")]) == 2
    assert "not an .xlsx workbook" in capsys.readouterr().err


def figures(engine: Engine) -> dict[str, Any]:
    """Every statistics row and every dossier's stored state, without ids, write times and the
    lookup code (drawn at random for each dossier)."""
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        for table in (stat_day, stat_month, stat_histogram, stat_histogram_month):
            out[table.name] = sorted(tuple(map(str, r)) for r in conn.execute(select(table)))
        columns = [c for c in Dossier.__table__.columns
                   if c.name not in ("id", "updated_at", "lookup_secret")]
        out["dossiers"] = sorted(tuple(map(str, r)) for r in conn.execute(select(*columns)))
        out["events"] = sorted(tuple(map(str, r)) for r in conn.execute(text(
            "SELECT d.code, e.client_id, e.type, e.at, e.flags FROM dossier_events e "
            "JOIN dossiers d ON d.id = e.dossier_id")))
    return out


def test_the_figures_equal_the_same_dossiers_posted_through_the_api(
        api: Api, cli_env: None, database_url: str, engine: Engine, tmp_path: Path) -> None:
    rows = demo_rows(400)
    demo_catalogue(database_url)
    assert main(["import", "history", str(write_jsonl(tmp_path / "h.jsonl", rows)),
                 "--group", "150"]) == 0
    imported = figures(engine)
    assert main(["stats", "check"]) == 0

    empty_database(engine)
    demo_catalogue(database_url)
    receipts = [{k: v for k, v in r.items() if k != "events"} for r in rows]
    for start in range(0, len(rows), 100):
        answer = api.client.post("/api/v1/dossiers/batch",
                                 json={"items": [_offset(x) for x in receipts[start:start + 100]]})
        results = answer.json()["results"]
        assert {r["status"] for r in results} == {201}, results[:3]
        events = [{"dossier": res["body"]["code"], "id": f"history-{n}", **_offset(e)}
                  for res, row in zip(results, rows[start:start + 100], strict=True)
                  for n, e in enumerate(row["events"], start=1)]
        answer = api.client.post("/api/v1/events/batch", json={"items": events})
        assert {r["status"] for r in answer.json()["results"]} == {201}
    assert sum(len(r["events"]) for r in rows) > 2 * len(rows)  # timelines, not bare receipts
    assert figures(engine) == imported


def _offset(body: dict[str, Any]) -> dict[str, Any]:
    """The API wants an offset where the file may leave it out (Vietnamese time)."""
    out = dict(body)
    for name in ("received_at", "at", "new_due_at"):
        if isinstance(out.get(name), str) and "+" not in out[name][10:]:
            out[name] += "+07:00"
    return out


def test_a_checkpoint_that_does_not_fit_the_file_or_the_database_is_set_aside(
        catalogue: Api, database_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(shutil.copy(SAMPLES / "history.jsonl", tmp_path / "h.jsonl"))
    checkpoint = tmp_path / "h.jsonl.checkpoint"
    database = make_url(database_url).render_as_string(hide_password=True)
    # This file and database, but a dossier the database does not hold (a restored backup).
    save_state(checkpoint, State(file_digest(path), database, row=3,
                                 last=("000.00.20.H99", "MC-2025-000103")))
    assert main(["import", "history", str(path)]) == 0
    err = " ".join(capsys.readouterr().err.split())  # the console wraps long lines
    assert "does not hold the rows it says were imported" in err
    assert SUMMARY.format(6, 0, 0, 0) in err  # every row, from the first
    save_state(checkpoint, State("0" * 64, "elsewhere", row=6))
    assert main(["import", "history", str(path)]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "is for another file or database" in err
    assert SUMMARY.format(0, 0, 6, 0) in err
