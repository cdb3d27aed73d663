"""Refusal at receipt (từ chối tiếp nhận) is counted apart; refusal after appraisal (từ chối
giải quyết) is a received dossier that ended otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command

from app.core.migrate import alembic_config
from tests.factories import PROVINCE, Api, app_on, revision_before
from tests.stats.aggregates import rebuild_and_check

BEFORE = revision_before("5e1d7a0c2f66")


def refusals(api: Api) -> None:
    api.province()
    at_receipt = str(api.receive("2026-03-02 08:00")["code"])
    api.event(at_receipt, "refused", "2026-03-02 09:00", reason="Hồ sơ không đúng thẩm quyền")
    after = str(api.receive("2026-03-02 08:00")["code"])
    api.event(after, "processing_started", "2026-03-02 09:00")
    api.event(after, "refused", "2026-03-03 09:00", reason="Không đủ điều kiện")
    api.event(str(api.receive("2026-03-02 08:00")["code"]), "resolved", "2026-03-04 09:00")


def on_time(api: Api) -> Any:
    r = api.client.get("/api/v1/stats/on-time", params={"unit": PROVINCE, "period": "2026-03"})
    assert r.status_code == 200, r.text
    return r.json()


def check_figures(body: Any) -> None:
    assert body["refused_at_receipt"] == 1
    assert body["received"]["total"] == 2
    assert body["ended_otherwise"] == {"refused": 1, "withdrawn": 0, "stopped": 0}
    assert body["pending"]["total"] == 0
    # both received dossiers ended by their appointment
    assert body["rates"]["resolved"] == 50.0
    assert body["rates"]["national_progress"] == 100.0


def test_refusal_at_receipt_against_refusal_after_appraisal(api: Api) -> None:
    refusals(api)
    check_figures(on_time(api))
    total = api.client.get("/api/v1/reports/ii06a", params={
        "unit": PROVINCE, "period": "2026-03"}).json()["total"]
    assert (total["received"]["total"], total["ended_otherwise"],
            total["refused_after_appraisal"], total["refused_at_receipt"]) == (2, 1, 1, 1)
    csv = api.client.get("/api/v1/reports/ii06a", params={
        "unit": PROVINCE, "period": "2026-03", "format": "csv"}).text
    assert "Số hồ sơ từ chối tiếp nhận" in csv.splitlines()[0]


def test_existing_refusals_are_classified_by_the_upgrade_and_a_rebuild(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with app_on(url) as api:
        refusals(api)
    command.downgrade(alembic_config(url), BEFORE)
    command.upgrade(alembic_config(url), "head")
    assert rebuild_and_check(url) == 3
    with app_on(url) as api:
        check_figures(on_time(api))
