"""The peer of the batch figures: the same rows written by the bare driver with executemany.

Bare tables with the service's columns and unique keys, no ORM, no rules, no audit: what the
database and driver cost alone, in transactions of one batch each.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from bench import workload

DOSSIERS = """CREATE TABLE raw_dossiers (
    id {pk}, code VARCHAR(64) NOT NULL UNIQUE, province_code VARCHAR(40) NOT NULL,
    procedure_code VARCHAR(40) NOT NULL, receiving_unit VARCHAR(40) NOT NULL,
    handling_unit VARCHAR(40) NOT NULL, channel VARCHAR(8) NOT NULL,
    status VARCHAR(24) NOT NULL, client_ref VARCHAR(100), applicant_kind VARCHAR(16) NOT NULL,
    applicant_name VARCHAR(255) NOT NULL, applicant_id_number VARCHAR(32),
    applicant_phone VARCHAR(32), applicant_address VARCHAR(500),
    received_at {ts} NOT NULL, due_at {ts} NOT NULL, last_event_at {ts} NOT NULL,
    updated_at {ts} NOT NULL, UNIQUE (receiving_unit, client_ref))"""
EVENTS = """CREATE TABLE raw_events (
    id {pk}, dossier_id BIGINT NOT NULL, client_id VARCHAR(100) NOT NULL,
    type VARCHAR(32) NOT NULL, at {ts} NOT NULL, recorded_at {ts} NOT NULL, key_id BIGINT,
    payload {js} NOT NULL, flags {js} NOT NULL, request_hash VARCHAR(64) NOT NULL,
    response {js} NOT NULL, UNIQUE (dossier_id, client_id))"""
INSERT_DOSSIER = (
    "INSERT INTO raw_dossiers (code, province_code, procedure_code, receiving_unit, "
    "handling_unit, channel, status, client_ref, applicant_kind, applicant_name, "
    "applicant_id_number, applicant_phone, applicant_address, received_at, due_at, "
    "last_event_at, updated_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
INSERT_EVENT = (
    "INSERT INTO raw_events (dossier_id, client_id, type, at, recorded_at, key_id, payload, "
    "flags, request_hash, response) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def rows(batches: int, size: int, seed: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Dossier rows and event rows for `batches * size` receipts and their streams."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    receipts = [workload.receipt(rng, f"raw-{i}", now) for i in range(batches * size)]
    dossiers, events = [], []
    for i, r in enumerate(receipts):
        b, a = r.body, r.body["applicant"]
        at = datetime.fromisoformat(b["received_at"]).astimezone(UTC)
        dossiers.append((f"{b['receiving_unit']}-{i:08d}", workload.PROVINCE, b["procedure"],
                         b["receiving_unit"], b["receiving_unit"], b["channel"], "received",
                         r.ref, a["kind"], a["name"], a["id_number"], a["phone"], a["address"],
                         at, at, at, now))
        for ev in workload.events(rng, r):
            details = {k: v for k, v in ev.items() if k not in ("id", "type", "at")}
            events.append((i + 1, ev["id"], ev["type"],
                           datetime.fromisoformat(ev["at"]).astimezone(UTC), now, 1,
                           json.dumps(details), "{}", "0" * 64, json.dumps(ev)))
    return dossiers, events


def _timed(
    execute: Callable[[str, Sequence[tuple[Any, ...]]], None], sql: str,
    data: list[tuple[Any, ...]], size: int,
) -> float:
    started = time.perf_counter()
    for i in range(0, len(data), size):
        execute(sql, data[i:i + size])
    return len(data) / (time.perf_counter() - started)


def per_second_sqlite(path: str, dossiers: list[tuple[Any, ...]],
                      events: list[tuple[Any, ...]], size: int) -> tuple[float, float]:
    """Rows/s of receipts and of events into SQLite, with the service's pragmas."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    spec = {"pk": "INTEGER PRIMARY KEY", "ts": "DATETIME", "js": "JSON"}
    conn.execute(DOSSIERS.format(**spec))
    conn.execute(EVENTS.format(**spec))

    def execute(sql: str, chunk: Sequence[tuple[Any, ...]]) -> None:
        conn.execute("BEGIN IMMEDIATE")
        # SQLite stores naive UTC text, as the service's UTCDateTime does.
        conn.executemany(sql.replace("%s", "?"), [
            tuple(v.replace(tzinfo=None).isoformat(" ") if isinstance(v, datetime) else v
                  for v in row) for row in chunk])
        conn.execute("COMMIT")

    try:
        return (_timed(execute, INSERT_DOSSIER, dossiers, size),
                _timed(execute, INSERT_EVENT, events, size))
    finally:
        conn.close()


def per_second_postgres(url: str, dossiers: list[tuple[Any, ...]],
                        events: list[tuple[Any, ...]], size: int) -> tuple[float, float]:
    """Rows/s of receipts and of events into PostgreSQL with psycopg's executemany."""
    import psycopg

    with psycopg.connect(url) as conn:
        spec = {"pk": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                "ts": "TIMESTAMPTZ", "js": "JSON"}
        conn.execute(DOSSIERS.format(**spec))
        conn.execute(EVENTS.format(**spec))
        conn.commit()

        def execute(sql: str, chunk: Sequence[tuple[Any, ...]]) -> None:
            with conn.cursor() as cur:
                cur.executemany(sql, chunk)
            conn.commit()

        return (_timed(execute, INSERT_DOSSIER, dossiers, size),
                _timed(execute, INSERT_EVENT, events, size))
