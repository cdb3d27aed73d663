"""GET /stats/officers: receipts, results and rated returns counted for the officers the
receipts and events named, for admins and the dashboards of the unit's subtree only; and the
officer as part of a write: stored, replayed on a retry, refused when malformed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.conftest import Clock
from tests.factories import COMMUNE, OTHER_COMMUNE, PROVINCE, Api, vn

MINH = {"id": "cb-h12-0042", "name": "Trần Văn Minh"}
HANH = {"id": "cb-h12-0107", "name": "Lê Thị Hạnh"}
Q1 = {"period": "2026-Q1"}


def ask(api: Api, key: str | None = None, **params: Any) -> Any:
    headers = {"X-API-Key": key} if key else {}
    return api.client.get("/api/v1/stats/officers", params=params, headers=headers)


def figures(api: Api, key: str | None = None, **params: Any) -> dict[str, Any]:
    r = ask(api, key, **params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def three_dossiers(api: Api, clock: Clock) -> list[str]:
    """Minh receives two and returns two (rated 5 and 4); Hạnh receives one, resolves all
    three (two early, one late) and returns one (rated 3); a fourth names no officer."""
    clock.now = vn("2026-03-20 10:00")
    api.province()
    a = api.receive("2026-03-02 08:00", officer=MINH)["code"]
    b = api.receive("2026-03-02 09:00", officer=MINH)["code"]
    c = api.receive("2026-03-03 08:00", officer=HANH)["code"]
    d = api.receive("2026-03-03 09:00")["code"]
    assert api.event(a, "resolved", "2026-03-04 10:00", officer=HANH)["timeliness"] == "early"
    assert api.event(b, "resolved", "2026-03-05 10:00", officer=HANH)["timeliness"] == "early"
    assert api.event(c, "resolved", "2026-03-16 10:00", officer=HANH)["timeliness"] == "late"
    api.event(d, "resolved", "2026-03-05 10:00")
    api.event(a, "returned", "2026-03-05 09:00", method="counter", rating=5, officer=MINH)
    api.event(b, "returned", "2026-03-06 09:00", method="counter", rating=3, officer=HANH)
    api.event(c, "returned", "2026-03-17 09:00", method="counter", rating=4, officer=MINH)
    api.event(d, "returned", "2026-03-06 10:00", method="counter", rating=1)
    return [a, b, c, d]


EXPECTED = [
    {"officer": MINH, "received": 2,
     "resolved": {"total": 0, "early": 0, "on_time": 0, "late": 0},
     "ratings": {"rated": 2, "satisfied": 2, "average": 4.5},
     "rates": {"on_time": None, "satisfaction": 100.0}},
    {"officer": HANH, "received": 1,
     "resolved": {"total": 3, "early": 2, "on_time": 0, "late": 1},
     "ratings": {"rated": 1, "satisfied": 0, "average": 3.0},
     "rates": {"on_time": 66.67, "satisfaction": 0.0}},
]


def test_each_officer_gets_their_receipts_results_and_ratings(api: Api, clock: Clock) -> None:
    three_dossiers(api, clock)
    got = figures(api, unit=COMMUNE, **Q1)
    assert got == {"unit": COMMUNE, "from": "2026-01-01", "to": "2026-03-31",
                   "items": EXPECTED}
    # The province's subtree holds the commune; from/to name the same period.
    assert figures(api, unit=PROVINCE, **{"from": "2026-01-01", "to": "2026-03-31"})[
        "items"] == EXPECTED
    assert figures(api, unit=COMMUNE, period="2026-Q2")["items"] == []
    assert figures(api, unit=OTHER_COMMUNE, **Q1)["items"] == []
    # Only the receipt in the first week, and no result or return of it, falls in March 2-3.
    week = figures(api, unit=COMMUNE, **{"from": "2026-03-02", "to": "2026-03-03"})["items"]
    assert [(i["officer"]["id"], i["received"], i["resolved"]["total"], i["ratings"]["rated"])
            for i in week] == [(MINH["id"], 2, 0, 0), (HANH["id"], 1, 0, 0)]


def test_the_officer_is_kept_on_the_timeline_and_on_the_dossier(
        api: Api, clock: Clock, engine: Engine) -> None:
    a, *_ = three_dossiers(api, clock)
    timeline = {e["type"]: e["details"] for e in api.dossier(a)["timeline"]}
    assert timeline["received"]["officer"] == MINH
    assert timeline["resolved"]["officer"] == HANH
    assert timeline["returned"]["officer"] == MINH
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT received_by_officer_id, received_by_officer_name, resolved_by_officer_id, "
            "resolved_by_officer_name, returned_by_officer_id, returned_by_officer_name "
            "FROM dossiers WHERE code = :code"), {"code": a}).one()
    assert tuple(row) == (MINH["id"], MINH["name"], HANH["id"], HANH["name"], MINH["id"],
                          MINH["name"])


def test_dashboards_of_the_subtree_only_and_never_counters(api: Api, clock: Clock) -> None:
    three_dossiers(api, clock)
    own = api.key("dashboard", COMMUNE)
    assert figures(api, own, **Q1)["items"] == EXPECTED  # its own unit by default
    assert figures(api, api.key("dashboard", PROVINCE), unit=COMMUNE, **Q1)["items"] == EXPECTED
    other = api.key("dashboard", OTHER_COMMUNE)
    r = ask(api, other, unit=COMMUNE, **Q1)
    assert (r.status_code, r.json()["code"]) == (403, "outside_unit_scope")
    r = ask(api, api.key("counter", COMMUNE), unit=COMMUNE, **Q1)
    assert (r.status_code, r.json()["code"]) == (403, "role_not_allowed")
    r = ask(api, **Q1)  # the admin key is national: it names the unit
    assert (r.status_code, r.json()["code"]) == (422, "unit_required")


def test_a_retry_naming_the_same_officer_replays_and_another_officer_is_refused(
        api: Api, clock: Clock, engine: Engine) -> None:
    clock.now = vn("2026-03-20 10:00")
    api.province()
    first = api.receive_raw("2026-03-02 08:00", client_ref="quay-03-0001", officer=MINH)
    again = api.receive_raw("2026-03-02 08:00", client_ref="quay-03-0001", officer=MINH)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    other = api.receive_raw("2026-03-02 08:00", client_ref="quay-03-0001", officer=HANH)
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_key_reused")
    code = first.json()["code"]
    done = api.event_raw(code, "resolved", "2026-03-04 10:00", id_="ev-1", officer=HANH)
    retry = api.event_raw(code, "resolved", "2026-03-04 10:00", id_="ev-1", officer=HANH)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == done.json()
    for changed in (MINH, None):
        fields: dict[str, Any] = {} if changed is None else {"officer": changed}
        r = api.event_raw(code, "resolved", "2026-03-04 10:00", id_="ev-1", **fields)
        assert (r.status_code, r.json()["code"]) == (409, "idempotency_key_reused")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM dossier_events")) == 2


def test_a_malformed_officer_is_422_and_changes_nothing(
        api: Api, clock: Clock, engine: Engine) -> None:
    clock.now = vn("2026-03-20 10:00")
    api.province()
    code = api.receive("2026-03-02 08:00", officer=MINH)["code"]
    before = api.dossier(code)
    bad: list[dict[str, Any]] = [{"id": "cb 42", "name": "Trần Văn Minh"},
                                 {"id": "x" * 65, "name": "Trần Văn Minh"},
                                 {"id": "cb-42", "name": ""}, {"id": "cb-42"},
                                 {**MINH, "phone": "0912345678"}]
    for officer in bad:
        r = api.event_raw(code, "resolved", "2026-03-04 10:00", officer=officer)
        assert r.status_code == 422, (officer, r.text)
        r = api.receive_raw("2026-03-02 09:00", officer=officer)
        assert r.status_code == 422, (officer, r.text)
    assert api.dossier(code) == before
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM dossiers")) == 1
        assert conn.scalar(text("SELECT count(*) FROM dossier_events")) == 1
    assert figures(api, unit=COMMUNE, **Q1)["items"][0]["received"] == 1


def test_a_failed_delivery_takes_the_return_and_its_rating_back(api: Api, clock: Clock) -> None:
    clock.now = vn("2026-03-20 10:00")
    api.province()
    api.procedure("1.000009", days=3, postal=True)
    code = api.receive("2026-03-02 08:00", procedure="1.000009", return_by_post=True)["code"]
    api.event(code, "resolved", "2026-03-03 10:00", officer=HANH)
    api.event(code, "returned", "2026-03-04 09:00", method="postal", waybill="EB987654321VN",
              rating=2, officer=MINH)
    api.event(code, "delivery_failed", "2026-03-05 09:00", reason="Vắng nhà", officer=HANH)
    # Minh's return is undone: he did nothing else, so he is not listed.
    items = figures(api, unit=COMMUNE, **Q1)["items"]
    assert [(i["officer"]["id"], i["ratings"]["rated"]) for i in items] == [(HANH["id"], 0)]
    api.event(code, "returned", "2026-03-06 09:00", method="counter", rating=5, officer=HANH)
    items = figures(api, unit=COMMUNE, **Q1)["items"]
    assert [(i["officer"]["id"], i["ratings"]) for i in items] == [
        (HANH["id"], {"rated": 1, "satisfied": 1, "average": 5.0})]
