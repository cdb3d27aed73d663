"""The weights table from the previous head, with data: seeded with version 1, dossiers kept."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session

from app.core.migrate import alembic_config
from app.scorecard import rules, service
from tests.factories import PROVINCE, app_on, revision_before

BEFORE = revision_before("d6dcc8a24695")


def test_upgrade_from_the_previous_head_seeds_version_1(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with app_on(url) as api:
        api.province()
        api.event(str(api.receive("2026-03-02 08:00")["code"]), "resolved", "2026-03-03 09:00")
    command.downgrade(alembic_config(url), BEFORE)
    engine = create_engine(url)
    assert "scorecard_weights" not in inspect(engine).get_table_names()
    command.upgrade(alembic_config(url), "head")
    with Session(engine) as session:
        assert session.execute(text("SELECT count(*) FROM dossiers")).scalar() == 1
        (version,) = service.versions(session)
    engine.dispose()
    assert (version.version, str(version.effective_from)) == (1, "2022-06-23")
    assert rules.weight_problems(version.weights) == []
    by_code = {w.indicator: w for w in version.weights}
    assert (by_code["2.1"].max_points, by_code["2.1"].threshold) == (Decimal(20), Decimal(100))
    assert (by_code["3.6"].max_points, by_code["3.6"].threshold) == (Decimal(6), Decimal(30))
    assert all("766" in w.source for w in version.weights)
    with app_on(url) as api:
        r = api.client.get("/api/v1/stats/scorecard", params={"unit": PROVINCE,
                                                              "period": "2026-03"})
        assert r.status_code == 200, r.text
        progress = next(i for i in r.json()["indicators"] if i["code"] == "2.1")
        assert (progress["numerator"], progress["denominator"], progress["points"]) == (1, 1, 20.0)
