"""Retries are safe: the same id returns the first answer and adds nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.factories import COMMUNE, Api


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0)


def test_retried_event_returns_the_first_answer(api: Api, engine: Engine) -> None:
    api.province()
    code = api.receive("2026-03-02 08:00")["code"]
    first = api.event_raw(code, "resolved", "2026-03-03 09:00", id_="ev-1")
    again = api.event_raw(code, "resolved", "2026-03-03 09:00", id_="ev-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count(engine, "dossier_events") == 2


def test_replay_still_answers_after_later_events(api: Api) -> None:
    api.province()
    code = api.receive("2026-03-02 08:00")["code"]
    first = api.event_raw(code, "resolved", "2026-03-03 09:00", id_="ev-1")
    api.event(code, "returned", "2026-03-04 09:00", method="counter")
    assert api.event_raw(code, "resolved", "2026-03-03 09:00", id_="ev-1").json() == first.json()


def test_event_id_reused_for_a_different_event_is_refused(api: Api, engine: Engine) -> None:
    api.province()
    code = api.receive("2026-03-02 08:00")["code"]
    api.event(code, "processing_started", "2026-03-03 09:00", id_="ev-1")
    r = api.event_raw(code, "resolved", "2026-03-03 09:00", id_="ev-1")
    assert (r.status_code, r.json()["code"]) == (409, "idempotency_key_reused")
    assert count(engine, "dossier_events") == 2


def test_receipt_is_idempotent_on_client_ref(api: Api, engine: Engine) -> None:
    api.province()
    first = api.receive_raw("2026-03-02 08:00", client_ref="counter-42")
    again = api.receive_raw("2026-03-02 08:00", client_ref="counter-42")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(engine, "dossiers") == 1
    other = api.receive_raw("2026-03-02 08:00", client_ref="counter-42", channel="online")
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_key_reused")
    # The refused attempt did not burn a sequence number.
    assert api.receive("2026-03-02 09:00")["code"] == f"{COMMUNE}-260302-0002"


def test_batch_items_succeed_or_fail_alone(api: Api, engine: Engine) -> None:
    api.province()
    good = {"procedure": "1.000001", "receiving_unit": COMMUNE, "channel": "online",
            "received_at": "2026-03-02T08:00:00+07:00", "applicant": {"name": "Trần Thị Bình"}}
    r = api.client.post("/api/v1/dossiers/batch", json={"items": [
        {**good, "client_ref": "b-1"},
        {**good, "procedure": "NOPE", "client_ref": "b-2"},
        {**good, "channel": "carrier-pigeon"},
        {**good, "client_ref": "b-1"},
    ]})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["status"] for x in results] == [201, 422, 422, 201]
    assert [x["replayed"] for x in results] == [False, False, False, True]
    assert results[1]["body"]["code"] == "unknown_procedure"
    assert count(engine, "dossiers") == 1
    code = results[0]["body"]["code"]
    r = api.client.post("/api/v1/events/batch", json={"items": [
        {"dossier": code, "id": "e1", "type": "processing_started",
         "at": "2026-03-02T09:00:00+07:00"},
        {"dossier": code, "id": "e2", "type": "returned", "method": "counter",
         "at": "2026-03-02T10:00:00+07:00"},
        {"dossier": "NOPE", "id": "e3", "type": "resolved", "at": "2026-03-02T10:00:00+07:00"},
        {"dossier": code, "id": "e4", "type": "resolved", "at": "2026-03-02T11:00:00+07:00"},
        {"dossier": code, "id": "e1", "type": "processing_started",
         "at": "2026-03-02T09:00:00+07:00"},
    ]})
    assert [x["status"] for x in r.json()["results"]] == [201, 409, 404, 201, 201]
    assert api.dossier(code)["status"] == "resolved"
    assert count(engine, "dossier_events") == 3


def test_batch_over_the_limit_is_refused_whole(api: Api, engine: Engine) -> None:
    api.province()
    items = [{"dossier": "X", "id": str(i)} for i in range(1001)]
    r = api.client.post("/api/v1/events/batch", json={"items": items})
    assert (r.status_code, r.json()["code"]) == (413, "batch_too_large")


def test_twenty_concurrent_receipts_get_consecutive_codes(api: Api, engine: Engine) -> None:
    api.province()
    barrier = Barrier(20)

    def receive(i: int) -> str:
        barrier.wait()
        r = api.receive_raw("2026-03-02 08:00", client_ref=f"c-{i}")
        assert r.status_code == 201, r.text
        return str(r.json()["code"])

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(receive, range(20)))
    assert sorted(codes) == [f"{COMMUNE}-260302-{n:04d}" for n in range(1, 21)]
    assert count(engine, "dossiers") == 20
