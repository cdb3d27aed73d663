"""Command line: `python -m app serve | migrate | demo | keys | units | procedures | import |
stats | send-webhooks | sync | scorecard`."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, timedelta
from pathlib import Path

from app.core.config import Settings, get_settings


def _demo(settings: Settings, dossiers: int, seed: int, years: float | None) -> int:
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
    sync = sub.add_parser("sync", help="the national portal sync")
    sync.add_argument("action", choices=["reconcile"],
                      help="reconcile: our dossiers of a day against the portal's "
                           "acknowledgements, per unit (exit 1 on any difference)")
    sync.add_argument("--day", required=True, type=date.fromisoformat,
                      help="the local day, YYYY-MM-DD")
    demo = sub.add_parser("demo", help="fill an empty database with a realistic demo province")
    demo.add_argument("--dossiers", type=int, default=20_000, help="how many (default 20,000)")
    demo.add_argument("--seed", type=int, default=1, help="same seed, same data (default 1)")
    demo.add_argument("--years", type=float, default=None,
                      help="history ending today (default: 0.2 years per 2,000 dossiers, "
                           "at most 2)")
    for resource in ("units", "procedures"):
        imp = sub.add_parser(resource, help=f"import {resource} from a spreadsheet")
        imp.add_argument("action", choices=["import"])
        imp.add_argument("file", type=Path, help=".xlsx or .csv, one row per "
                         f"{resource[:-1]}; columns as in docs/catalogue-import.md")
    history = sub.add_parser("import", help="import past dossiers from another one-stop system")
    history.add_argument("kind", choices=["history"])
    history.add_argument("file", type=Path, help=".csv, .xlsx or .jsonl, one row per dossier "
                         "with its events; columns as in docs/history-import.md")
    history.add_argument("--group", type=int, default=1_000, metavar="N",
                         help="dossiers per transaction (default 1,000)")
    history.add_argument("--checkpoint", type=Path, metavar="PATH",
                         help="where an interrupted import keeps its place (default: FILE "
                              "followed by .checkpoint)")
    _keys_parser(sub)
    _scorecard_parser(sub)
    args = parser.parse_args(argv)
    settings = get_settings()
    from app.wiring import wire

    wire()

    if args.command == "stats":
        return _stats(args.action)
    if args.command in ("units", "procedures"):
        return _import(args.command, args.file)
    if args.command == "import":
        return _import_history(settings, args.file, args.group, args.checkpoint)
    if args.command == "keys":
        return _keys(settings, args)
    if args.command == "sync":
        return _reconcile(args.day)
    if args.command == "send-webhooks":
        return _send_webhooks(once=args.once)
    if args.command == "scorecard":
        return _scorecard(args)

    if args.command == "migrate":
        from app.core.migrate import upgrade

        upgrade(settings.database_url)
        return 0
    if args.command == "demo":
        return _demo(settings, args.dossiers, args.seed, args.years)
    if args.demo and _demo(settings, args.demo, 1, None) != 0:
        print("demo: the database is not empty; serving it as it is", file=sys.stderr)

    import uvicorn

    from app.core.observability import log_config

    print(serve_banner(args.host, args.port, settings.database_url), file=sys.stderr)
    from app.core.serving import GRACEFUL_SHUTDOWN_SECONDS, KEEP_ALIVE_SECONDS

    uvicorn.run("app.main:app", host=args.host, port=args.port, workers=args.workers,
                log_config=log_config(settings.log_format), access_log=False,
                timeout_keep_alive=KEEP_ALIVE_SECONDS,
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
                # The app reads X-Forwarded-For itself, from TRUSTED_PROXIES only.
                proxy_headers=False)
    return 0


def serve_banner(host: str, port: int, database_url: str) -> str:
    """What `serve` prints first: where things are, and how to get a key at any time."""
    base = f"http://{host}:{port}"
    python = os.path.relpath(sys.executable)
    return (f"Serving on {base}, database {database_url.split('@')[-1]}\n"
            f"  API docs:  {base}/docs (also {base}/redoc)\n"
            f"  Dashboard: {base}/dashboard\n"
            f"A key (a dashboard key for a province, say), any time, from this directory:\n"
            f"  {python} -m app keys create --role dashboard --unit UNIT_CODE "
            f"--name 'Lãnh đạo tỉnh'\n"
            f"  ({python} -m app keys list shows the keys; secrets are shown only when created)")


def _keys_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="create, list or revoke API keys (as the admin)")
    action = keys.add_subparsers(dest="action", required=True)
    create = action.add_parser("create", help="issue a key and print its secret, once")
    create.add_argument("--name", required=True, help="who or what uses it (shown in lists)")
    create.add_argument("--role", required=True, choices=["admin", "counter", "dashboard",
                                                          "postal"])
    create.add_argument("--unit", help="unit code whose subtree the key may act on (required "
                                       "for counter and dashboard keys; never for admin)")
    create.add_argument("--expires-at", help="e.g. 2027-01-01T00:00:00+07:00 (default: never)")
    action.add_parser("list", help="every key, newest first, without secrets")
    revoke = action.add_parser("revoke", help="refuse a key from its next request on")
    revoke.add_argument("id", type=int, help="the key's id, as `keys list` shows it")


def _keys(settings: Settings, args: argparse.Namespace) -> int:
    """The API's key operations, from the shell of the machine that runs the service."""
    import json

    from pydantic import ValidationError

    from app.auth.dependencies import ADMIN_BOOTSTRAP
    from app.core.clock import utcnow
    from app.core.db import Database
    from app.core.migrate import upgrade
    from app.core.problems import ProblemError
    from app.keys import service
    from app.keys.schemas import KeyIn

    upgrade(settings.database_url)
    db = Database.from_urls(settings.database_url)
    try:
        with db.transaction() as session:
            if args.action == "list":
                for key in service.list_keys(session):
                    state = ("revoked " + key.revoked_at.isoformat() if key.revoked_at
                             else "expires " + key.expires_at.isoformat() if key.expires_at
                             else "active")
                    print(f"{key.id}\t{key.role}\t{key.unit or '-'}\t{state}\t{key.name}")
            elif args.action == "revoke":
                revoked = service.revoke_key(session, ADMIN_BOOTSTRAP, args.id, utcnow())
                print(f"revoked key {revoked.id} ({revoked.name})")
            else:
                body = KeyIn.model_validate_json(json.dumps(
                    {"name": args.name, "role": args.role, "unit": args.unit,
                     "expires_at": args.expires_at}))
                created = service.create_key(session, ADMIN_BOOTSTRAP, body, utcnow())
                print(f"Key {created.id} ({created.role}, unit {created.unit or 'all'}); "
                      "its secret, shown this once:", file=sys.stderr)
                print(created.key)
    except ProblemError as exc:
        print(f"keys: {exc.detail}", file=sys.stderr)
        return 1
    except ValidationError as exc:
        print(f"keys: {'; '.join(str(e['msg']) for e in exc.errors())}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    return 0


def _scorecard_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    card = sub.add_parser("scorecard", help="the national scorecard's weights (QĐ 766)")
    action = card.add_subparsers(dest="action", required=True)
    action.add_parser("list", help="every weights version with its effective date")
    export = action.add_parser("export", help="a version as CSV on standard output")
    export.add_argument("--version", type=int, help="default: the latest")
    add = action.add_parser("add", help="add a version from a CSV file (an amendment)")
    add.add_argument("file", type=Path, help="CSV with the columns of `export`")
    add.add_argument("--effective-from", required=True, type=date.fromisoformat,
                     help="YYYY-MM-DD, after the latest version's; periods ending on or after "
                          "it are scored with the new version")


def _scorecard(args: argparse.Namespace) -> int:
    import csv

    from app.auth.rules import Principal
    from app.core.clock import utcnow
    from app.core.db import Database
    from app.core.problems import ProblemError
    from app.scorecard import rules, service

    db = Database.from_urls(get_settings().database_url)
    try:
        if args.action == "add":
            try:
                with args.file.open(newline="", encoding="utf-8-sig") as f:
                    rows = list(csv.DictReader(f))
            except (OSError, UnicodeDecodeError, csv.Error) as exc:
                print(f"scorecard add: {exc}", file=sys.stderr)
                return 2
            operator = Principal(key_id=None, role="admin", unit_code=None, unit_path=None)
            try:
                with db.transaction() as session:
                    v = service.add_version(session, operator, rows, args.effective_from,
                                            utcnow())
            except ProblemError as exc:
                for p in exc.invalid_params:
                    print(p.reason, file=sys.stderr)
                return 1
            print(f"version {v.version}: {len(v.weights)} indicators, in force from "
                  f"{v.effective_from}")
            return 0
        with db.transaction("read") as session:
            found = service.versions(session)
        if args.action == "list":
            for v in found:
                print(f"version {v.version}: in force from {v.effective_from}, "
                      f"{len(v.weights)} indicators")
            return 0
        chosen = [v for v in found if args.version in (None, v.version)]
        if not chosen:
            print(f"scorecard export: no version {args.version}", file=sys.stderr)
            return 1
        out = csv.DictWriter(sys.stdout, fieldnames=rules.COLUMNS)
        out.writeheader()
        out.writerows(service.as_rows(chosen[-1]))
        return 0
    finally:
        db.dispose()


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


def _import(resource: str, path: Path) -> int:
    """Import a catalogue file; refused rows go to stdout as CSV (row,field,reason)."""
    import csv

    from rich.console import Console
    from rich.progress import Progress

    from app.auth.rules import Principal
    from app.catalog import importer
    from app.core.clock import utcnow
    from app.core.db import Database

    kind = importer.RESOURCES[resource]
    try:
        rows = list(importer.read_rows(path))
    except (OSError, ValueError) as exc:
        print(f"{resource} import: {exc}", file=sys.stderr)
        return 2
    operator = Principal(key_id=None, role="admin", unit_code=None, unit_path=None)
    db = Database.from_urls(get_settings().database_url)
    try:
        # "tree": a units file may move units, which must not race the live writes.
        with db.transaction("tree" if resource == "units" else "write") as session, \
                Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task(f"{resource} from {path.name}", total=len(rows))
            report = importer.run(session, operator, kind, rows, utcnow(),
                                  lambda n: bar.advance(task, n))
    finally:
        db.dispose()
    print(", ".join(f"{n} {what}" for what, n in report.counts.items()), file=sys.stderr)
    if report.refusals:
        out = csv.writer(sys.stdout)
        out.writerow(["row", "field", "reason"])
        out.writerows([r.row, r.field, r.reason] for r in report.refusals)
    return 1 if report.refusals else 0


def _import_history(settings: Settings, path: Path, group: int, checkpoint: Path | None
                    ) -> int:
    """Import past dossiers; refused rows go to stdout as CSV (row,field,reason), as they are
    found, so a killed run has reported what it refused."""
    import csv

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from app.core.db import Database
    from app.core.migrate import upgrade
    from app.history import importer
    from app.history.rules import Refusal

    if group < 1:
        print("import history: --group must be at least 1", file=sys.stderr)
        return 2
    try:
        total = importer.count_rows(path)
    except (OSError, ValueError) as exc:
        print(f"import history: {exc}", file=sys.stderr)
        return 2
    upgrade(settings.database_url)
    db = Database.from_urls(settings.database_url)
    out = csv.writer(sys.stdout)
    header = [True]

    def report(refusals: list[Refusal]) -> None:
        if refusals and header:
            out.writerow(["row", "field", "reason"])
            header.clear()
        out.writerows([r.row, r.field, r.reason] for r in refusals)
        sys.stdout.flush()

    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    console = Console(stderr=True)
    try:
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task(f"Hồ sơ (dossiers) from {path.name}", total=total)
            done = importer.run(
                db, path, skew=timedelta(seconds=settings.receipt_clock_skew_seconds),
                checkpoint=checkpoint, group_size=group,
                progress=lambda n: bar.advance(task, n), refused=report,
                notice=lambda text: bar.console.print(f"import history: {text}"))
    except (OSError, ValueError) as exc:
        print(f"import history: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # The group being written was rolled back; the checkpoint holds the last committed one.
        print("import history: interrupted; the same command continues where it stopped",
              file=sys.stderr)
        return 130
    finally:
        db.dispose()
    rate = done.rows / done.seconds if done.seconds else 0.0
    print(", ".join(f"{n} {what}" for what, n in done.counts.items())
          + f"; {done.events} events ({done.rows:,} rows in {done.seconds:.1f} s, "
          f"{rate:,.0f} rows/s)", file=sys.stderr)
    return 1 if done.refused else 0


def _reconcile(day: date) -> int:
    from app.core.db import Database
    from app.portal import service

    db = Database.from_urls(get_settings().database_url)
    try:
        with db.transaction("read") as session:
            answer = service.reconciliation(session, day, None)
        for unit in answer.differences:
            print(f"{unit.unit} {unit.day}: {unit.dossiers} dossiers, {unit.acknowledged} "
                  f"acknowledged; missing {' '.join(unit.missing)}")
        print(f"{day}: {answer.synced} of {answer.received} received synced (1.4: "
              f"{answer.indicator_1_4}%); {len(answer.differences)} units differ")
        return 1 if answer.differences else 0
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
