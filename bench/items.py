"""CPU per item of one batch of receipts and one of events, in process (no HTTP, no server).

    nice -n 10 .venv/bin/python -m bench.items [--size 1000] [--rounds 3]

Demo-province dossiers (app/demo) are received through the write path in one transaction,
then all their events in another; the figure is process CPU time per item, the best of the
rounds (each round on a fresh SQLite database).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from app.auth.dependencies import ADMIN_BOOTSTRAP
from app.core.clock import utcnow
from app.core.db import Database
from app.core.migrate import upgrade
from app.demo.service import load_catalogue, plans
from app.dossiers.schemas import EVENT_ADAPTER, DossierIn
from app.wiring import wire

SKEW = timedelta(minutes=2)


def _round(size: int, seed: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'items.db'}"
        upgrade(url)
        db = Database.from_urls(url)
        now = utcnow()
        with db.transaction() as session:
            load_catalogue(session, now)
        chunk = [p for _, p in zip(range(size), plans(size, seed, 1.0, now), strict=False)]
        receive, post = _write_path()
        bodies = [DossierIn.model_validate(r) for r, _ in chunk]
        started = time.process_time()
        with db.transaction() as session:
            outcomes = receive(session, bodies, now)
        receipts = time.process_time() - started
        events = [(str(o.body["code"]), EVENT_ADAPTER.validate_python(e))
                  for o, (_, timeline) in zip(outcomes, chunk, strict=True) for e in timeline]
        started = time.process_time()
        with db.transaction() as session:
            post(session, events, now)
        posted = time.process_time() - started
        db.dispose()
        return receipts, posted, len(events)


def _write_path() -> tuple[Any, Any]:
    """Receive and post for this checkout (the figures before the pipeline came from the
    service module it replaced, measured with the same script)."""
    try:
        from app.dossiers import intake
        from app.wiring import write_pipeline
    except ImportError:  # pragma: no cover - the write path before the pipeline
        from app.dossiers import service  # type: ignore[attr-defined]

        def old_receive(session: Any, bodies: list[Any], now: Any) -> list[Any]:
            caller = service.Caller(ADMIN_BOOTSTRAP, now)
            return list(service.receive_many(session, [(caller, b) for b in bodies], SKEW))

        def old_post(session: Any, events: list[Any], now: Any) -> list[Any]:
            caller = service.Caller(ADMIN_BOOTSTRAP, now)
            return list(service.post_events(session, [(caller, c, e) for c, e in events],
                                            SKEW))

        return old_receive, old_post
    pipeline = write_pipeline(SKEW)

    def receive(session: Any, bodies: list[Any], now: Any) -> list[Any]:
        caller = intake.Caller(ADMIN_BOOTSTRAP, now)
        return intake.receive_many(session, pipeline,
                                   [(caller, intake.receipt_command(b)) for b in bodies])

    def post(session: Any, events: list[Any], now: Any) -> list[Any]:
        caller = intake.Caller(ADMIN_BOOTSTRAP, now)
        return intake.post_events(session, pipeline,
                                  [(caller, intake.event_command(c, e)) for c, e in events])

    return receive, post


def main() -> None:
    wire()  # the catalogue publishes its changes; the handlers must be subscribed
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    o = parser.parse_args()
    best_r = best_e = float("inf")
    n_events = 0
    for seed in range(o.rounds):
        r, e, n_events = _round(o.size, seed + 1)
        best_r, best_e = min(best_r, r / o.size), min(best_e, e / n_events)
    print(f"receipts: {best_r * 1e6:.0f} us/item ({o.size} per batch); "
          f"events: {best_e * 1e6:.0f} us/item ({n_events} per batch)")


if __name__ == "__main__":
    main()
