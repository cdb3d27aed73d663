"""The calendar API: due times, a year's calendar, overrides national and per unit."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import pytest

from tests.factories import COMMUNE, PROVINCE, Api


def due(api: Api, start: str, **q: object) -> str:
    r = api.client.get("/api/v1/calendar/due", params={"unit": COMMUNE, "start": start, **q})
    assert r.status_code == 200, r.text
    return str(r.json()["due_at"])


def test_due_examples(api: Api) -> None:
    api.province()
    assert due(api, "2026-02-12T09:00:00+07:00", working_days=3) == "2026-02-24T09:00:00+07:00"
    assert due(api, "2026-03-02T08:00:00+07:00", working_days=5) == "2026-03-06T17:00:00+07:00"
    assert due(api, "2026-03-06T15:00:00+07:00", working_hours=4) == "2026-03-09T10:00:00+07:00"


def test_due_needs_exactly_one_unit_of_time(api: Api) -> None:
    api.province()
    r = api.client.get("/api/v1/calendar/due", params={"unit": COMMUNE,
                                                       "start": "2026-03-02T08:00:00+07:00"})
    assert r.status_code == 422
    r = api.client.get("/api/v1/calendar/due", params={"unit": COMMUNE,
                                                       "start": "2026-03-02T08:00:00"})
    assert r.status_code == 422


def test_swapped_saturday_and_extra_day_off(api: Api) -> None:
    api.province()
    r = api.client.put("/api/v1/calendar/national-overrides/2026-03-07",
                       json={"working": True, "note": "Làm bù"})
    assert r.status_code == 200
    assert due(api, "2026-03-02T08:00:00+07:00", working_days=6) == "2026-03-07T17:00:00+07:00"
    api.client.put("/api/v1/calendar/overrides/2026-03-03", params={"unit": PROVINCE},
                   json={"working": False, "note": "Nghỉ bão"})
    assert due(api, "2026-03-02T08:00:00+07:00", working_days=6) == "2026-03-09T17:00:00+07:00"
    # The commune's own override beats its province's.
    api.client.put("/api/v1/calendar/overrides/2026-03-03", params={"unit": COMMUNE},
                   json={"working": True})
    assert due(api, "2026-03-02T08:00:00+07:00", working_days=6) == "2026-03-07T17:00:00+07:00"
    assert api.client.delete("/api/v1/calendar/national-overrides/2026-03-07").status_code == 204
    assert api.client.delete("/api/v1/calendar/national-overrides/2026-03-07").status_code == 404


def test_year_lists_holidays_and_overrides(api: Api) -> None:
    api.province()
    api.client.put("/api/v1/calendar/national-overrides/2026-08-22",
                   json={"working": True, "note": "Làm bù 2/9"})
    cal = api.client.get("/api/v1/calendar/2026", params={"unit": COMMUNE}).json()
    days = {d["date"]: d for d in cal["days"]}
    assert days["2026-02-17"]["source"] == "holiday" and not days["2026-02-17"]["working"]
    assert days["2026-08-22"] == {"date": "2026-08-22", "working": True,
                                  "source": "national_override", "note": "Làm bù 2/9"}
    assert cal["working_hours"]["sessions"] == [["08:00:00", "12:00:00"], ["13:00:00", "17:00:00"]]


def test_override_for_unknown_unit_is_404(api: Api) -> None:
    r = api.client.put("/api/v1/calendar/overrides/2026-03-07", params={"unit": "NOPE"},
                       json={"working": True})
    assert r.status_code == 404


def days(api: Api, first: str, last: str, **q: object) -> dict[str, dict[str, Any]]:
    r = api.client.get("/api/v1/calendar/days", params={"from": first, "to": last, **q})
    assert r.status_code == 200, r.text
    return {d["date"]: d for d in r.json()["days"]}


def test_days_show_the_package_swap_with_its_version(api: Api) -> None:
    api.province()
    listed = days(api, "2024-04-27", "2024-05-06", unit=COMMUNE)
    assert len(listed) == 10
    swapped = listed["2024-05-04"]
    assert swapped["working"] and swapped["sessions"] == [["08:00:00", "12:00:00"],
                                                          ["13:00:00", "17:00:00"]]
    assert swapped["source"]["kind"] == "package"
    assert swapped["source"]["package"] == "holidays"
    assert swapped["source"]["package_version"] == version("holidays")
    assert swapped["source"]["name"] == "Working day in exchange for the day off on 2024-04-29"
    bridge = listed["2024-04-29"]
    assert not bridge["working"] and bridge["sessions"] == []
    assert bridge["source"]["name"] == "Day off (substituted from 05/04/2024)"
    assert listed["2024-05-05"]["source"]["kind"] == "weekly_pattern"
    assert not listed["2024-05-05"]["working"]
    assert listed["2024-05-06"]["working"]
    assert due(api, "2024-05-03T14:00:00+07:00", working_days=1) == "2024-05-04T14:00:00+07:00"


def test_days_show_a_unit_override_with_its_author_and_reason(api: Api) -> None:
    api.province()
    r = api.client.post("/api/v1/keys", json={"name": "Văn phòng UBND tỉnh", "role": "admin"})
    assert r.status_code == 201, r.text
    author = r.json()
    headers = {"X-API-Key": author["key"]}
    r = api.client.put("/api/v1/calendar/overrides/2026-03-03", params={"unit": PROVINCE},
                       json={"working": False, "note": "Nghỉ do bão số 3"}, headers=headers)
    assert r.status_code == 200, r.text
    day = days(api, "2026-03-03", "2026-03-03", unit=COMMUNE)["2026-03-03"]
    assert not day["working"] and day["sessions"] == []
    source = day["source"]
    assert source["kind"] == "unit_override" and source["scope"] == PROVINCE
    assert source["reason"] == "Nghỉ do bão số 3"
    assert source["set_by_key_id"] == author["id"]
    assert source["set_by_key_name"] == "Văn phòng UBND tỉnh"
    assert source["set_at"].endswith("+07:00")
    # Nationally the day is a plain Tuesday; a national override is labelled as such.
    assert days(api, "2026-03-03", "2026-03-03")["2026-03-03"]["source"]["kind"] == (
        "weekly_pattern")
    api.client.put("/api/v1/calendar/national-overrides/2026-03-07",
                   json={"working": True, "note": "Làm bù"})
    national = days(api, "2026-03-07", "2026-03-07", unit=COMMUNE)["2026-03-07"]
    assert national["working"] and national["source"]["kind"] == "national_override"
    assert national["source"]["scope"] == "*" and national["source"]["set_by_key_id"] is None


def test_days_list_24_november_from_2026(api: Api) -> None:
    listed = days(api, "2026-11-24", "2026-11-24")
    assert listed["2026-11-24"]["source"]["name"] == "Vietnam Cultural Day"
    assert not listed["2026-11-24"]["working"]


@pytest.mark.parametrize(("first", "last", "code"), [
    ("2026-01-01", "2027-01-02", "range_too_long"),
    ("2026-03-02", "2026-03-01", "range_reversed"),
])
def test_days_refuse_a_bad_range(api: Api, first: str, last: str, code: str) -> None:
    r = api.client.get("/api/v1/calendar/days", params={"from": first, "to": last})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code


@pytest.mark.parametrize("params", [
    {"from": "2026-01-01"},
    {"from": "1999-12-31", "to": "2000-01-01"},
    {"from": "2026-1-1", "to": "2026-01-02"},
])
def test_days_refuse_bad_days(api: Api, params: dict[str, str]) -> None:
    r = api.client.get("/api/v1/calendar/days", params=params)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")


def test_days_allow_a_full_leap_year_and_404_an_unknown_unit(api: Api) -> None:
    assert len(days(api, "2028-01-01", "2028-12-31")) == 366
    r = api.client.get("/api/v1/calendar/days", params={"from": "2026-01-01",
                                                        "to": "2026-01-02", "unit": "NOPE"})
    assert r.status_code == 404
