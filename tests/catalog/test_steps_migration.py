"""The procedure-steps migration, from the previous head with data: existing versions get no
steps, existing dossiers keep every value, and they keep working afterwards."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session

from app.core.migrate import alembic_config
from app.stats import service as stats
from tests.factories import AGENCY, app_on, revision_before

REVISION = "7c41d9e2a5b3"
BEFORE = revision_before(REVISION)


def test_upgrade_gives_old_versions_no_steps_and_leaves_dossiers_unchanged(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with app_on(url) as api:
        api.province()
        open_ = str(api.receive("2026-03-02 08:00")["code"])
        api.event(open_, "transferred", "2026-03-02 10:00", to_unit=AGENCY)
        done = str(api.receive("2026-03-02 09:00")["code"])
        api.event(done, "resolved", "2026-03-04 10:00")
    command.downgrade(alembic_config(url), BEFORE)
    engine = create_engine(url)
    assert "steps" not in {c["name"] for c in inspect(engine).get_columns("procedure_versions")}
    # The columns as they were: later revisions may add their own.
    kept = [c["name"] for c in inspect(engine).get_columns("dossiers")]
    with engine.connect() as conn:
        before = {tuple(r) for r in conn.execute(text("SELECT * FROM dossiers")).all()}
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT steps FROM procedure_versions")).scalars().all() == [
            "[]"]
        after = conn.execute(text(
            "SELECT * FROM dossiers")).mappings().all()
    assert {tuple(r[k] for k in kept) for r in after} == before
    assert {(r["current_step"], r["step_started_at"], r["step_due_at"]) for r in after} == {
        (None, None, None)}
    with Session(engine) as session:
        assert stats.check(session) == []  # the steps are in no aggregate cell
    with app_on(url) as api:
        assert api.dossier(open_)["step"] is None
        assert api.event(open_, "resolved", "2026-03-05 10:00")["timeliness"] == "early"
        assert api.client.get("/api/v1/procedures/1.000001").json()["steps"] == []
    command.downgrade(alembic_config(url), BEFORE)
    engine.dispose()
