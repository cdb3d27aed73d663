"""History rows for tests: the demo province's dossiers, as another one-stop system would
export them (its own dossier ids as client_ref, events without ids)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.core.clock import utcnow
from app.core.db import Database
from app.demo.service import history_rows, load_catalogue


def demo_catalogue(database_url: str) -> None:
    """The demo province's units and procedures, as the demo loader creates them."""
    db = Database.from_urls(database_url)
    try:
        with db.transaction() as session:
            load_catalogue(session, utcnow())
    finally:
        db.dispose()


def demo_rows(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """n rows with their timelines, JSON-ready, ending now."""
    return list(history_rows(n, seed, 1.5, utcnow()))


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    """The rows as a JSONL file."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path
