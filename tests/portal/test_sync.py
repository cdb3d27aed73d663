"""The sync against a loopback portal that is down, refuses, answers late and acks twice."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from app.portal import service
from app.portal.sender import PortalClient, run_once
from tests.conftest import ADMIN_KEY, Clock, empty_database
from tests.factories import AGENCY, COMMUNE, Api, vn
from tests.portal.receiver import Portal, portal

START = vn("2026-03-10 10:00")
DAY = "2026-03-02"


@pytest.fixture
def receiver() -> Iterator[Portal]:
    with portal() as p:
        yield p


def sync_settings(base: Settings, receiver: Portal, max_attempts: int = 10) -> Settings:
    return base.model_copy(update={
        "portal_base_url": receiver.url, "portal_dstcode": "H12", "portal_username": "u",
        "portal_unit_codes": {COMMUNE: "H12.20"}, "portal_timeout_seconds": 0.5,
        "portal_retry_base_seconds": 60.0, "portal_retry_max_seconds": 600.0,
        "portal_max_attempts": max_attempts})


class Worker:
    """Passes of the real worker, each at a later instant than the last."""

    def __init__(self, client: TestClient, settings: Settings) -> None:
        self.db: Database = client.app.state.db  # type: ignore[attr-defined]
        self.settings = settings
        self.http = httpx.Client(timeout=settings.portal_timeout_seconds)
        self.portal = PortalClient(settings, self.http)
        self.now = START
        self.acknowledged = 0

    def run(self, passes: int = 1) -> int:
        got = 0
        for _ in range(passes):
            got += run_once(self.db, self.settings, self.portal, self.now)
            self.now += timedelta(seconds=self.settings.portal_retry_max_seconds + 1)
        self.acknowledged += got
        return got


@pytest.fixture
def worker(client: TestClient, settings: Settings, receiver: Portal) -> Iterator[Worker]:
    w = Worker(client, sync_settings(settings, receiver))
    yield w
    w.http.close()


def seed(api: Api, clock: Clock) -> dict[str, str]:
    """Four dossiers received on one day: transferred and resolved, refused at receipt, paused
    for a supplement, withdrawn."""
    clock.now = START
    api.province()
    codes = [str(api.receive(f"{DAY} {8 + i:02d}:00")["code"]) for i in range(4)]
    api.event(codes[0], "transferred", f"{DAY} 14:00", to_unit=AGENCY)
    api.event(codes[0], "resolved", "2026-03-04 09:00", result_document="Giấy khai sinh")
    api.event(codes[1], "refused", f"{DAY} 15:00", reason="Thiếu giấy tờ")
    api.event(codes[2], "supplement_requested", "2026-03-03 09:00", reason="Bổ sung bản sao")
    api.event(codes[3], "withdrawn", "2026-03-03 10:00")
    return dict(zip(("resolved", "refused", "supplement", "withdrawn"), codes, strict=True))


def reconcile(client: TestClient) -> dict[str, object]:
    r = client.get("/api/v1/sync/reconciliation", params={"day": DAY})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_down_then_late_and_duplicated_acks_lose_nothing_and_count_once(
        api: Api, clock: Clock, client: TestClient, receiver: Portal, worker: Worker) -> None:
    codes = seed(api, clock)
    receiver.down = True
    assert worker.run(3) == 0
    receiver.down, receiver.refuse = False, True
    assert worker.run(1) == 0
    before = reconcile(client)
    assert before["synced"] == 0 and len(before["differences"]) == 1  # type: ignore[arg-type]

    # Back up, but two acknowledgements arrive after the worker stopped waiting: the portal
    # holds those dossiers, the worker sends them again, and the portal acknowledges twice.
    receiver.refuse, receiver.late_next, receiver.delay = False, 2, 1.0
    worker.run(4)
    assert receiver.shape == []
    assert sorted(receiver.dossiers) == sorted(codes.values())
    assert sorted(receiver.acks.values()) == [1, 1, 2, 2]
    assert worker.acknowledged == 4

    after = reconcile(client)
    assert after["differences"] == []
    # Refused at receipt reaches the portal (code 3) but is in no received total.
    assert (after["received"], after["synced"], after["indicator_1_4"]) == (3, 3, 100.0)
    statuses = {k: receiver.dossiers[c]["TrangThaiHoSo"] for k, c in codes.items()}
    assert statuses == {"resolved": "9", "refused": "3", "supplement": "5", "withdrawn": "7"}
    transfer = receiver.steps[codes["resolved"]][1]
    agency = client.get(f"/api/v1/units/{AGENCY}").json()["name"]
    assert (transfer["TrangThai"], transfer["PhongBanXuLy"]) == ("4", agency)


def test_a_new_event_is_sent_as_an_update_in_order(
        api: Api, clock: Clock, client: TestClient, receiver: Portal, worker: Worker) -> None:
    codes = seed(api, clock)
    assert worker.run(1) == 4
    assert worker.run(1) == 0  # nothing changed, nothing sent
    calls = len(receiver.calls)
    api.event(codes["supplement"], "supplement_received", "2026-03-05 09:00")
    assert worker.run(1) == 1
    assert receiver.calls[calls:] == ["DongBoHoSoMC", "CapNhatTienDoHoSoMC"]
    assert receiver.dossiers[codes["supplement"]]["TrangThaiHoSo"] == "4"
    assert [s["TrangThai"] for s in receiver.steps[codes["supplement"]]] == ["2", "5", "4"]
    assert reconcile(client)["differences"] == []
    assert receiver.logins == 1  # one session for every call while the portal accepts them


def test_a_repeated_acknowledgement_of_one_version_counts_once(
        api: Api, clock: Clock, worker: Worker) -> None:
    seed(api, clock)
    with worker.db.transaction() as session:
        service.discover(session, worker.now, 100)
        attempt = service.claim_due(session, worker.now, timedelta(minutes=1), 1, {})[0]
    outcome = ({"error_code": 0}, None, worker.now, timedelta(minutes=1), timedelta(hours=1), 3)
    with worker.db.transaction() as session:
        assert service.record_outcome(session, attempt, *outcome) is True
    with worker.db.transaction() as session:
        assert service.record_outcome(session, attempt, *outcome) is False


def test_dead_letters_and_replay(
        api: Api, clock: Clock, client: TestClient, settings: Settings, receiver: Portal) -> None:
    codes = seed(api, clock)
    worker = Worker(client, sync_settings(settings, receiver, max_attempts=2))
    receiver.down = True
    worker.run(3)
    dead = client.get("/api/v1/sync/dead").json()
    assert sorted(d["dossier"] for d in dead) == sorted(codes.values())
    assert {d["attempts"] for d in dead} == {2}

    receiver.down = False
    assert worker.run(1) == 0  # dead letters wait for a replay
    r = client.post("/api/v1/sync/replay", params={"dossier": codes["refused"]})
    assert r.status_code == 200 and r.json()["queued"] == 1, r.text
    assert worker.run(1) == 1
    r = client.post("/api/v1/sync/replay", params={"from": DAY, "to": DAY})
    assert r.json()["queued"] == 4  # three dead and one acknowledged, sent again
    assert worker.run(1) == 3  # the one already acknowledged counts no second time
    assert client.get("/api/v1/sync/dead").json() == []
    assert reconcile(client)["differences"] == []
    worker.http.close()


@pytest.mark.parametrize(("params", "status", "code"), [
    ({}, 422, "replay_scope"),
    ({"from": DAY}, 422, "replay_scope"),
    ({"dossier": "X", "from": DAY, "to": DAY}, 422, "replay_scope"),
    ({"from": "2026-03-05", "to": DAY}, 422, "invalid_range"),
    ({"dossier": "000.00.20.H12-260302-9999"}, 404, "dossier_not_found"),
])
def test_bad_replays_change_nothing(client: TestClient, params: dict[str, str], status: int,
                                    code: str) -> None:
    r = client.post("/api/v1/sync/replay", params=params)
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_reconciliation_lists_what_the_portal_lacks(
        api: Api, clock: Clock, client: TestClient) -> None:
    codes = seed(api, clock)
    answer = reconcile(client)
    assert answer["differences"] == answer["units"]
    unit = answer["units"][0]  # type: ignore[index]
    assert (unit["unit"], unit["dossiers"], unit["acknowledged"], unit["received"]) == (
        COMMUNE, 4, 0, 3)
    assert unit["missing"] == sorted(codes.values())
    assert unit["indicator_1_4"] == 0.0


def test_the_server_syncs_by_itself_once_a_portal_is_configured(
        settings: Settings, engine: Engine, receiver: Portal) -> None:
    empty_database(engine)
    configured = sync_settings(settings, receiver).model_copy(
        update={"portal_interval_seconds": 0.05})
    with TestClient(create_app(configured)) as client:
        client.headers["X-API-Key"] = ADMIN_KEY
        api = Api(client)
        api.province()
        code = str(api.receive()["code"])
        deadline = time.monotonic() + 20
        while code not in receiver.acks and time.monotonic() < deadline:
            time.sleep(0.05)
    assert receiver.acks == {code: 1}
    assert receiver.shape == []
