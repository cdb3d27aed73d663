"""The submissions migration, from the previous head with data: the new table appears empty,
existing dossiers and their timelines keep every value, and the app files and accepts
submissions afterwards."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session

from app.core.migrate import alembic_config
from app.stats import service as stats
from tests.factories import COMMUNE, PROCEDURE, app_on, iso, revision_before

REVISION = "8d52a0f7c1e4"
BEFORE = revision_before(REVISION)


def test_upgrade_adds_an_empty_submissions_table_and_leaves_dossiers_unchanged(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with app_on(url) as api:
        api.province()
        open_ = str(api.receive("2026-03-02 08:00")["code"])
        done = str(api.receive("2026-03-02 09:00", channel="online")["code"])
        api.event(done, "resolved", "2026-03-04 10:00")
    command.downgrade(alembic_config(url), BEFORE)
    engine = create_engine(url)
    assert "submissions" not in inspect(engine).get_table_names()
    tables = ("dossiers", "dossier_events", "stat_day")
    # The columns as they were: later revisions may add their own.
    columns = {t: ", ".join(c["name"] for c in inspect(engine).get_columns(t)) for t in tables}
    with engine.connect() as conn:
        before = {t: {tuple(r) for r in conn.execute(text(f"SELECT {columns[t]} FROM {t}"))}
                  for t in tables}
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as conn:
        assert {t: {tuple(r) for r in conn.execute(text(f"SELECT {columns[t]} FROM {t}"))}
                for t in tables} == before
        assert conn.execute(text("SELECT count(*) FROM submissions")).scalar() == 0
    with Session(engine) as session:
        assert stats.check(session) == []
    with app_on(url) as api:
        assert api.dossier(open_)["status"] == "received"
        r = api.client.post("/api/v1/submissions", json={
            "procedure": PROCEDURE, "receiving_unit": COMMUNE,
            "submitted_at": iso("2026-03-05 08:00"),
            "applicant": {"name": "Nguyễn Văn An"}})
        assert r.status_code == 201, r.text
        accepted = api.client.post(f"/api/v1/submissions/{r.json()['id']}/accept",
                                   json={"at": iso("2026-03-05 09:00")})
        assert accepted.status_code == 200, accepted.text
    command.downgrade(alembic_config(url), BEFORE)
    assert "submissions" not in inspect(engine).get_table_names()
    engine.dispose()
