"""kill -9 in the middle of a history import: the next run continues where it stopped, and
every dossier is there exactly once, with its whole timeline and exact figures."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from app.__main__ import main
from app.dossiers.models import Dossier, DossierEvent
from tests.factories import Api
from tests.history.rows import demo_catalogue, demo_rows, write_jsonl

ROWS = 600
GROUP = 20
KILL_AT_ROW = 150  # committed rows (by the checkpoint) before the kill


def committed_row(checkpoint: Path) -> int:
    try:
        return int(json.loads(checkpoint.read_text())["row"])
    except (OSError, ValueError, KeyError):
        return 0


@pytest.mark.slow
def test_an_import_killed_midway_resumes_and_lands_every_dossier_once(
        api: Api, cli_env: None, database_url: str, engine: Engine, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    rows = demo_rows(ROWS)
    demo_catalogue(database_url)
    path = write_jsonl(tmp_path / "history.jsonl", rows)
    checkpoint = tmp_path / "history.jsonl.checkpoint"
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "import", "history", str(path), "--group", str(GROUP)],
        env={**os.environ, "DATABASE_URL": database_url}, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while committed_row(checkpoint) < KILL_AT_ROW and process.poll() is None:
        assert time.monotonic() < deadline, "the import made no progress"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read() if process.stderr else ""
    stopped = committed_row(checkpoint)
    with engine.connect() as conn:
        landed = conn.scalar(select(func.count()).select_from(Dossier)) or 0
    # The kill came between groups or inside one: what the checkpoint says landed is there,
    # at most the group after it too, and the rest of the file is not.
    assert KILL_AT_ROW <= stopped < ROWS
    assert stopped <= landed <= stopped + GROUP < ROWS

    capsys.readouterr()
    assert main(["import", "history", str(path), "--group", str(GROUP)]) == 0
    err = " ".join(capsys.readouterr().err.split())  # the console wraps long lines
    assert f"resuming after row {stopped}" in err
    counts = {what: int(n) for n, what in re.findall(r"(\d+) (created|updated|unchanged|"
                                                      r"refused)", err)}
    # Rows of a group committed just before the kill, not yet in the checkpoint, replay.
    assert counts["refused"] == counts["updated"] == 0
    assert counts["created"] + counts["unchanged"] == ROWS
    assert not checkpoint.exists()

    with engine.connect() as conn:
        refs = Counter(conn.scalars(select(Dossier.client_ref)))
        events = dict(conn.execute(
            select(Dossier.client_ref, func.count(DossierEvent.id))
            .join(DossierEvent, DossierEvent.dossier_id == Dossier.id)
            .group_by(Dossier.client_ref)).all())
    assert refs == Counter({r["client_ref"]: 1 for r in rows})
    assert events == {r["client_ref"]: 1 + len(r["events"]) for r in rows}
    assert main(["stats", "check"]) == 0
