"""History import benchmark: N synthetic past dossiers imported from a JSONL file, timed.

    python -m bench.history --rows 20000            # SQLite in a temporary directory
    python -m bench.history --rows 20000 --rerun    # then the same file again (all replays)

The rows are the demo province's dossiers over 18 months (app.demo: receipts with realistic
timelines, transfers, supplement pauses, apologies, refusals), written as another one-stop
system would export them: its own ids as client_ref, events without ids, half the times
without an offset. The import runs in this process, exactly as `python -m app import history`
runs it (groups of 1,000 by default), and the figure is projected to 1,000,000 dossiers
against the 10-minute target. Generating the file and the catalogue is not timed.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from app.core.clock import utcnow
from app.core.db import Database
from app.core.migrate import upgrade
from app.demo.service import history_rows, load_catalogue
from app.history import importer
from app.stats import service as stats
from app.wiring import wire

TARGET_DOSSIERS = 1_000_000
TARGET_SECONDS = 600.0


def write_rows(path: Path, n: int, seed: int) -> None:
    """n history rows as JSONL, one dossier per line."""
    with path.open("w", encoding="utf-8") as f:
        for row in history_rows(n, seed, 1.5, utcnow()):
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _line(label: str, report: importer.Report, cpu: float) -> str:
    rows, seconds = report.rows, report.seconds
    items = rows + report.events  # a receipt and each event: what the batch endpoints count
    per_second = rows / seconds
    projected = TARGET_DOSSIERS / per_second
    verdict = ("meets" if projected <= TARGET_SECONDS
               else f"misses by {projected / TARGET_SECONDS:.1f}x")
    # On a shared machine the wall clock includes waiting for a core; the CPU time does not.
    on_cpu = TARGET_DOSSIERS * cpu / rows
    return (f"{label}: {rows:,} dossiers and {report.events:,} events ({items:,} items) in "
            f"{seconds:.1f} s ({cpu:.1f} s CPU): {per_second:,.0f} dossiers/s, "
            f"{items / seconds:,.0f} items/s; 1,000,000 dossiers: {projected / 60:.1f} min "
            f"projected, {verdict} the 10-minute target ({on_cpu / 60:.1f} min of CPU)")


def main(argv: list[str] | None = None) -> int:
    """Generate, import, print the figures."""
    wire()  # the catalogue publishes its changes; the handlers must be subscribed
    parser = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--group", type=int, default=importer.GROUP)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--rerun", action="store_true",
                        help="import the same file a second time (every row replays)")
    parser.add_argument("--check", action="store_true",
                        help="then compare the aggregates with a recomputation (stats check)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
        url = f"sqlite:///{tmp}/history.db"
        upgrade(url)
        db = Database.from_urls(url)
        try:
            with db.transaction() as session:
                load_catalogue(session, utcnow())
            path = Path(tmp) / "history.jsonl"
            started = time.perf_counter()
            write_rows(path, args.rows, args.seed)
            print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s "
                  f"({path.stat().st_size / 2**20:.1f} MiB)", file=sys.stderr)
            runs = [("history import, SQLite", False)]
            if args.rerun:
                runs.append(("same file again (replays)", True))
            for label, _ in runs:
                cpu = time.process_time()
                report = importer.run(db, path, skew=timedelta(seconds=300),
                                      group_size=args.group)
                assert report.refused == 0, report.refusals[:5]
                print(_line(label, report, time.process_time() - cpu))
            print(f"peak RSS {_peak_rss_mib():.0f} MiB")
            if args.check:
                with db.transaction() as session:
                    differences = stats.check(session)
                    session.rollback()
                print("stats check: " + ("aggregates agree with the dossiers" if not differences
                                         else f"{len(differences)} rows differ"))
                return 1 if differences else 0
        finally:
            db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
