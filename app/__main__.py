"""Command line: `python -m app serve | migrate | demo | stats | send-webhooks`."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from app.core.config import Settings, get_settings


def _demo(settings: Settings, dossiers: int, seed: int, years: float) -> int:
    """Migrate, then fill the empty database with the demo province, with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from app.core.clock import utcnow
    from app.core.db import Database
    from app.core.migrate import upgrade
    from app.demo.service import NotEmpty, load

    upgrade(settings.database_url)
    db = Database.from_urls(settings.database_url)
    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    try:
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task("Hồ sơ (dossiers)", total=dossiers)
            loaded = load(db, n=dossiers, seed=seed, years=years, now=utcnow(),
                          skew=timedelta(seconds=settings.receipt_clock_skew_seconds),
                          progress=lambda k: bar.advance(task, k))
    except NotEmpty as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"Loaded {loaded.dossiers:,} dossiers and {loaded.events:,} events in "
          f"{loaded.seconds:.1f} s ({loaded.dossiers / loaded.seconds:,.0f} dossiers/s).\n"
          f"Dashboard: /dashboard, with this key (shown once):\n  {loaded.dashboard_key}",
          file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command and run it."""
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", type=int, nargs="?", const=20_000, metavar="DOSSIERS",
                       help="first load demo data (default 20,000 dossiers) if the database "
                            "is empty")
    sub.add_parser("migrate", help="apply database migrations and exit")
    stats = sub.add_parser("stats", help="check or rebuild the statistics aggregates")
    stats.add_argument("action", choices=["check", "rebuild"],
                       help="check: compare with a recomputation from the dossiers (exit 1 on "
                            "any difference); rebuild: recompute and store")
    send = sub.add_parser("send-webhooks", help="deliver pending webhook events")
    send.add_argument("--once", action="store_true", help="one pass, then exit (cron, tests)")
    demo = sub.add_parser("demo", help="fill an empty database with a realistic demo province")
    demo.add_argument("--dossiers", type=int, default=20_000, help="how many (default 20,000)")
    demo.add_argument("--seed", type=int, default=1, help="same seed, same data (default 1)")
    demo.add_argument("--years", type=float, default=2, help="history ending today (default 2)")
    args = parser.parse_args(argv)
    settings = get_settings()

    if args.command == "stats":
        return _stats(args.action)
    if args.command == "send-webhooks":
        return _send_webhooks(once=args.once)

    if args.command == "migrate":
        from app.core.migrate import upgrade

        upgrade(settings.database_url)
        return 0
    if args.command == "demo":
        return _demo(settings, args.dossiers, args.seed, args.years)
    if args.demo and _demo(settings, args.demo, 1, 2) != 0:
        print("demo: the database is not empty; serving it as it is", file=sys.stderr)

    import uvicorn

    print(f"Serving on http://{args.host}:{args.port} (API docs: /docs, dashboard: /dashboard), "
          f"database {settings.database_url.split('@')[-1]}", file=sys.stderr)
    from app.core.serving import GRACEFUL_SHUTDOWN_SECONDS, KEEP_ALIVE_SECONDS

    uvicorn.run("app.main:app", host=args.host, port=args.port, workers=args.workers,
                log_level="info", timeout_keep_alive=KEEP_ALIVE_SECONDS,
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS)
    return 0


def _stats(action: str) -> int:
    from app.core.db import Database
    from app.stats import service

    db = Database.from_urls(get_settings().database_url)
    try:
        if action == "rebuild":
            with db.transaction() as session:
                print(f"rebuilt the aggregates of {service.rebuild(session)} dossiers")
            return 0
        with db.transaction() as session:
            differences = service.check(session)
            session.rollback()
        for line in differences[:50]:
            print(line)
        print("aggregates agree with the dossiers" if not differences
              else f"{len(differences)} aggregate rows differ")
        return 1 if differences else 0
    finally:
        db.dispose()


def _send_webhooks(*, once: bool) -> int:
    import asyncio

    from app.core.db import Database
    from app.notifications.sender import run_forever, run_once

    settings = get_settings()
    db = Database.from_urls(settings.database_url)
    try:
        if once:
            print(f"delivered {run_once(db, settings)}", file=sys.stderr)
        else:
            asyncio.run(run_forever(db, settings))
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
