"""Command line: `python -m app serve | migrate | send-webhooks [--once]`."""

from __future__ import annotations

import argparse
import sys

from app.core.config import get_settings


def main(argv: list[str] | None = None) -> int:
    """Parse the command and run it."""
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    sub.add_parser("migrate", help="apply database migrations and exit")
    stats = sub.add_parser("stats", help="check or rebuild the statistics aggregates")
    stats.add_argument("action", choices=["check", "rebuild"],
                       help="check: compare with a recomputation from the dossiers (exit 1 on "
                            "any difference); rebuild: recompute and store")
    send = sub.add_parser("send-webhooks", help="deliver pending webhook events")
    send.add_argument("--once", action="store_true", help="one pass, then exit (cron, tests)")
    args = parser.parse_args(argv)

    if args.command == "stats":
        return _stats(args.action)
    if args.command == "send-webhooks":
        return _send_webhooks(once=args.once)

    if args.command == "migrate":
        from app.core.migrate import upgrade

        upgrade(get_settings().database_url)
        return 0

    import uvicorn

    settings = get_settings()
    print(f"Serving on http://{args.host}:{args.port} (API docs: /docs), "
          f"database {settings.database_url.split('@')[-1]}", file=sys.stderr)
    uvicorn.run("app.main:app", host=args.host, port=args.port, workers=args.workers,
                log_level="info")
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
