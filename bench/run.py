"""Run the benchmarks on SQLite and PostgreSQL, print the table, write bench/RESULTS.md.

    python -m bench                  # both engines, 10 s of single-event load per server
    python -m bench --quick          # a smoke run: 3 s, 2 batches
    python -m bench --engine sqlite --only ingest-single
"""

from __future__ import annotations

import argparse
import importlib
import shlex
import sys
import tempfile
from pathlib import Path

from bench.harness import BENCHMARKS, Context, Options, Row, machine, table
from bench.servers import ADMIN_KEY, SERVERS, Server, fresh_database, pg_plain, set_up_catalogue

# Modules whose import registers benchmarks; the statistics benchmark joins this list.
MODULES = ("bench.ingest", "bench.hostile", "bench.postal", "bench.stats")
ENGINES = ("sqlite", "postgresql")
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="short smoke run (3 s, 2 batches)")
    p.add_argument("--engine", choices=(*ENGINES, "all"), default="all")
    p.add_argument("--only", action="append", choices=sorted(BENCHMARKS),
                   help="run only this benchmark (repeatable); default: all")
    p.add_argument("--duration", type=float, help="seconds of load per server and round "
                   "(default 10, quick 3)")
    p.add_argument("--rounds", type=int, default=1,
                   help="alternating service/ceiling rounds; figures are medians")
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--batches", type=int, help="batches of receipts (default 5, quick 2); "
                   "their event streams follow in as many batches again per stage")
    p.add_argument("--batch-size", type=int, default=1000)
    p.add_argument("--batch-connections", type=int, default=2)
    p.add_argument("--workers", type=int, default=1, help="server worker processes")
    p.add_argument("--server", choices=SERVERS, default="uvicorn",
                   help="the ASGI server for the service and the ceiling alike")
    p.add_argument("--stats-dossiers", type=int, default=1_000_000,
                   help="synthetic dossiers for the statistics benchmark (quick: 100,000)")
    p.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                   help="a PostgreSQL server; a fresh database is created and dropped on it")
    p.add_argument("--no-write", action="store_true", help="do not rewrite bench/RESULTS.md")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return p


def run_engine(engine: str, options: Options, names: list[str], pg_url: str,
               ) -> tuple[list[Row], list[str]]:
    """Fresh database and servers for one engine, then the chosen benchmarks in order."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{engine}-") as tmp_name:
        tmp = Path(tmp_name)
        with fresh_database(engine, tmp, pg_url) as url:
            # The deadline scanner and webhook sender run as their own process here, as
            # docs/deployment.md suggests: the synthetic history is months old, so a scanner
            # inside the API process would spend the run notifying a backlog of overdue
            # dossiers that no real province has.
            env = {"DATABASE_URL": url, "ADMIN_API_KEY": ADMIN_KEY,
                   "WEBHOOK_SENDER_ENABLED": "false"}
            service = Server("app.main:app", env, tmp / "service.log", options.workers,
                             options.server)
            ceiling = Server("bench.ceiling:app", {}, tmp / "ceiling.log", options.workers,
                             options.server)
            try:
                service.wait_ready()
                ceiling.wait_ready()
                key = set_up_catalogue(service.url)
                ctx = Context(engine, url, tmp, service, ceiling, key, options)
                rows: list[Row] = []
                for name in names:
                    print(f"[{engine}] {name} ...", file=sys.stderr, flush=True)
                    rows += BENCHMARKS[name](ctx)
                return rows, ctx.notes
            finally:
                service.stop()
                ceiling.stop()


def pg_version(pg_url: str) -> str | None:
    """The server's version, or None when it does not answer."""
    try:
        import psycopg

        with psycopg.connect(pg_plain(pg_url), connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else None
    except Exception:  # no server is a normal case: the SQLite figures still stand
        return None


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, print and record the tables."""
    for module in MODULES:
        importlib.import_module(module)
    args = _parser().parse_args(argv)
    options = Options(
        quick=args.quick, duration=args.duration or (3.0 if args.quick else 10.0),
        rounds=args.rounds, connections=args.connections,
        batches=args.batches or (2 if args.quick else 5), batch_size=args.batch_size,
        batch_connections=args.batch_connections, workers=args.workers,
        server=args.server, stats_dossiers=args.stats_dossiers,
    )
    names = args.only or list(BENCHMARKS)
    version = pg_version(args.pg_url)
    engines = list(ENGINES) if args.engine == "all" else [args.engine]
    if "postgresql" in engines and version is None:
        if args.engine == "postgresql":
            print(f"PostgreSQL does not answer at {args.pg_url}", file=sys.stderr)
            return 2
        print("PostgreSQL does not answer: SQLite only", file=sys.stderr)
        engines.remove("postgresql")
    sections, missed = [], False
    for engine in engines:
        rows, notes = run_engine(engine, options, names, args.pg_url)
        missed |= any(r.passed is False for r in rows)
        text = f"## {engine}\n\n{table(rows)}\n"
        if notes:
            text += "\n" + "\n".join(f"- warning: {n}" for n in notes) + "\n"
        print("\n" + text, flush=True)
        sections.append(text)
    if not args.no_write:
        command = shlex.join(["python", "-m", "bench", *(argv or sys.argv[1:])])
        RESULTS.write_text(
            "# Benchmark results\n\nThe latest run of `" + command + "` (see bench/run.py).\n\n"
            + machine(version if "postgresql" in engines else None) + "\n\n"
            + "\n".join(sections)
        )
    return 1 if missed and args.strict else 0
