"""Attribution by day through the API: a transfer changes no figure of a closed period, on
either unit, in the figures, the II.06a report and the ranking."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.stats import service
from tests.conftest import Clock
from tests.factories import AGENCY, COMMUNE, OTHER_COMMUNE, PROVINCE, Api, vn


def get(api: Api, path: str, **params: Any) -> Any:
    r = api.client.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def on_time(api: Api, unit: str, period: str, **params: Any) -> dict[str, Any]:
    body = get(api, "/api/v1/stats/on-time", unit=unit, period=period, **params)
    return {k: body[k] for k in ("received", "resolved", "ended_otherwise", "transferred_out",
                                 "pending", "rates")}


def there_and_back(api: Api, clock: Clock) -> tuple[str, dict[str, dict[str, Any]]]:
    """Received by the commune on 2 March, handed to the agency on 10 March, the agency holds
    it at the end of March; returns the code and March's figures of both units then."""
    clock.now = vn("2026-04-01 09:00")
    api.province()
    code = str(api.receive("2026-03-02 08:00")["code"])
    api.event(code, "transferred", "2026-03-10 09:00", to_unit=AGENCY)
    return code, {u: on_time(api, u, "2026-03") for u in (COMMUNE, AGENCY, PROVINCE)}


def test_a_transfer_back_leaves_a_closed_month_unchanged_on_both_units(
        api: Api, clock: Clock) -> None:
    code, march = there_and_back(api, clock)
    agency, commune = march[AGENCY], march[COMMUNE]
    assert agency["pending"]["total"] == 1
    assert agency["received"] == {"total": 1, "carried_over": 0, "new": 0, "transferred_in": 1,
                                  "online": 0, "direct": 0, "postal": 0}
    assert commune["received"]["total"] == commune["received"]["new"] == 1
    assert (commune["transferred_out"], commune["pending"]["total"]) == (1, 0)
    assert commune["rates"]["pending"] is None  # nothing kept: no share to give
    # April: back to the commune, which resolves it
    clock.now = vn("2026-05-04 09:00")
    api.event(code, "transferred", "2026-04-06 09:00", to_unit=COMMUNE)
    api.event(code, "resolved", "2026-04-08 09:00")
    assert {u: on_time(api, u, "2026-03") for u in march} == march
    april = {u: on_time(api, u, "2026-04") for u in march}
    assert april[AGENCY]["received"]["carried_over"] == 1
    assert (april[AGENCY]["transferred_out"], april[AGENCY]["resolved"]["total"]) == (1, 0)
    assert april[COMMUNE]["received"]["transferred_in"] == 1
    assert april[COMMUNE]["resolved"]["total"] == 1
    assert april[COMMUNE]["resolved"]["late"] == 1  # due in March: late where resolved
    # the province saw no transfer: its figures are those of one dossier that never moved
    assert april[PROVINCE]["received"] == {"total": 1, "carried_over": 1, "new": 0,
                                           "transferred_in": 0, "online": 0, "direct": 0,
                                           "postal": 0}
    assert april[PROVINCE]["transferred_out"] == 0


def test_figures_by_receiving_unit_ignore_transfers(api: Api, clock: Clock) -> None:
    there_and_back(api, clock)
    march = on_time(api, COMMUNE, "2026-03", by="receiving")
    assert march["pending"]["total"] == march["received"]["total"] == 1
    assert march["transferred_out"] == march["received"]["transferred_in"] == 0
    assert on_time(api, AGENCY, "2026-03", by="receiving")["received"]["total"] == 0


def test_the_report_and_the_ranking_follow_the_same_attribution(api: Api, clock: Clock) -> None:
    code, _ = there_and_back(api, clock)
    clock.now = vn("2026-05-04 09:00")
    api.event(code, "transferred", "2026-04-06 09:00", to_unit=COMMUNE)
    rows = {r["key"]: r for r in get(api, "/api/v1/reports/ii06a", unit=PROVINCE,
                                     period="2026-03", rows="unit")["rows"]}
    assert rows[AGENCY]["received"]["transferred_in"] == rows[AGENCY]["pending"]["total"] == 1
    assert rows[COMMUNE]["transferred_out"] == 1
    assert rows[COMMUNE]["pending"]["total"] == 0
    csv = api.client.get("/api/v1/reports/ii06a", params={
        "unit": PROVINCE, "period": "2026-03", "rows": "unit", "format": "csv"}).text
    assert "Nhận liên thông" in csv
    ranked = {r["unit"]: r for r in get(api, "/api/v1/stats/ranking", unit=PROVINCE,
                                        level="commune", period="2026-03")["items"]}
    assert ranked[COMMUNE]["received"] == 1
    agencies = {r["unit"]: r for r in get(api, "/api/v1/stats/ranking", unit=PROVINCE,
                                          level="agency", period="2026-04")["items"]}
    assert agencies[AGENCY]["received"] == 1  # carried over from March, handed back in April


def test_a_tree_change_still_rolls_history_up_under_the_new_parent(
        api: Api, clock: Clock, engine: Engine) -> None:
    there_and_back(api, clock)
    # held by the agency for ten days only: it is neither received nor handled there now
    passing = str(api.receive("2026-03-02 08:00")["code"])
    api.event(passing, "transferred", "2026-03-10 09:00", to_unit=AGENCY)
    api.event(passing, "transferred", "2026-03-20 09:00", to_unit=OTHER_COMMUNE)
    api.unit("NEWP", "province")
    assert api.client.patch(f"/api/v1/units/{AGENCY}", json={"parent": "NEWP"}).status_code == 200
    # the days the agency held the dossiers now count under its new province, the communes'
    # days stay under the old one
    moved = on_time(api, "NEWP", "2026-03")
    assert (moved["received"]["transferred_in"], moved["transferred_out"]) == (2, 1)
    assert moved["pending"]["total"] == 1
    old = on_time(api, PROVINCE, "2026-03")
    assert (old["received"]["new"], old["received"]["transferred_in"]) == (2, 1)
    assert (old["transferred_out"], old["pending"]["total"]) == (2, 1)
    with Session(engine) as session:
        assert service.check(session) == []
        session.rollback()
