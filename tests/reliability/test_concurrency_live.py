"""Concurrent clients against a real uvicorn server: numbering and conflicting events."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.stats import service
from tests.factories import COMMUNE, PROCEDURE
from tests.reliability.server import LiveServer

RECEIVED_AT = "2026-03-02T08:00:00+07:00"


def receipt(**fields: Any) -> dict[str, Any]:
    return {"procedure": PROCEDURE, "receiving_unit": COMMUNE, "channel": "direct",
            "received_at": RECEIVED_AT, "applicant": {"name": "Lê Văn Cường"}, **fields}


def at_once(count: int, send: Any) -> list[httpx.Response]:
    """Run `send(i)` in `count` threads released together."""
    barrier = Barrier(count)

    def go(i: int) -> httpx.Response:
        barrier.wait(timeout=30)
        response: httpx.Response = send(i)
        return response

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(go, range(count)))


def test_fifty_concurrent_receipts_get_fifty_consecutive_codes(live: LiveServer) -> None:
    with live.client() as c:
        answers = at_once(50, lambda i: c.post("/api/v1/dossiers",
                                               json=receipt(client_ref=f"c-{i}")))
    assert [r.status_code for r in answers] == [201] * 50, [r.text for r in answers]
    codes = sorted(r.json()["code"] for r in answers)
    assert codes == [f"{COMMUNE}-260302-{n:04d}" for n in range(1, 51)]


def test_conflicting_events_at_once_leave_exactly_one_applied(live: LiveServer) -> None:
    rivals = [{"id": "r", "type": "resolved", "at": "2026-03-03T09:00:00+07:00"},
              {"id": "w", "type": "withdrawn", "at": "2026-03-03T09:00:00+07:00"}]
    with live.client() as c:
        for round_ in range(10):
            code = c.post("/api/v1/dossiers", json=receipt()).json()["code"]
            url = f"/api/v1/dossiers/{code}/events"
            answers = at_once(2, lambda i, url=url: c.post(url, json=rivals[i]))
            statuses = sorted(r.status_code for r in answers)
            assert statuses == [201, 409], (round_, [r.text for r in answers])
            loser = next(r for r in answers if r.status_code == 409)
            assert loser.json()["code"] == "illegal_transition"
            assert loser.headers["content-type"] == "application/problem+json"
            winner = next(r for r in answers if r.status_code == 201).json()["event"]["type"]
            dossier = c.get(f"/api/v1/dossiers/{code}").json()
            assert dossier["status"] == winner
            assert [e["type"] for e in dossier["timeline"]] == ["received", winner]


def test_concurrent_ingest_keeps_the_aggregates_equal_to_a_recomputation(
    live: LiveServer, engine: Engine
) -> None:
    # Many writers at once on the same units and days: the hottest aggregate rows.
    with live.client() as c:
        codes = [r.json()["code"] for r in at_once(
            16, lambda i: c.post("/api/v1/dossiers", json=receipt(client_ref=f"a-{i}")))]
        streams = [
            [{"id": "p", "type": "processing_started", "at": "2026-03-02T09:00:00+07:00"},
             {"id": "s", "type": "supplement_requested", "at": "2026-03-03T09:00:00+07:00",
              "reason": "Thiếu giấy tờ"},
             {"id": "b", "type": "supplement_received", "at": "2026-03-04T09:00:00+07:00"},
             {"id": "r", "type": "resolved", "at": f"2026-03-{5 + i % 6:02d}T10:00:00+07:00"},
             {"id": "t", "type": "returned", "at": "2026-03-12T10:00:00+07:00",
              "method": "counter", "rating": 1 + i % 5}]
            for i in range(len(codes))]
        for step in range(5):
            answers = at_once(len(codes), lambda i, step=step: c.post(
                f"/api/v1/dossiers/{codes[i]}/events", json=streams[i][step]))
            assert all(r.status_code == 201 for r in answers), [r.text for r in answers]
    with Session(engine) as session:
        assert service.check(session) == []
        session.rollback()
