"""The financial-obligation migration, from the previous head with data, and back."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session

from app.core.migrate import alembic_config
from app.stats import service as stats
from tests.factories import app_on, revision_before

REVISION = "3b8f2c6d9e41"
BEFORE = revision_before(REVISION)


def test_upgrade_from_the_previous_head_keeps_every_dossier_and_admits_the_new_pause(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with app_on(url) as api:
        api.province()
        paused = str(api.receive("2026-03-02 08:00")["code"])
        api.event(paused, "supplement_requested", "2026-03-03 10:00", reason="Thiếu giấy tờ")
        done = str(api.receive("2026-03-02 09:00")["code"])
        api.event(done, "supplement_requested", "2026-03-03 10:00", reason="Thiếu giấy tờ")
        api.event(done, "supplement_received", "2026-03-04 10:00")
    command.downgrade(alembic_config(url), BEFORE)
    engine = create_engine(url)
    assert "obligation_paused_seconds" not in {
        c["name"] for c in inspect(engine).get_columns("dossiers")}
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as conn:
        rows: dict[str, str] = dict(conn.execute(text(
            "SELECT code, status || ':' || paused_seconds || ':' || obligation_paused_seconds"
            " FROM dossiers")).all())
    assert rows == {paused: "awaiting_supplement:0:0", done: f"processing:{8 * 3600}:0"}
    with Session(engine) as session:
        # the new cell is 0 for every old row, which is what they contribute: no rebuild needed
        assert stats.check(session) == []
    with app_on(url) as api:
        waiting = api.event(done, "financial_obligation_requested", "2026-03-05 08:00")
        assert waiting["status"] == "awaiting_financial_obligation"
    # Back down: the waiting dossier returns to processing, its clock pause kept.
    command.downgrade(alembic_config(url), BEFORE)
    with engine.connect() as conn:
        status, paused_at = conn.execute(text(
            "SELECT status, paused_at FROM dossiers WHERE code = :c"), {"c": done}).one()
    assert status == "processing" and paused_at is not None
    engine.dispose()
