"""The progress indicator's new cells: added empty by the migration, filled by a rebuild."""

from __future__ import annotations

from pathlib import Path

from tests.factories import PROVINCE, Api, app_on, revision_before
from tests.stats.aggregates import rebuild_and_check, upgrade_leaves_cells_to_rebuild

BEFORE = revision_before("5e1d7a0c2f66")


def progress(api: Api) -> object:
    r = api.client.get("/api/v1/stats/on-time", params={"unit": PROVINCE, "period": "2026-03"})
    return r.json()["rates"]["national_progress"]


def test_upgrade_then_rebuild_gives_the_new_indicator(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with app_on(url) as api:
        api.province()
        api.event(str(api.receive("2026-03-02 08:00")["code"]), "withdrawn", "2026-03-02 09:00")
        api.event(str(api.receive("2026-03-02 08:00")["code"]), "resolved", "2026-03-02 10:00")
    upgrade_leaves_cells_to_rebuild(url, BEFORE)
    assert rebuild_and_check(url) == 2
    with app_on(url) as api:
        assert progress(api) == 100.0
