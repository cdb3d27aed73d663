"""kill -9 in the middle of ingestion: every acknowledged event is stored exactly once.

A client ingests 10,000 events (2,000 receipts and 8,000 lifecycle events) in batches
through a real uvicorn server, retrying on connection errors and 5xx with the same ids
(client_ref, event id). The server is killed with SIGKILL part way and restarted. Then
the tables must hold every acknowledged item exactly once, and every dossier must be whole:
one receipt event, and a state equal to replaying its events through the pure rules.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.dossiers import rules
from app.dossiers.models import Dossier, DossierEvent
from app.dossiers.records import state_of
from app.worktime.rules import ProcessingTime, WorkingHours, build_calendar
from tests.factories import COMMUNE, PROCEDURE
from tests.reliability.server import LiveServer

DOSSIERS = 2_000
STEPS = ("processing_started", "supplement_requested", "supplement_received", "resolved")
BATCH = 25  # dossiers per request: 25 receipts, then their 100 events
CLIENTS = 2
KILL_AFTER = 0.4  # share of the batches acknowledged before the kill
DEADLINE = 600.0  # seconds, for the whole ingestion with retries, on a loaded machine
# The receipt years' national holidays: what the server uses for a unit without overrides.
CAL = build_calendar(WorkingHours(), range(2024, 2030), {})


@dataclass
class Ledger:
    """What the server acknowledged (2xx), item by item."""

    receipts: dict[str, str] = field(default_factory=dict)  # client_ref -> dossier code
    events: set[tuple[str, str]] = field(default_factory=set)  # (code, event id)
    retries: int = 0
    done: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def post_until_acknowledged(
    client: httpx.Client, url: str, body: dict[str, Any], ledger: Ledger, deadline: float
) -> list[dict[str, Any]]:
    """POST, retrying the same body on connection errors and 5xx, until a 2xx (bounded)."""
    while time.monotonic() < deadline:
        try:
            r = client.post(url, json=body)
        except httpx.TransportError:
            r = None
        if r is not None and r.is_success:
            results: list[dict[str, Any]] = r.json()["results"]
            return results
        if r is not None and r.status_code < 500:
            raise AssertionError(f"{url}: {r.status_code} {r.text}")
        with ledger.lock:
            ledger.retries += 1
        time.sleep(0.2)
    raise TimeoutError(f"{url} not acknowledged before the deadline")


def ingest(server: LiveServer, chunk: range, start: datetime, ledger: Ledger,
           deadline: float) -> None:
    """Receive a chunk of dossiers, then post their four events each, batch by batch."""
    # Generous: a timed-out batch is retried while the server still works on the first try.
    with server.client(timeout=180) as client:
        for first in range(chunk.start, chunk.stop, BATCH):
            numbers = range(first, min(first + BATCH, chunk.stop))
            items = [{"procedure": PROCEDURE, "receiving_unit": COMMUNE, "channel": "direct",
                      "client_ref": f"ref-{n}", "applicant": {"name": f"Người nộp {n}"},
                      "received_at": (start + timedelta(minutes=n)).isoformat()}
                     for n in numbers]
            results = post_until_acknowledged(client, "/api/v1/dossiers/batch",
                                              {"items": items}, ledger, deadline)
            assert {r["status"] for r in results} == {201}, results
            codes = {f"ref-{n}": r["body"]["code"] for n, r in zip(numbers, results, strict=True)}
            with ledger.lock:
                ledger.receipts.update(codes)
            events = [{"dossier": codes[f"ref-{n}"], "id": f"ev-{n}-{step}", "type": step,
                       "at": (start + timedelta(minutes=n, days=1 + i)).isoformat(),
                       **({"reason": "Thiếu giấy tờ"} if step == "supplement_requested" else {})}
                      for n in numbers for i, step in enumerate(STEPS)]
            results = post_until_acknowledged(client, "/api/v1/events/batch",
                                              {"items": events}, ledger, deadline)
            assert {r["status"] for r in results} == {201}, results
            with ledger.lock:
                ledger.events.update((e["dossier"], e["id"]) for e in events)
                ledger.done += 1


def replayed(events: list[DossierEvent]) -> rules.DossierState:
    """A dossier's state from its stored events alone, through the pure rules."""
    receipt, *lifecycle = events
    state = rules.receive(COMMUNE, receipt.at, ProcessingTime(days=5), CAL)
    for e in lifecycle:
        state, _ = rules.apply_event(state, rules.Event(type=e.type, at=e.at),  # type: ignore[arg-type]
                                     CAL, utcnow(), timedelta(0))
    return state


def check_tables(engine: Engine, ledger: Ledger) -> None:
    """Every acknowledged item stored exactly once; every dossier whole and consistent."""
    with Session(engine) as session:
        dossiers = list(session.scalars(select(Dossier)))
        events = list(session.scalars(select(DossierEvent).order_by(DossierEvent.id)))
    assert len(dossiers) == DOSSIERS
    assert {d.client_ref: d.code for d in dossiers} == ledger.receipts
    code_of = {d.id: d.code for d in dossiers}
    lifecycle = [(code_of[e.dossier_id], e.client_id) for e in events if e.type != "received"]
    assert len(lifecycle) == len(set(lifecycle)) == len(ledger.events)
    assert set(lifecycle) == ledger.events
    timelines: dict[int, list[DossierEvent]] = {d.id: [] for d in dossiers}
    for e in events:
        timelines[e.dossier_id].append(e)
    for d in dossiers:
        timeline = timelines[d.id]
        assert [e.type for e in timeline].count("received") == 1, d.code
        assert timeline[0].type == "received", d.code
        assert state_of(d) == replayed(timeline), d.code


@pytest.mark.slow
def test_kill_9_mid_ingestion_loses_and_duplicates_nothing(
    live: LiveServer, engine: Engine
) -> None:
    ledger = Ledger()
    start = (utcnow() - timedelta(days=200)).replace(microsecond=0)
    deadline = time.monotonic() + DEADLINE
    per_client = DOSSIERS // CLIENTS
    chunks = [range(i * per_client, (i + 1) * per_client) for i in range(CLIENTS)]
    began = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(ingest, live, chunk, start, ledger, deadline) for chunk in chunks]
        batches = DOSSIERS // BATCH
        while ledger.done < KILL_AFTER * batches and time.monotonic() < deadline:
            time.sleep(0.05)
        live.kill()
        killed_at = ledger.done
        live.start()
        for f in futures:
            f.result(timeout=DEADLINE)
    elapsed = time.monotonic() - began
    assert 0 < killed_at < batches
    assert ledger.retries > 0  # the kill really interrupted the clients
    check_tables(engine, ledger)
    print(f"crash test: {len(ledger.receipts) + len(ledger.events)} events acknowledged, "
          f"killed after {killed_at}/{batches} batches, {ledger.retries} retries, "
          f"{elapsed:.1f}s")
