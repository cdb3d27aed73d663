"""Kinds of processing time, online times and procedure versions through the API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Clock
from tests.factories import COMMUNE, PROCEDURE, PROVINCE, Api, vn

# Bad processing times: (body, the invalid_params name that must be reported). Create and
# update share this table, so both paths validate the same way.
BAD_TIMES: list[tuple[dict[str, Any], str]] = [
    ({"fortnights": 2}, "processing_time.fortnights"),  # unknown kind
    ({}, "processing_time"),  # no kind, no amount
    ({"calendar_days": None}, "processing_time"),  # a kind without its amount
    ({"calendar_days": 0}, "processing_time.calendar_days"),
    ({"working_days": 2, "calendar_days": 2}, "processing_time"),
    ({"same_day": {"cutoff": "12:30"}}, "processing_time.same_day"),  # lunch break
    ({"same_day": {"cutoff": "18:00"}}, "processing_time.same_day"),  # after closing
    ({"same_day": {"cutoff": "07:00"}}, "processing_time.same_day"),  # before opening
    ({"same_day": {"cutoff": "25:00"}}, "processing_time.same_day.cutoff"),  # not a time
]


def _base(api: Api) -> None:
    api.unit(PROVINCE, "province")
    api.unit(COMMUNE, "commune", PROVINCE)


def _procedure(api: Api, time_: dict[str, Any], **extra: Any) -> dict[str, Any]:
    r = api.client.post("/api/v1/procedures", json={
        "code": PROCEDURE, "name": "Chứng thực bản sao", "field_code": "CT",
        "field_name": "Chứng thực", "processing_time": time_, **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _names(r: Any) -> set[str]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return {p["name"] for p in r.json()["invalid_params"]}


@pytest.mark.parametrize(("bad", "name"), BAD_TIMES)
@pytest.mark.parametrize("field", ["processing_time", "online_processing_time"])
def test_bad_times_are_refused_alike_on_create_and_update(
    api: Api, bad: dict[str, Any], name: str, field: str
) -> None:
    expected = name.replace("processing_time", field, 1)
    good = {"working_days": 3}
    created = api.client.post("/api/v1/procedures", json={
        "code": "X", "name": "x", "field_code": "F", "field_name": "f",
        "processing_time": good, field: bad})
    assert expected in _names(created)
    assert api.client.get("/api/v1/procedures/X").status_code == 404
    before = _procedure(api, good)
    updated = api.client.patch(f"/api/v1/procedures/{PROCEDURE}", json={field: bad})
    assert expected in _names(updated)
    assert api.client.get(f"/api/v1/procedures/{PROCEDURE}").json() == before


def test_same_day_cut_off_on_both_sides(api: Api) -> None:
    _base(api)
    p = _procedure(api, {"same_day": {}})
    assert p["processing_time"]["same_day"] == {"cutoff": "15:00:00"}
    before = api.receive("2026-03-10 14:59")
    after = api.receive("2026-03-10 15:01")
    assert before["due_at"] == "2026-03-10T17:00:00+07:00"
    assert after["due_at"] == "2026-03-11T17:00:00+07:00"


def test_calendar_days_ending_on_a_holiday(api: Api) -> None:
    _base(api)
    _procedure(api, {"calendar_days": 10})
    # 20 Apr + 10 days = 30 Apr; 1 May is off too, then a weekend: Monday 4 May at closing.
    assert api.receive("2026-04-20 10:00")["due_at"] == "2026-05-04T17:00:00+07:00"


def test_online_dossiers_may_get_their_own_time(api: Api) -> None:
    _base(api)
    _procedure(api, {"working_days": 5}, online_processing_time={"working_hours": 4})
    counter = api.receive("2026-03-02 08:00")
    online = api.receive("2026-03-02 08:00", channel="online")
    assert counter["due_at"] == "2026-03-06T17:00:00+07:00"
    assert online["due_at"] == "2026-03-02T12:00:00+07:00"


def test_a_dossier_keeps_the_version_in_force_at_its_receipt(api: Api, clock: Clock) -> None:
    _base(api)
    _procedure(api, {"working_days": 5})
    clock.now = vn("2026-03-05 09:00")
    old = api.receive("2026-03-05 08:00")
    r = api.client.post(f"/api/v1/procedures/{PROCEDURE}/versions", json={
        "effective_from": "2026-03-09", "processing_time": {"working_days": 2}})
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 2
    clock.now = vn("2026-03-09 09:00")
    new = api.receive("2026-03-09 08:00")
    assert (old["procedure_version"], old["due_at"]) == (1, "2026-03-11T17:00:00+07:00")
    assert (new["procedure_version"], new["due_at"]) == (2, "2026-03-10T17:00:00+07:00")
    still = api.client.get(f"/api/v1/dossiers/{old['code']}").json()
    assert (still["procedure_version"], still["due_at"]) == (1, old["due_at"])
    shown = api.client.get(f"/api/v1/procedures/{PROCEDURE}").json()
    assert (shown["version"], shown["processing_time"]["working_days"]) == (2, 2)
    listed = api.client.get(f"/api/v1/procedures/{PROCEDURE}/versions").json()["items"]
    assert [(v["version"], v["effective_from"]) for v in listed] == [
        (1, None), (2, "2026-03-09")]


@pytest.mark.parametrize("day", ["2026-03-09", "2026-03-01"])
def test_a_version_overlapping_another_is_refused(api: Api, day: str) -> None:
    _procedure(api, {"working_days": 5})
    body = {"effective_from": "2026-03-09", "processing_time": {"working_days": 2}}
    assert api.client.post(f"/api/v1/procedures/{PROCEDURE}/versions", json=body).status_code \
        == 201
    r = api.client.post(f"/api/v1/procedures/{PROCEDURE}/versions",
                        json={**body, "effective_from": day})
    assert _names(r) == {"effective_from"}
    assert r.json()["code"] == "overlapping_effective_date"
    listed = api.client.get(f"/api/v1/procedures/{PROCEDURE}/versions").json()["items"]
    assert len(listed) == 2


def test_a_version_with_a_bad_time_is_refused(api: Api) -> None:
    _procedure(api, {"working_days": 5})
    r = api.client.post(f"/api/v1/procedures/{PROCEDURE}/versions", json={
        "effective_from": "2026-03-09", "processing_time": {"same_day": {"cutoff": "19:00"}}})
    assert "processing_time.same_day" in _names(r)
    assert api.client.post("/api/v1/procedures/NOPE/versions", json={
        "effective_from": "2026-03-09", "processing_time": {"working_days": 1}}
    ).status_code == 404
