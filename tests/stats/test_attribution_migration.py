"""Attribution by day: the transfer cells are added empty by the migration, and the documented
rebuild moves existing aggregates to the days each unit held its dossiers."""

from __future__ import annotations

from pathlib import Path

from tests.factories import AGENCY, COMMUNE, Api, app_on, revision_before
from tests.stats.aggregates import rebuild_and_check, upgrade_leaves_cells_to_rebuild

BEFORE = revision_before("3b8f0d2c9a17")


def march(api: Api, unit: str) -> dict[str, object]:
    r = api.client.get("/api/v1/stats/on-time", params={"unit": unit, "period": "2026-03"})
    assert r.status_code == 200, r.text
    body = r.json()
    return {"pending": body["pending"]["total"], "out": body["transferred_out"],
            "in": body["received"]["transferred_in"]}


def test_upgrade_then_rebuild_attributes_each_day_to_its_holder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with app_on(url) as api:
        api.province()
        code = str(api.receive("2026-03-02 08:00")["code"])
        api.event(code, "transferred", "2026-03-10 09:00", to_unit=AGENCY)
        api.event(code, "transferred", "2026-04-06 09:00", to_unit=COMMUNE)
        api.receive("2026-03-03 08:00")
    upgrade_leaves_cells_to_rebuild(url, BEFORE)
    assert rebuild_and_check(url) == 2
    with app_on(url) as api:
        assert march(api, AGENCY) == {"pending": 1, "out": 0, "in": 1}
        assert march(api, COMMUNE) == {"pending": 1, "out": 1, "in": 0}
