"""History rows for tests: the demo province's dossiers, as another one-stop system would
export them (its own dossier ids as client_ref, events without ids)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.clock import VN_TZ, utcnow
from app.core.db import Database
from app.demo.service import load_catalogue, plans


def demo_catalogue(database_url: str) -> None:
    """The demo province's units and procedures, as the demo loader creates them."""
    db = Database.from_urls(database_url)
    try:
        with db.transaction() as session:
            load_catalogue(session, utcnow())
    finally:
        db.dispose()


def _text(value: Any, naive: bool) -> Any:
    if isinstance(value, datetime):
        local = value.astimezone(VN_TZ)
        # Half the rows as a Vietnamese export writes them: wall-clock time, no offset.
        return local.replace(tzinfo=None).isoformat() if naive else local.isoformat()
    if isinstance(value, dict):
        return {k: _text(v, naive) for k, v in value.items()}
    if isinstance(value, list):
        return [_text(v, naive) for v in value]
    return value


def demo_rows(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """n rows with their timelines, JSON-ready, ending now."""
    rows = []
    for index, (receipt, events) in enumerate(plans(n, seed, 1.5, utcnow())):
        naive = index % 2 == 0
        rows.append({"client_ref": f"CU-{index:06d}", **_text(receipt, naive),
                     "events": [_text({k: v for k, v in e.items() if k != "id"}, naive)
                                for e in events]})
    return rows


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    """The rows as a JSONL file."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path
