"""The calendar API: due times, a year's calendar, overrides national and per unit."""

from __future__ import annotations

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


@pytest.mark.parametrize(("method", "url", "params"), [
    ("PUT", "/api/v1/calendar/overrides/2026-03-07", {"unit": ""}),
    ("PUT", "/api/v1/calendar/overrides/2026-03-07", {}),
    ("DELETE", "/api/v1/calendar/overrides/2026-03-07", {"unit": ""}),
    ("DELETE", "/api/v1/calendar/overrides/2026-03-07", {}),
    ("GET", "/api/v1/calendar/2026", {"unit": ""}),
])
def test_an_empty_or_missing_unit_is_never_read_as_national(
    api: Api, method: str, url: str, params: dict[str, str]
) -> None:
    """A national override is its own call (national-overrides); nothing else reaches it."""
    api.province()
    body = {"working": True} if method == "PUT" else None
    r = api.client.request(method, url, params=params, json=body)
    assert (r.status_code, r.headers["content-type"]) == (422, "application/problem+json")
    days = api.client.get("/api/v1/calendar/2026", params={"unit": COMMUNE}).json()["days"]
    assert {d["date"]: d for d in days}.get("2026-03-07", {}).get("source") != \
        "national_override"


@pytest.mark.parametrize("working", [0, 1, "true", "yes", None])
def test_working_is_a_boolean_not_a_number_or_string(api: Api, working: object) -> None:
    api.province()
    r = api.client.put("/api/v1/calendar/national-overrides/2026-03-07",
                       json={"working": working})
    assert r.status_code == 422, r.text
