"""The officers migration, from the previous head with data: dossiers gain six null officer
columns and keep every other value, stored events and their fingerprints stay as they were (a
retry of an event sent before the upgrade still replays), and officers are recorded after."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session

from app.core.migrate import alembic_config
from app.stats import service as stats
from tests.factories import COMMUNE, app_on, revision_before

REVISION = "9e3a6b1c7d20"
BEFORE = revision_before(REVISION)
COLUMNS = [f"{act}_officer_{part}" for act in ("received_by", "resolved_by", "returned_by")
           for part in ("id", "name")]
MINH = {"id": "cb-h12-0042", "name": "Trần Văn Minh"}


def _columns(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return [c["name"] for c in inspect(engine).get_columns("dossiers")]
    finally:
        engine.dispose()


def test_upgrade_adds_null_officer_columns_and_old_retries_still_replay(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with app_on(url) as api:
        api.province()
        open_ = str(api.receive("2026-03-02 08:00", client_ref="quay-01")["code"])
        done = str(api.receive("2026-03-02 09:00")["code"])
        first = api.event_raw(done, "resolved", "2026-03-04 10:00", id_="ev-resolved")
        assert first.status_code == 201, first.text
    command.downgrade(alembic_config(url), BEFORE)
    assert not set(COLUMNS) & set(_columns(url))
    engine = create_engine(url)
    with engine.connect() as conn:
        dossiers = {tuple(r) for r in conn.execute(text("SELECT * FROM dossiers"))}
        others = {t: {tuple(r) for r in conn.execute(text(f"SELECT * FROM {t}"))}
                  for t in ("dossier_events", "stat_day")}
    command.upgrade(alembic_config(url), "head")
    assert _columns(url)[-6:] == COLUMNS
    with engine.connect() as conn:
        old = ", ".join(c for c in _columns(url) if c not in COLUMNS)
        assert {tuple(r) for r in conn.execute(text(f"SELECT {old} FROM dossiers"))} == dossiers
        assert conn.execute(text(
            "SELECT count(*) FROM dossiers WHERE "
            + " OR ".join(f"{c} IS NOT NULL" for c in COLUMNS))).scalar() == 0
        assert {t: {tuple(r) for r in conn.execute(text(f"SELECT * FROM {t}"))}
                for t in others} == others
    with Session(engine) as session:
        assert stats.check(session) == []
    with app_on(url) as api:
        # Retries sent across the upgrade, without an officer, get their first answers.
        again = api.event_raw(done, "resolved", "2026-03-04 10:00", id_="ev-resolved")
        assert again.status_code == 201, again.text
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
        retry = api.receive_raw("2026-03-02 08:00", client_ref="quay-01")
        assert retry.headers["Idempotent-Replayed"] == "true"
        api.event(open_, "resolved", "2026-03-05 10:00", officer=MINH)
        r = api.client.get("/api/v1/stats/officers", params={"unit": COMMUNE,
                                                             "period": "2026-03"})
        assert r.status_code == 200, r.text
        assert [(i["officer"], i["resolved"]["total"]) for i in r.json()["items"]] == [
            (MINH, 1)]
    command.downgrade(alembic_config(url), BEFORE)
    assert not set(COLUMNS) & set(_columns(url))
    engine.dispose()
