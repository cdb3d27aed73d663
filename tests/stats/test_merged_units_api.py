"""After the 2025 mergers: a successor's figures, report and ranking include its merged units;
abolished units with nothing in the period are not listed."""

from __future__ import annotations

from typing import Any

from tests.factories import PROCEDURE, Api

NEW, NEW_C, EMPTY_C = "NEW", "NEW.C", "NEW.X"
OLD, OLD_C = "OLD", "OLD.C"


def reform(api: Api) -> str:
    """OLD (with its commune) merged into NEW on 1 July 2025; one dossier carried over."""
    api.unit(NEW, "province")
    api.unit(NEW_C, "commune", NEW)
    api.unit(EMPTY_C, "commune", NEW, valid_to="2025-06-30")  # abolished, never received
    api.unit(OLD, "province", valid_to="2025-06-30")
    api.unit(OLD_C, "commune", OLD, valid_to="2025-06-30")
    api.procedure()
    assert api.client.patch(f"/api/v1/units/{OLD}", json={"merged_into": NEW}).status_code == 200
    assert api.client.patch(f"/api/v1/units/{OLD_C}",
                            json={"merged_into": NEW_C}).status_code == 200
    return str(api.receive("2025-06-25 08:00", receiving_unit=OLD_C, procedure=PROCEDURE)["code"])


def get(api: Api, path: str, **params: Any) -> Any:
    r = api.client.get(path, params={"period": "2025-Q3", **params})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_successors_report_includes_a_merged_units_carried_over_dossier(api: Api) -> None:
    reform(api)
    total = get(api, "/api/v1/reports/ii06a", unit=NEW)["total"]
    assert total["received"] == {"total": 1, "online": 0, "carried_over": 1, "counter_postal": 0,
                                 "transferred_in": 0}
    assert total["pending"]["total"] == 1
    alone = get(api, "/api/v1/reports/ii06a", unit=NEW, include_merged=False)["total"]
    assert alone["received"]["total"] == 0
    stats = get(api, "/api/v1/stats/on-time", unit=NEW, include_merged=True)
    assert stats["received"]["carried_over"] == 1


def test_abolished_units_with_nothing_in_the_period_are_not_listed(api: Api) -> None:
    reform(api)
    rows = get(api, "/api/v1/reports/ii06a", unit=NEW, rows="unit")["rows"]
    assert [r["key"] for r in rows] == [NEW_C, OLD_C]
    groups = get(api, "/api/v1/stats/on-time", unit=NEW, group_by="unit")["groups"]
    assert [g["key"] for g in groups] == [NEW_C]
    # Before the merger the abolished commune existed: it is a row, even empty.
    before = get(api, "/api/v1/reports/ii06a", unit=NEW, rows="unit", period="2025-Q2")["rows"]
    assert EMPTY_C in [r["key"] for r in before]
    ranked = get(api, "/api/v1/stats/ranking", unit=NEW, level="commune")["items"]
    assert [r["unit"] for r in ranked] == [NEW_C]


def test_the_ranking_folds_merged_units_into_their_successor(api: Api) -> None:
    code = reform(api)
    api.event(code, "resolved", "2025-07-01 09:00")
    items = get(api, "/api/v1/stats/ranking", level="province")["items"]
    assert [(r["unit"], r["received"], r["resolved"]) for r in items] == [(NEW, 1, 1)]
    apart = get(api, "/api/v1/stats/ranking", level="province", include_merged=False)["items"]
    assert [(r["unit"], r["received"]) for r in apart] == [(OLD, 1), (NEW, 0)]
