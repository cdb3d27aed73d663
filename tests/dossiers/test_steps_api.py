"""Interconnected processing (liên thông) through the API: a procedure's steps with their
allotments, each handoff's own deadline and result, the explained deadline, the control sheet
and the figures by step."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from app.catalog.models import ProcedureVersion
from tests.factories import AGENCY, COMMUNE, PROCEDURE, PROVINCE, Api

STEPS = [
    {"name": "Tiếp nhận hồ sơ", "unit": COMMUNE, "working_days": 0.5},
    {"name": "Thẩm định hồ sơ", "unit": AGENCY, "working_days": 3},
    {"name": "Trả kết quả", "role": "Bộ phận Một cửa", "working_days": 1.5},
]
CHAIN = "2.000001"


def _chain(api: Api) -> None:
    api.province()
    api.procedure(CHAIN, days=5, steps=STEPS)


def test_a_three_step_chain_judges_each_step_against_its_own_allotment(api: Api) -> None:
    _chain(api)
    code = str(api.receive("2026-03-02 08:00", procedure=CHAIN)["code"])  # due Fri 6/3 17:00
    received = api.dossier(code)
    assert received["step"] == {"position": 0, "started_at": "2026-03-02T08:00:00+07:00",
                                "due_at": "2026-03-02T12:00:00+07:00"}
    r = api.event_raw(code, "transferred", "2026-03-02 10:00", to_unit=AGENCY)
    assert r.status_code == 201, r.text
    ended, begun = r.json()["event"]["flags"]["steps"]
    assert (ended["name"], ended["unit"], ended["result"]) == (
        "Tiếp nhận hồ sơ", COMMUNE, "on_time")
    # Three working days from 10:00 Monday: 6 h Monday, 8 h Tuesday and Wednesday, 2 h Thursday.
    assert (begun["name"], begun["unit"], begun["due_at"], begun["result"]) == (
        "Thẩm định hồ sơ", AGENCY, "2026-03-05T10:00:00+07:00", None)
    resolved = api.event_raw(code, "resolved", "2026-03-05 15:00")
    assert resolved.json()["dossier"]["timeliness"] == "early"
    api.event(code, "returned", "2026-03-10 09:00", method="counter")

    deadline = api.client.get(f"/api/v1/dossiers/{code}/deadline").json()
    assert [(s["name"], s["unit"], s["due_at"], s["result"]) for s in deadline["steps"]] == [
        ("Tiếp nhận hồ sơ", COMMUNE, "2026-03-02T12:00:00+07:00", "on_time"),
        ("Thẩm định hồ sơ", AGENCY, "2026-03-05T10:00:00+07:00", "late"),
        # The return step: ready by the appointment, though collected after it.
        ("Trả kết quả", AGENCY, "2026-03-06T17:00:00+07:00", "early"),
    ]
    sheet = api.client.get(f"/api/v1/dossiers/{code}/documents/control_sheet")
    assert sheet.status_code == 200, sheet.text
    html = sheet.text[sheet.text.index("<tbody"):]
    marks = [html.index(m) for m in ("Tiếp nhận hồ sơ", "Đúng hạn", "Thẩm định hồ sơ",
                                     "Quá hạn", "Trả kết quả", "Trước hạn")]
    assert marks == sorted(marks)

    late = str(api.receive("2026-03-02 08:00", procedure=CHAIN)["code"])
    api.event(late, "transferred", "2026-03-02 10:00", to_unit=AGENCY)
    assert api.event(late, "resolved", "2026-03-09 09:00")["timeliness"] == "late"
    r = api.client.get("/api/v1/stats/on-time", params={
        "unit": PROVINCE, "from": "2026-03-01", "to": "2026-03-31", "group_by": "step"})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert [(g["position"], g["step"], g["unit"], g["overran"], g["late"])
            for g in body["groups"]] == [
        (1, "Thẩm định hồ sơ", AGENCY, 2, 1),
        (2, "Trả kết quả", AGENCY, 1, 1),
    ]
    assert body["total"]["resolved"]["late"] == 1


def test_a_pause_moves_the_step_deadline_as_it_moves_the_appointment(api: Api) -> None:
    _chain(api)
    code = str(api.receive("2026-03-02 08:00", procedure=CHAIN)["code"])
    api.event(code, "transferred", "2026-03-02 10:00", to_unit=AGENCY)
    api.event(code, "supplement_requested", "2026-03-03 08:00", reason="Thiếu giấy tờ")
    after = api.event(code, "supplement_received", "2026-03-04 08:00")  # 8 working hours
    assert after["due_at"] == "2026-03-09T17:00:00+07:00"
    assert after["step"]["due_at"] == "2026-03-06T10:00:00+07:00"


def test_allotments_longer_than_the_legal_time_are_refused(api: Api, engine: Engine) -> None:
    api.province()
    body = {"code": CHAIN, "name": "Liên thông", "field_code": "HT", "field_name": "Hộ tịch",
            "processing_time": {"working_days": 5},
            "steps": [*STEPS[:2], {**STEPS[2], "working_days": 2}]}
    r = api.client.post("/api/v1/procedures", json=body)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "step_allotments_exceed_legal_time"
    assert [p["name"] for p in r.json()["invalid_params"]] == ["steps"]
    assert api.client.get(f"/api/v1/procedures/{CHAIN}").status_code == 404
    # Nor may a later version, nor a shorter time for the version that has them.
    api.procedure(CHAIN, days=5, steps=STEPS)
    r = api.client.post(f"/api/v1/procedures/{CHAIN}/versions", json={
        "effective_from": "2027-01-01", "processing_time": {"working_days": 4},
        "steps": STEPS})
    assert (r.status_code, r.json()["code"]) == (422, "step_allotments_exceed_legal_time")
    r = api.client.patch(f"/api/v1/procedures/{CHAIN}",
                         json={"processing_time": {"working_days": 4}})
    assert (r.status_code, r.json()["code"]) == (422, "step_allotments_exceed_legal_time")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ProcedureVersion)
                           .where(ProcedureVersion.procedure_code == CHAIN)) == 1
    assert api.client.get(f"/api/v1/procedures/{CHAIN}").json()["processing_time"] == {
        "working_days": 5, "working_hours": None, "calendar_days": None, "same_day": None}


def test_an_allotment_too_large_to_count_is_a_problem_not_a_crash(api: Api) -> None:
    # Found by the fuzzing: -1e308 passed the bounds and overflowed to -inf when counted.
    api.province()
    body = {"code": CHAIN, "name": "Liên thông", "field_code": "HT", "field_name": "Hộ tịch",
            "processing_time": {"working_days": 5},
            "steps": [*STEPS[:2], {**STEPS[2], "working_days": -1e308}]}
    r = api.client.post("/api/v1/procedures", json=body)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert api.client.get(f"/api/v1/procedures/{CHAIN}").status_code == 404


def test_each_bad_step_is_named(api: Api) -> None:
    api.province()
    r = api.client.post("/api/v1/procedures", json={
        "code": CHAIN, "name": "Liên thông", "field_code": "HT", "field_name": "Hộ tịch",
        "processing_time": {"working_days": 5},
        "steps": [{"name": " ", "unit": COMMUNE, "working_days": 1},
                  {"name": "Thẩm định", "unit": AGENCY, "working_days": 0},
                  {"name": "thẩm định", "unit": "nowhere", "working_days": 1}]})
    assert r.status_code == 422
    assert [(p["name"], p["code"]) for p in r.json()["invalid_params"]] == [
        ("steps[0].name", "step_name_empty"),
        ("steps[1].working_days", "step_allotment_not_positive"),
        ("steps[2].name", "step_name_duplicated"),
    ]


def test_a_dossier_keeps_the_steps_of_its_version(api: Api) -> None:
    api.province()
    code = str(api.receive("2026-03-02 08:00", procedure=PROCEDURE)["code"])
    assert api.dossier(code)["step"] is None
    r = api.event_raw(code, "transferred", "2026-03-02 10:00", to_unit=AGENCY)
    assert "steps" not in r.json()["event"]["flags"]
    assert api.client.get(f"/api/v1/dossiers/{code}/deadline").json()["steps"] == []


IN_ONE_UNIT = [
    {"name": "Tiếp nhận hồ sơ", "role": "Bộ phận Một cửa", "working_days": 0.5},
    {"name": "Thẩm định hồ sơ", "role": "Công chức tư pháp - hộ tịch", "working_days": 2},
    {"name": "Ký duyệt", "role": "Chủ tịch UBND xã", "working_days": 1},
    {"name": "Trả kết quả", "role": "Bộ phận Một cửa", "working_days": 1.5},
]
ONE_UNIT = "2.000002"


def test_steps_inside_one_unit_are_handed_on_by_step_completed(api: Api) -> None:
    """A commune that receives, appraises and signs itself: each step is completed in the
    unit, its own deadline starting then, and the sheet and figures show the late one."""
    api.province()
    api.procedure(ONE_UNIT, days=5, steps=IN_ONE_UNIT)
    code = str(api.receive("2026-03-02 08:00", procedure=ONE_UNIT)["code"])  # due Fri 17:00
    handed = api.event_raw(code, "step_completed", "2026-03-02 11:00")
    assert handed.status_code == 201, handed.text
    assert handed.json()["dossier"]["status"] == "processing"  # processing has begun
    assert [(s["name"], s["result"]) for s in handed.json()["event"]["flags"]["steps"]] == [
        ("Tiếp nhận hồ sơ", "on_time"), ("Thẩm định hồ sơ", None)]
    # Appraisal: 2 working days from Monday 11:00, so due Wednesday 11:00; done at 16:00.
    api.event(code, "step_completed", "2026-03-04 16:00")
    before = api.dossier(code)
    # The signature is the last step before the return: it ends with the result.
    refused = api.event_raw(code, "step_completed", "2026-03-05 09:00")
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "last_step_ends_with_result"
    assert api.dossier(code) == before  # nothing changed
    api.event(code, "resolved", "2026-03-05 14:00")
    api.event(code, "returned", "2026-03-06 09:00", method="counter")

    deadline = api.client.get(f"/api/v1/dossiers/{code}/deadline").json()
    assert [(s["name"], s["due_at"], s["result"]) for s in deadline["steps"]] == [
        ("Tiếp nhận hồ sơ", "2026-03-02T12:00:00+07:00", "on_time"),
        ("Thẩm định hồ sơ", "2026-03-04T11:00:00+07:00", "late"),
        ("Ký duyệt", "2026-03-05T16:00:00+07:00", "on_time"),  # the same day
        ("Trả kết quả", "2026-03-06T17:00:00+07:00", "early"),
    ]
    assert deadline["matches_stored"] is True
    sheet = api.client.get(f"/api/v1/dossiers/{code}/documents/control_sheet")
    html = sheet.text[sheet.text.index("<tbody"):]
    marks = [html.index(m) for m in ("Tiếp nhận hồ sơ", "Thẩm định hồ sơ", "Quá hạn",
                                     "Ký duyệt", "Trả kết quả")]
    assert marks == sorted(marks)
    r = api.client.get("/api/v1/stats/on-time", params={
        "unit": PROVINCE, "from": "2026-03-01", "to": "2026-03-31", "group_by": "step"})
    assert [(g["step"], g["unit"], g["overran"]) for g in r.json()["groups"]] == [
        ("Thẩm định hồ sơ", COMMUNE, 1)]


def test_a_step_completed_needs_steps_and_a_refusal_after_it_is_after_appraisal(
        api: Api) -> None:
    api.province()
    plain = str(api.receive("2026-03-02 08:00")["code"])
    r = api.event_raw(plain, "step_completed", "2026-03-02 09:00")
    assert (r.status_code, r.json()["code"]) == (409, "no_internal_steps")
    assert api.dossier(plain)["status"] == "received"
    api.procedure(ONE_UNIT, days=5, steps=IN_ONE_UNIT)
    code = str(api.receive("2026-03-02 08:00", procedure=ONE_UNIT)["code"])
    api.event(code, "step_completed", "2026-03-02 11:00")
    api.event(code, "refused", "2026-03-03 09:00", reason="Không đủ điều kiện")
    r = api.client.get("/api/v1/stats/on-time", params={
        "unit": PROVINCE, "from": "2026-03-01", "to": "2026-03-31"})
    figures = r.json()
    assert figures["refused_at_receipt"] == 0
    assert figures["received"]["total"] == 2
    assert figures["ended_otherwise"]["refused"] == 1
