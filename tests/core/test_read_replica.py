"""A real streaming replica behind DATABASE_READ_URL: statistics and lists read there come back
equal to the primary's, and no write, key check or read-your-writes path ever touches it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.migrate import upgrade
from app.main import create_app
from app.stats import service
from tests import pg_replica
from tests.factories import COMMUNE, OTHER_COMMUNE, PROVINCE, Api, iso

pytestmark = pytest.mark.slow
ADMIN_KEY = "replica-admin-key"

WHY_NOT = pg_replica.unavailable()
if WHY_NOT is not None:
    pytest.skip(f"no streaming replica possible: {WHY_NOT}", allow_module_level=True)

# What dashboards, reports, lists and citizens ask for: all served by the replica.
REPLICA_READS: list[tuple[str, dict[str, Any]]] = [
    ("/api/v1/stats/on-time", {"unit": PROVINCE, "period": "2026-Q1"}),
    ("/api/v1/stats/on-time", {"unit": PROVINCE, "period": "2026-Q1", "group_by": "unit"}),
    ("/api/v1/stats/on-time", {"unit": COMMUNE, "period": "2026-03", "by": "receiving"}),
    ("/api/v1/stats/ranking", {"unit": PROVINCE, "period": "2026-Q1"}),
    ("/api/v1/reports/ii06a", {"unit": PROVINCE, "period": "2026-Q1"}),
    ("/api/v1/dossiers", {"unit": PROVINCE, "limit": 500}),
    ("/api/v1/dossiers", {"unit": PROVINCE, "status": "resolved"}),
    ("/api/v1/audit", {}),
]


@dataclass
class Cluster:
    """The primary's test database, its replica, and an app reading from the replica."""

    primary: Engine
    replica: Engine
    standby: pg_replica.Replica
    api: Api

    def caught_up(self) -> None:
        """Wait until the replica has replayed every write made so far."""
        self.standby.wait_caught_up(self.primary)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """Everything torn down on the way out, in reverse order, even when a test failed."""
    with pg_replica.streaming_replica() as standby, pg_replica.primary_database() as url:
        upgrade(url)
        read_url = standby.url(url.rsplit("/", 1)[1])
        primary, replica = create_engine(url), create_engine(read_url)
        try:
            settings = Settings(database_url=url, database_read_url=read_url,
                                admin_api_key=ADMIN_KEY, migrate_on_start=False,
                                webhook_sender_enabled=False)
            # The new database reaches the replica by streaming too.
            standby.wait_caught_up(primary)
            with TestClient(create_app(settings), raise_server_exceptions=False) as client:
                client.headers["X-API-Key"] = ADMIN_KEY
                api = Api(client)
                api.province()
                yield Cluster(primary, replica, standby, api)
        finally:
            primary.dispose()
            replica.dispose()


def primary_only(cluster: Cluster) -> TestClient:
    """A second app on the same primary with no replica configured: the reference answers."""
    url = cluster.primary.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, admin_api_key=ADMIN_KEY, migrate_on_start=False,
                        webhook_sender_enabled=False)
    client = TestClient(create_app(settings), raise_server_exceptions=False)
    client.headers["X-API-Key"] = ADMIN_KEY
    return client


def fill(api: Api, tag: str) -> list[str]:
    """A quarter's worth of dossiers in two communes: on time, late, pending, withdrawn."""
    codes = []
    for day, unit in ((2, COMMUNE), (3, OTHER_COMMUNE), (4, COMMUNE), (5, OTHER_COMMUNE)):
        at = f"2026-03-0{day} 08:00"
        code = str(api.receive(at, receiving_unit=unit, client_ref=f"{tag}-{day}")["code"])
        api.event(code, "processing_started", f"2026-03-0{day} 09:00")
        codes.append(code)
    api.event(codes[0], "resolved", "2026-03-05 10:00")
    api.event(codes[1], "resolved", "2026-03-20 10:00")
    api.event(codes[2], "withdrawn", "2026-03-06 10:00")
    return codes


def get(client: TestClient, path: str, params: dict[str, Any]) -> Any:
    r = client.get(path, params=params)
    assert r.status_code == 200, (path, params, r.text)
    return r.json()


def test_statistics_and_lists_read_on_the_replica_equal_the_primary(cluster: Cluster) -> None:
    api = cluster.api
    codes = fill(api, "equal")
    cluster.caught_up()
    with Session(cluster.primary) as p, Session(cluster.replica) as r:
        on_primary, on_replica = service.snapshot_aggregates(p), service.snapshot_aggregates(r)
        assert on_primary and on_replica == on_primary
        # And the aggregates are right: a recomputation from the dossiers agrees.
        assert service.check(p) == []
        p.rollback()
    with primary_only(cluster) as reference:
        for path, params in REPLICA_READS:
            assert get(api.client, path, params) == get(reference, path, params), (path, params)
    listed = {d["code"] for d in get(api.client, "/api/v1/dossiers", {"unit": PROVINCE})["items"]}
    assert set(codes) <= listed


def test_lagging_replica_never_hides_a_write_from_the_one_who_made_it(cluster: Cluster) -> None:
    api = cluster.api
    cluster.caught_up()
    with cluster.standby.replay_paused():
        # Writes, key checks and idempotent replays all go to the primary, so a frozen
        # replica changes none of their answers.
        code = str(api.receive("2026-03-10 08:00", client_ref="lag-1")["code"])
        again = api.receive_raw("2026-03-10 08:00", client_ref="lag-1")
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
        counter = api.key("counter", COMMUNE)
        assert api.event_raw(code, "processing_started", "2026-03-10 09:00",
                             key=counter).status_code == 201
        assert api.dossier(code)["status"] == "processing"
        slip = api.client.get(f"/api/v1/dossiers/{code}/documents/receipt")
        assert slip.status_code == 200, slip.text
        keys = get(api.client, "/api/v1/keys", {})
        assert any(k["role"] == "counter" for k in keys)
        # Lists, on the other hand, come from the replica and do not have it yet.
        listed = get(api.client, "/api/v1/dossiers", {"unit": PROVINCE, "limit": 500})
        assert code not in {d["code"] for d in listed["items"]}
    cluster.caught_up()
    listed = get(api.client, "/api/v1/dossiers", {"unit": PROVINCE, "limit": 500})
    assert code in {d["code"] for d in listed["items"]}


def test_writes_succeed_with_the_replica_down(cluster: Cluster) -> None:
    api = cluster.api
    with cluster.standby.stopped():
        counter = api.key("counter", COMMUNE)
        code = str(api.receive("2026-03-11 08:00", client_ref="down-1")["code"])
        for kind, at in (("processing_started", "09:00"), ("resolved", "10:00")):
            r = api.event_raw(code, kind, f"2026-03-11 {at}", key=counter)
            assert r.status_code == 201, r.text
        batch = api.client.post("/api/v1/events/batch", json={"items": [
            {"dossier": code, "id": "down-ret", "type": "returned", "method": "counter",
             "at": iso("2026-03-11 11:00")},
        ]})
        assert batch.status_code == 200 and batch.json()["results"][0]["status"] == 201, batch.text
        assert api.dossier(code)["status"] == "returned"
        # And the replica really is where statistics come from: without it they fail.
        r = api.client.get("/api/v1/stats/on-time", params={"unit": PROVINCE, "period": "2026"})
        assert r.status_code >= 500
    cluster.caught_up()
    with primary_only(cluster) as reference:
        params = {"unit": PROVINCE, "period": "2026-Q1"}
        assert (get(api.client, "/api/v1/stats/on-time", params)
                == get(reference, "/api/v1/stats/on-time", params))
