"""Existing procedures get a version 1 with their time; existing dossiers point at it."""

from __future__ import annotations

import json
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from app.core.migrate import alembic_config
from tests.factories import PROCEDURE, app_on, revision_before

BEFORE = revision_before("a7c3e91d5b20")


def test_upgrade_gives_each_procedure_a_version_1(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    with app_on(url) as api:
        api.province()
        api.procedure("GIO", hours=4)
        code = str(api.receive("2026-03-02 08:00")["code"])
    command.downgrade(alembic_config(url), BEFORE)
    engine = create_engine(url)
    with engine.connect() as conn:
        old = conn.execute(text("SELECT code, processing_days, processing_hours FROM procedures"
                                " ORDER BY code")).all()
    assert sorted(old) == sorted([("GIO", None, 4), (PROCEDURE, 5, None)])
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as conn:
        versions = conn.execute(text(
            "SELECT procedure_code, version, effective_from, processing_time,"
            " online_processing_time FROM procedure_versions ORDER BY procedure_code")).all()
        dossiers = conn.execute(text("SELECT code, procedure_version FROM dossiers")).all()
    engine.dispose()
    found = {c: (v, e, json.loads(t), o) for c, v, e, t, o in versions}
    assert found == {"GIO": (1, None, {"working_hours": 4}, None),
                     PROCEDURE: (1, None, {"working_days": 5}, None)}
    assert dossiers == [(code, 1)]
    with app_on(url) as again:
        assert again.receive("2026-03-02 08:00", procedure="GIO")["due_at"] \
            == "2026-03-02T12:00:00+07:00"
        assert again.client.get(f"/api/v1/dossiers/{code}").json()["procedure_version"] == 1
