"""Every path of the lifecycle through the API, and every illegal step refused unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from app.dossiers.models import DossierEvent
from tests.factories import AGENCY, COMMUNE, Api


@pytest.fixture
def dossier(api: Api) -> dict[str, Any]:
    api.province()
    return api.receive("2026-03-02 08:00")


def event_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(DossierEvent)) or 0)


def test_receipt_numbers_dates_and_opens_the_timeline(api: Api, dossier: dict[str, Any]) -> None:
    assert dossier["code"] == f"{COMMUNE}-260302-0001"
    assert dossier["status"] == "received"
    assert dossier["due_at"] == "2026-03-06T17:00:00+07:00"
    assert dossier["handling_unit"] == COMMUNE
    full = api.dossier(dossier["code"])
    assert [e["type"] for e in full["timeline"]] == ["received"]
    assert full["applicant"]["name"] == "Nguyễn Văn An"
    second = api.receive("2026-03-02 09:00")
    assert second["code"] == f"{COMMUNE}-260302-0002"
    assert api.receive("2026-03-03 09:00")["code"] == f"{COMMUNE}-260303-0001"


def test_tet_example_through_the_api(api: Api) -> None:
    api.province()
    api.procedure("3D", days=3)
    d = api.receive("2026-02-12 09:00", procedure="3D")
    assert d["due_at"] == "2026-02-24T09:00:00+07:00"


def test_receipt_after_closing_starts_next_morning(api: Api) -> None:
    api.province()
    d = api.receive("2026-03-06 17:30")
    assert d["due_at"] == "2026-03-13T17:00:00+07:00"


def test_pause_resume_resolve_early_return_at_counter(api: Api, dossier: dict[str, Any]) -> None:
    code = dossier["code"]
    api.event(code, "processing_started", "2026-03-02 09:00")
    d = api.event(code, "supplement_requested", "2026-03-03 10:00", reason="Thiếu bản sao",
                  documents=["Bản sao CCCD"])
    assert (d["status"], d["paused"]) == ("awaiting_supplement", True)
    d = api.event(code, "supplement_received", "2026-03-05 10:00")
    assert d["due_at"] == "2026-03-10T17:00:00+07:00"
    d = api.event(code, "resolved", "2026-03-09 15:00")
    assert (d["status"], d["timeliness"]) == ("resolved", "early")
    d = api.event(code, "returned", "2026-03-10 09:00", method="counter", rating=5)
    assert (d["status"], d["return_method"], d["rating"]) == ("returned", "counter", 5)
    timeline = api.dossier(code)["timeline"]
    assert [e["type"] for e in timeline] == [
        "received", "processing_started", "supplement_requested", "supplement_received",
        "resolved", "returned"]
    assert timeline[2]["details"]["documents"] == ["Bản sao CCCD"]


def test_transfer_resolve_on_time_return_by_post(api: Api, dossier: dict[str, Any]) -> None:
    code = dossier["code"]
    d = api.event(code, "transferred", "2026-03-02 10:00", to_unit=AGENCY)
    assert (d["status"], d["handling_unit"]) == ("processing", AGENCY)
    d = api.event(code, "resolved", "2026-03-06 16:00")
    assert d["timeliness"] == "on_time"
    d = api.event(code, "returned", "2026-03-09 09:00", method="postal", waybill="EB123456789VN")
    assert (d["status"], d["return_method"]) == ("returned", "postal")


def test_apology_keeps_the_dossier_late(api: Api, dossier: dict[str, Any]) -> None:
    code = dossier["code"]
    r = api.event_raw(code, "apology_issued", "2026-03-04 09:00", reason="Cần xác minh thêm",
                      new_due_at="2026-03-11T17:00:00+07:00")
    assert r.status_code == 201
    assert r.json()["event"]["flags"] == {"tardy": False, "second": False}
    assert r.json()["dossier"]["rescheduled_due_at"] == "2026-03-11T17:00:00+07:00"
    r = api.event_raw(code, "apology_issued", "2026-03-06 09:00", reason="Lần hai",
                      new_due_at="2026-03-13T17:00:00+07:00")
    assert r.json()["event"]["flags"] == {"tardy": True, "second": True}
    r = api.event_raw(code, "resolved", "2026-03-10 10:00")
    assert r.json()["dossier"]["timeliness"] == "late"
    assert r.json()["dossier"]["due_at"] == "2026-03-06T17:00:00+07:00"
    assert r.json()["event"]["flags"] == {"late_against_rescheduled": False}


@pytest.mark.parametrize(
    ("path", "end"),
    [
        ([], "refused"),
        (["processing_started"], "refused"),
        (["processing_started"], "stopped"),
        (["processing_started", "supplement_requested"], "withdrawn"),
        ([], "withdrawn"),
    ],
)
def test_dossiers_that_end_otherwise(
    api: Api, dossier: dict[str, Any], path: list[str], end: str
) -> None:
    code = dossier["code"]
    for i, type_ in enumerate(path):
        extra = {"reason": "Thiếu giấy tờ"} if type_ == "supplement_requested" else {}
        api.event(code, type_, f"2026-03-0{i + 2} 10:00", **extra)
    d = api.event(code, end, "2026-03-05 11:00", reason="Hồ sơ không hợp lệ")
    assert (d["status"], d["timeliness"], d["paused"]) == (end, None, False)
    assert d["finished_at"] == "2026-03-05T11:00:00+07:00"
    r = api.event_raw(code, "resolved", "2026-03-05 12:00")
    assert r.status_code == 409


@pytest.mark.parametrize(
    ("setup", "bad", "status", "code"),
    [
        ([], {"type": "returned", "method": "counter"}, 409, "illegal_transition"),
        ([], {"type": "supplement_received"}, 409, "illegal_transition"),
        (["resolved"], {"type": "withdrawn"}, 409, "illegal_transition"),
        (["resolved"], {"type": "apology_issued", "reason": "x",
                        "new_due_at": "2026-03-20T17:00:00+07:00"}, 409, "illegal_transition"),
        ([], {"type": "transferred", "to_unit": "NOPE"}, 422, "unknown_unit"),
        ([], {"type": "refused"}, 422, "validation_failed"),
        ([], {"type": "flown_away"}, 422, "validation_failed"),
        ([], {"type": "resolved", "at": "2026-03-02T07:00:00+07:00"}, 409, "event_out_of_order"),
        ([], {"type": "resolved", "at": "2099-01-01T08:00:00+07:00"}, 422, "event_in_future"),
        ([], {"type": "resolved", "at": "2026-03-03T08:00:00"}, 422, "validation_failed"),
        ([], {"type": "apology_issued", "reason": "x",
              "new_due_at": "2026-03-05T17:00:00+07:00"}, 422, "new_due_not_later"),
    ],
)
def test_illegal_steps_change_nothing(
    api: Api, dossier: dict[str, Any], engine: Engine, setup: list[str], bad: dict[str, Any],
    status: int, code: str,
) -> None:
    for type_ in setup:
        api.event(dossier["code"], type_, "2026-03-03 09:00")
    before, events = api.dossier(dossier["code"]), event_count(engine)
    body = {"id": "bad-1", "at": "2026-03-04T09:00:00+07:00", **bad}
    r = api.client.post(f"/api/v1/dossiers/{dossier['code']}/events", json=body)
    assert (r.status_code, r.json()["code"]) == (status, code)
    assert r.headers["content-type"] == "application/problem+json"
    assert api.dossier(dossier["code"]) == before
    assert event_count(engine) == events


def test_unknown_dossier_is_404(api: Api) -> None:
    api.province()
    r = api.event_raw("NOPE-260101-0001", "resolved", "2026-03-03 09:00")
    assert (r.status_code, r.json()["code"]) == (404, "dossier_not_found")


def test_receipt_errors_name_the_field(api: Api, engine: Engine) -> None:
    api.province()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"procedure": "NOPE"}, "procedure"),
        ({"receiving_unit": "NOPE"}, "receiving_unit"),
        ({"handling_unit": "NOPE"}, "handling_unit"),
        ({"channel": "fax"}, "channel"),
        ({"received_at": "2099-01-01T08:00:00+07:00"}, "received_at"),
        ({"received_at": "2026-03-02T08:00:00"}, "received_at"),
        ({"applicant": {"name": ""}}, "applicant.name"),
        ({"surprise": 1}, "surprise"),
    ]
    for fields, name in cases:
        r = api.receive_raw(**fields)
        assert r.status_code == 422, (fields, r.text)
        assert name in [p["name"] for p in r.json()["invalid_params"]], (fields, r.json())
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM dossiers")) == 0
        assert conn.scalar(text("SELECT count(*) FROM dossier_sequences")) == 0


def test_an_apology_on_the_last_working_day_before_the_due_day_is_in_time(
    api: Api, dossier: dict[str, Any]
) -> None:
    # Due Fri 6 March 17:00: a letter of Thursday 16:30, half a working hour short of a
    # working day before the due time, is in time, because the rule counts days.
    r = api.event_raw(dossier["code"], "apology_issued", "2026-03-05 16:30", reason="Chờ xác minh",
                      new_due_at="2026-03-11T17:00:00+07:00")
    assert r.json()["event"]["flags"] == {"tardy": False, "second": False}


def test_a_second_supplement_request_moves_nothing(api: Api, dossier: dict[str, Any]) -> None:
    code = dossier["code"]
    api.event(code, "supplement_requested", "2026-03-03 10:00", reason="Thiếu bản sao")
    d = api.event(code, "supplement_received", "2026-03-03 14:00")
    assert d["due_at"] == "2026-03-09T11:00:00+07:00"  # moved by the 3 working hours paused
    r = api.event_raw(code, "supplement_requested", "2026-03-04 10:00", reason="Lần hai")
    assert r.json()["event"]["flags"] == {"repeated_supplement": True}
    d = r.json()["dossier"]
    assert (d["status"], d["paused"], d["supplement_count"]) == ("awaiting_supplement", False, 2)
    d = api.event(code, "supplement_received", "2026-03-06 10:00")
    assert d["due_at"] == "2026-03-09T11:00:00+07:00"


def test_a_request_after_the_appointment_cures_nothing(
    api: Api, dossier: dict[str, Any]
) -> None:
    code = dossier["code"]  # due Fri 6 March 17:00
    r = api.event_raw(code, "supplement_requested", "2026-03-09 09:00", reason="Thiếu bản sao")
    assert r.json()["event"]["flags"] == {"after_appointment": True}
    assert (r.json()["dossier"]["paused"], r.json()["dossier"]["due_at"]) == (
        False, "2026-03-06T17:00:00+07:00")
    d = api.event(code, "supplement_received", "2026-03-11 09:00")
    assert d["due_at"] == "2026-03-06T17:00:00+07:00"
