"""Listing dossiers: filters, the overdue queue, cursor pagination."""

from __future__ import annotations

from tests.conftest import Clock
from tests.factories import AGENCY, COMMUNE, OTHER_COMMUNE, PROVINCE, Api, vn


def codes(api: Api, **params: object) -> list[str]:
    r = api.client.get("/api/v1/dossiers", params=params)
    assert r.status_code == 200, r.text
    return [d["code"] for d in r.json()["items"]]


def test_filters(api: Api, clock: Clock) -> None:
    api.province()
    a = api.receive("2026-03-02 08:00")["code"]
    b = api.receive("2026-03-03 08:00", receiving_unit=OTHER_COMMUNE, channel="online")["code"]
    c = api.receive("2026-03-04 08:00")["code"]
    api.event(c, "transferred", "2026-03-04 09:00", to_unit=AGENCY)
    api.event(a, "resolved", "2026-03-05 09:00")
    assert codes(api) == [c, b, a]
    assert codes(api, unit=PROVINCE) == [c, b, a]
    assert codes(api, unit=COMMUNE, include_descendants=False) == [c, a]
    assert codes(api, unit=AGENCY) == [c]
    assert codes(api, status=["received", "processing"]) == [c, b]
    assert codes(api, channel="online") == [b]
    assert codes(api, received_from="2026-03-03", received_to="2026-03-03") == [b]
    assert codes(api, due_before="2026-03-10T00:00:00+07:00") == [b, a]
    clock.now = vn("2026-03-10 09:00")
    assert codes(api, overdue=True) == [b]
    assert codes(api, overdue=False) == [c, a]


def test_overdue_flag_is_computed_now(api: Api, clock: Clock) -> None:
    api.province()
    code = api.receive("2026-03-02 08:00")["code"]
    clock.now = vn("2026-03-06 16:59")
    assert api.dossier(code)["overdue"] is False
    clock.now = vn("2026-03-06 17:01")
    assert api.dossier(code)["overdue"] is True


def test_cursor_pagination_visits_everything_once(api: Api) -> None:
    api.province()
    made = [api.receive(f"2026-03-02 {8 + i // 4:02d}:{(i % 4) * 15:02d}")["code"]
            for i in range(7)]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = api.client.get("/api/v1/dossiers", params=params).json()
        seen += [d["code"] for d in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(made))


def test_bad_cursor_is_422(api: Api) -> None:
    r = api.client.get("/api/v1/dossiers", params={"cursor": "!!!"})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_cursor")
