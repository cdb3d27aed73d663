"""The lookup-code migration from the previous head: every existing dossier gets its own."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text

from app.core.migrate import alembic_config
from app.dossiers.rules import SECRET_ALPHABET, SECRET_LENGTH
from tests.factories import app_on, revision_before

BEFORE = revision_before("49cee85c951d")


def test_upgrade_from_the_previous_head_gives_each_dossier_a_lookup_code(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with app_on(url) as api:
        api.province()
        codes = [api.receive("2026-03-02 08:00")["code"] for _ in range(3)]
    command.downgrade(alembic_config(url), BEFORE)
    engine = create_engine(url)
    assert "lookup_secret" not in {c["name"] for c in inspect(engine).get_columns("dossiers")}
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as conn:
        rows = {str(code): str(secret) for code, secret in conn.execute(
            text("SELECT code, lookup_secret FROM dossiers"))}
    engine.dispose()
    assert sorted(rows) == sorted(codes)
    secrets = list(rows.values())
    assert len(set(secrets)) == 3
    assert all(len(s) == SECRET_LENGTH and set(s) <= set(SECRET_ALPHABET) for s in secrets)
    with app_on(url) as api:  # and the upgraded dossiers are found by them
        del api.client.headers["X-API-Key"]
        for code, secret in rows.items():
            r = api.client.get(f"/api/v1/public/dossiers/{code}",
                               headers={"X-Lookup-Secret": secret})
            assert r.status_code == 200, r.text
