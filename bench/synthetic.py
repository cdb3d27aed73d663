"""Synthetic dossiers at scale, bulk-loaded with their aggregates (the bulk path).

Dossiers are generated with the same pure rules the service uses (working-time appointments,
timeliness, statistic cells) and written with multi-row inserts; the aggregates are the sum
of every dossier's cells, written by app.stats.projection.write. The result is what receiving
them one by one through the API would have left, minus the timelines.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from app.core.clock import VN_TZ
from app.dossiers.models import DOSSIER_COLUMNS, Dossier
from app.dossiers.rules import new_lookup_secret
from app.stats import rules as stat_rules
from app.stats.projection import write
from app.stats.rules import EventFact, Facts
from app.worktime.rules import WorkingHours, add_working_time, build_calendar, timeliness

PROVINCE = "BENCH.P"
COMMUNES = tuple(f"BENCH.X{i:02d}" for i in range(30))
AGENCIES = tuple(f"BENCH.S{i:02d}" for i in range(10))
PROCEDURES = tuple((f"BENCH.T{i:02d}", (1, 2, 3, 5, 7, 10, 15, 20, 30)[i % 9], f"F{i % 6}")
                   for i in range(30))
START = datetime(2024, 11, 1, tzinfo=VN_TZ)
DAYS = 730


@dataclass(frozen=True)
class Loaded:
    """What was loaded: how many dossiers, and the raw rows for a peer to scan."""

    count: int
    raw: list[tuple[Any, ...]]


RAW_COLUMNS = ("handling_unit", "receiving_unit", "procedure", "channel", "received_at",
               "due_at", "finished_at", "status", "timeliness")


def _dossiers(n: int, seed: int) -> Iterator[tuple[dict[str, Any], Facts]]:
    rng = random.Random(seed)
    cal = build_calendar(WorkingHours(), range(2024, 2028), {})
    day_length = cal.hours.day_length

    @lru_cache(maxsize=1 << 20)
    def after(received: datetime, working_days: float) -> datetime:
        # Receipts fall on a 15-minute grid, so the same appointments recur a great deal.
        return add_working_time(cal, received, working_days * day_length)

    sequence: dict[tuple[str, date], int] = defaultdict(int)
    for _ in range(n):
        receiving = rng.choice(COMMUNES)
        handling = rng.choice(AGENCIES) if rng.random() < 0.3 else receiving
        code, days, _ = rng.choice(PROCEDURES)
        received = START + timedelta(days=rng.randrange(DAYS), hours=rng.randint(7, 17),
                                     minutes=rng.choice((0, 15, 30, 45)))
        due = after(received, days)
        channel = rng.choices(("online", "direct", "postal"), (40, 50, 10))[0]
        roll = rng.random()
        finished = resolved = None
        status, verdict, millidays = "processing", None, None
        apology: tuple[EventFact, ...] = ()
        if roll < 0.85:
            share = rng.choice((0.3, 0.6, 0.9, 1.0, 1.0, 1.3))
            resolved = after(received, share * days)
            status, finished = "resolved", resolved
            verdict = timeliness(resolved, due)
            millidays = round(1000 * share * days)
            if verdict == "late" and rng.random() < 0.7:
                apology = (EventFact("apology_issued", due - timedelta(days=2),
                                     {"tardy": False, "second": False}),)
        elif roll < 0.90:
            status = rng.choice(("refused", "withdrawn", "stopped"))
            finished = received + timedelta(days=rng.randint(1, 5))
        now = datetime(2026, 11, 20, tzinfo=VN_TZ)
        if finished is not None and finished > now:
            finished = resolved = None
            status, verdict, millidays, apology = "processing", None, None, ()
        local = received.astimezone(VN_TZ).date()
        sequence[(receiving, local)] += 1
        row = {
            "code": f"{receiving}-{local:%y%m%d}-{sequence[(receiving, local)]:04d}",
            "province_code": PROVINCE, "procedure_code": code, "procedure_version": 1,
            "receiving_unit": receiving,
            "handling_unit": handling, "channel": channel, "status": status,
            "applicant_kind": "person", "applicant_name": "Công dân", "received_at": received,
            "due_at": due, "resolved_at": resolved, "timeliness": verdict,
            "processing_millidays": millidays, "finished_at": finished,
            "apology_count": len(apology), "last_event_at": finished or received,
            "updated_at": finished or received,
        }
        facts = Facts(procedure=code, handling_unit=handling, channel=channel, status=status,
                      received_at=received,
                      due_at=due, paused_at=None, finished_at=finished, timeliness=verdict,
                      processing_millidays=millidays, returned_at=None, return_method=None,
                      rating=None, events=apology)
        yield row, facts


# Every column a synthetic row leaves out, with its default: COPY applies no ORM defaults.
_DEFAULTS = {c.name: c.default.arg if c.default is not None and c.default.is_scalar else None
             for c in Dossier.__table__.columns}


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    """COPY on PostgreSQL, batched INSERTs on SQLite (which has no bulk path of its own)."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(Dossier), rows)
        return
    import psycopg

    raw = session.connection().connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    # The lookup code is drawn by a Python default, which COPY does not run: draw it here.
    columns = (*DOSSIER_COLUMNS, "lookup_secret")
    with raw.cursor() as cur, cur.copy(
        f"COPY dossiers ({', '.join(columns)}) FROM STDIN"  # names from the table itself
    ) as copy:
        for row in rows:
            copy.write_row([*(row.get(c, _DEFAULTS[c]) for c in DOSSIER_COLUMNS),
                            new_lookup_secret()])


def load(engine: Engine, n: int, seed: int = 1) -> Loaded:
    """Insert n dossiers and their aggregates; return the raw rows for the peer."""
    paths = {PROVINCE: f"/{PROVINCE}/"}
    paths.update({u: f"/{PROVINCE}/{u}/" for u in COMMUNES + AGENCIES})
    totals: dict[stat_rules.Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    raw: list[tuple[Any, ...]] = []
    batch: list[dict[str, Any]] = []
    with Session(engine) as session:
        for row, facts in _dossiers(n, seed):
            batch.append(row)
            raw.append((row["handling_unit"], row["receiving_unit"], row["procedure_code"],
                        row["channel"], row["received_at"], row["due_at"],
                        row["finished_at"], row["status"], row["timeliness"]))
            c = stat_rules.contribution(facts, paths[row["receiving_unit"]], paths)
            for key, measures in stat_rules.delta(None, c).items():
                for measure, value in measures.items():
                    totals[key][measure] += value
            if len(batch) == 20_000:
                _insert(session, batch)
                batch = []
        if batch:
            _insert(session, batch)
        write(session, {k: dict(v) for k, v in totals.items()})
        session.commit()
    return Loaded(n, raw)
