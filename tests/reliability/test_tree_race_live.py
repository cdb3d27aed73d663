"""Unit moves racing event writes on a real server: the aggregates stay exact.

A move re-files the moved subtree's dossiers in the aggregates of their old and new ancestors.
An event written at the same moment updates the aggregates of the ancestors it read. Unless
the two serialize, one of them works from a tree the other has already changed, and a
province can show more resolved than received. On SQLite writers are serial anyway; on
PostgreSQL every write transaction holds a shared lock that a move takes exclusively.
"""

from __future__ import annotations

import threading

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.stats import service
from tests.factories import COMMUNE, PROCEDURE
from tests.reliability.server import LiveServer

DISTRICT_A, DISTRICT_B = "000.00.30.H12", "000.00.31.H12"
PROVINCE = "000.00.00.H12"
DOSSIERS = 200
COUNTERS = 4


def test_moves_and_events_at_once_leave_stats_check_equal(live: LiveServer,
                                                         engine: Engine) -> None:
    with live.client() as c:
        for code in (DISTRICT_A, DISTRICT_B):
            assert c.post("/api/v1/units", json={
                "code": code, "name": f"Huyện {code}", "level": "district",
                "parent": PROVINCE}).status_code == 201
        assert c.patch(f"/api/v1/units/{COMMUNE}", json={"parent": DISTRICT_A}
                       ).status_code == 200
        codes = [c.post("/api/v1/dossiers", json={
            "procedure": PROCEDURE, "receiving_unit": COMMUNE, "channel": "direct",
            "received_at": "2026-03-02T08:00:00+07:00", "applicant": {"name": "Lê Văn Cường"},
        }).json()["code"] for _ in range(DOSSIERS)]

    stop = threading.Event()
    moves: list[int] = []

    def mover() -> None:
        with live.client() as m:
            parents = [DISTRICT_B, DISTRICT_A]
            while not stop.is_set():
                r = m.patch(f"/api/v1/units/{COMMUNE}", json={"parent": parents[len(moves) % 2]})
                moves.append(r.status_code)

    thread = threading.Thread(target=mover)
    statuses: list[int] = []

    def counter(share: list[str]) -> None:
        with live.client() as c:
            for code in share:
                for type_, at in (("processing_started", "2026-03-03T09:00:00+07:00"),
                                  ("resolved", "2026-03-04T09:00:00+07:00")):
                    statuses.append(c.post(f"/api/v1/dossiers/{code}/events", json={
                        "id": f"{type_}-{code}", "type": type_, "at": at}).status_code)

    thread.start()
    counters = [threading.Thread(target=counter, args=(codes[i::COUNTERS],))
                for i in range(COUNTERS)]
    try:
        for t in counters:
            t.start()
        for t in counters:
            t.join(timeout=120)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert len(statuses) == 2 * DOSSIERS
    assert set(statuses) == {201}
    assert moves and set(moves) <= {200, 503}, moves
    assert moves.count(200) >= 2, moves
    with Session(engine) as session:
        assert service.check(session) == []
    with live.client() as c:
        province = c.get("/api/v1/stats/on-time", params={"unit": PROVINCE, "period": "2026-03"})
        assert province.status_code == 200, province.text
        body = province.json()
        assert body["resolved"]["total"] == DOSSIERS
        assert body["received"]["total"] == DOSSIERS
