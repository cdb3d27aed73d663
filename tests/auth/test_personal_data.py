"""Applicant data (name, id number, phone, address, delivery contact) reaches only admin and
counter keys, the post (just the delivery contact), and never a log line."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.core.config import Settings
from app.core.observability import JsonFormatter
from app.main import create_app
from tests.conftest import ADMIN_KEY
from tests.core.test_tracing import wait_for
from tests.factories import COMMUNE, Api, iso
from tests.loopback import otlp_collector
from tests.reliability.server import LOOPBACK, free_port

APPLICANT = {"kind": "person", "name": "Đỗ Thị Hạnh", "id_number": "079188004321",
             "phone": "0933111222", "address": "Số 12 Nguyễn Huệ, Quận 1"}
DELIVERY = {"name": "Vũ Văn Khoa", "address": "Số 7 Lê Lợi, Huế", "phone": "0944555666"}
APPLICANT_ONLY = [APPLICANT["name"], APPLICANT["id_number"], APPLICANT["phone"],
                  "Nguyễn Huệ"]
DELIVERY_VALUES = [DELIVERY["name"], DELIVERY["phone"], "Lê Lợi"]
EVERYTHING = APPLICANT_ONLY + DELIVERY_VALUES


def _receipt(**extra: Any) -> dict[str, Any]:
    return {"procedure": "1.000001", "receiving_unit": COMMUNE, "channel": "direct",
            "received_at": iso("2026-03-02 08:00"), "applicant": APPLICANT, **extra}


def _text(r: httpx.Response) -> str:
    assert r.status_code < 300, r.text
    return json.dumps(r.json(), ensure_ascii=False) if "json" in r.headers.get(
        "content-type", "") else r.text


def _posted_result(api: Api) -> str:
    """A resolved dossier whose result goes by post to DELIVERY."""
    r = api.client.post("/api/v1/dossiers", json=_receipt(return_by_post=True,
                                                           delivery=DELIVERY))
    assert r.status_code == 201, r.text
    code = str(r.json()["code"])
    api.event(code, "resolved", "2026-03-05 09:00", result_document="Giấy phép")
    return code


def _feed(client: TestClient, headers: dict[str, str]) -> str:
    """The postal feed, polled as the post does: on PostgreSQL a row shows once every older
    transaction has ended, and the test database's server is shared."""
    deadline = time.monotonic() + 10
    while True:
        r = client.get("/api/v1/postal/returns", headers=headers)
        if r.json()["items"] or time.monotonic() > deadline:
            return _text(r)
        time.sleep(0.1)


def _reads(client: TestClient, code: str, key: str) -> list[httpx.Response]:
    """Every dossier view a reader can get."""
    h = {"X-API-Key": key}
    return [client.get(f"/api/v1/dossiers/{code}", headers=h),
            client.get("/api/v1/dossiers", params={"unit": COMMUNE}, headers=h),
            client.get("/api/v1/dossiers/overdue", headers=h),
            client.get("/api/v1/dossiers/due-soon", params={"within_working_days": 10},
                       headers=h)]


@pytest.mark.parametrize("role", ["admin", "counter"])
def test_admin_and_counter_see_the_applicant(api: Api, role: str) -> None:
    api.province()
    code = _posted_result(api)
    seen = _text(_reads(api.client, code, api.key(role, None if role == "admin" else COMMUNE))[0])
    for value in APPLICANT_ONLY:
        assert value in seen


def test_a_dashboard_sees_no_personal_data(api: Api) -> None:
    api.province()
    code = _posted_result(api)
    api.event(code, "return_by_post_requested", "2026-03-05 10:00", delivery=DELIVERY)
    for r in _reads(api.client, code, api.key("dashboard", COMMUNE)):
        answer = _text(r)
        for value in EVERYTHING:
            assert value not in answer, (r.url, value)


def test_the_post_sees_the_delivery_contact_and_nothing_else(api: Api) -> None:
    api.province()
    code = _posted_result(api)
    postal = {"X-API-Key": api.key("postal", COMMUNE)}
    feed = _feed(api.client, postal)
    for value in DELIVERY_VALUES:
        assert value in feed
    report = api.client.post(f"/api/v1/postal/returns/{code}/handed_over", headers=postal,
                             json={"waybill": "EB1VN", "at": iso("2026-03-06 09:00")})
    for answer in (feed, _text(report)):
        for value in APPLICANT_ONLY:
            assert value not in answer, value


def test_a_replayed_report_is_shown_as_the_caller_may_see_it(api: Api) -> None:
    """The post retrying a report an admin made first must not get the admin's view."""
    api.province()
    code = _posted_result(api)
    body = {"waybill": "EB2VN", "at": iso("2026-03-06 09:00")}
    url = f"/api/v1/postal/returns/{code}/handed_over"
    assert api.client.post(url, json=body).status_code == 201
    replay = api.client.post(url, json=body, headers={"X-API-Key": api.key("postal", COMMUNE)})
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json()["dossier"]["applicant"] is None


def test_the_public_lookup_shows_nothing_personal(api: Api) -> None:
    api.province()
    code = _posted_result(api)
    r = api.client.get(f"/api/v1/public/dossiers/{code}",
                       headers={"X-API-Key": "", "X-Phone-Last4": "1222"})
    answer = _text(r)
    for value in EVERYTHING:
        assert value not in answer


class _Server:
    """The app under uvicorn in this process, so its loggers reach caplog."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        config = uvicorn.Config(create_app(settings), host=LOOPBACK, port=self.port,
                                log_config=None, log_level="debug", access_log=True)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> httpx.Client:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "server not up"
            time.sleep(0.05)
        return httpx.Client(base_url=f"http://{LOOPBACK}:{self.port}", timeout=30,
                            headers={"X-API-Key": ADMIN_KEY})

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


@pytest.fixture
def live(api: Api, settings: Settings) -> Iterator[httpx.Client]:
    """A uvicorn server on the test's (seeded) database."""
    api.province()
    with _Server(settings) as client:
        yield client


@pytest.fixture
def traces(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    """Tracing on, to a collector: what it receives (ask for it before the server)."""
    with otlp_collector() as (url, bodies):
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", url)
        monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "50")
        yield bodies


def test_no_personal_data_in_the_logs_metrics_or_traces(
        traces: list[bytes], live: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="app")
    caplog.set_level(logging.DEBUG, logger="uvicorn")
    r = live.post("/api/v1/dossiers", json=_receipt(return_by_post=True, delivery=DELIVERY))
    code = r.json()["code"]
    live.post(f"/api/v1/dossiers/{code}/events", json={
        "id": "x1", "type": "return_by_post_requested", "at": iso("2026-03-03 09:00"),
        "delivery": DELIVERY})
    live.get(f"/api/v1/dossiers/{code}")
    live.get(f"/api/v1/public/dossiers/{code}", headers={"X-Phone-Last4": "1222"})
    # Refused input too: the 422 echoes it to its sender, the log must not.
    live.post("/api/v1/dossiers", json=_receipt(channel="fax"))
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "uvicorn.access" in logged and code in logged  # the capture works
    # The JSON lines as served (extras included) and the metrics say no more than that.
    lines = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    assert '"route": "/api/v1/dossiers/{code}"' in lines
    # Names and labels: the numbers are counts and seconds, and may hold any digits.
    scraped = "\n".join(f"{m.name} {m.labels}" for family in text_string_to_metric_families(
        live.get("/metrics").text) for m in family.samples)
    assert "motcua_http_requests_total" in scraped
    spans = {s.name for s in wait_for(traces, {"GET /api/v1/public/dossiers/{code}"})}
    assert {"POST /api/v1/dossiers", "GET /api/v1/public/dossiers/{code}"} <= spans
    exported = b"".join(traces).decode("utf-8", "replace")
    for value in [*EVERYTHING, "1222"]:
        assert value not in logged, value
        assert value not in lines, value
        assert value not in scraped, value
        assert value not in exported, value


def test_a_database_error_logs_no_parameters(api: Api, engine: Engine,
                                             caplog: pytest.LogCaptureFixture) -> None:
    """An unexpected failure logs the statement, but not the applicant it was storing."""
    api.province()
    api.receive("2026-03-02 08:00")
    with engine.begin() as conn:  # lose the day's numbering: the next code is taken again
        conn.execute(text("DELETE FROM dossier_sequences"))
    with caplog.at_level(logging.DEBUG, logger="app"):
        r = api.client.post("/api/v1/dossiers", json=_receipt())
    assert r.status_code == 500
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "INSERT INTO dossiers" in logged  # the error itself is logged
    for value in APPLICANT_ONLY:
        assert value not in logged, value


CLERK_TEXT = "Gọi chị Hoa 0912345678 ở số 5 ngõ 7"


def test_free_text_of_events_is_for_admin_and_counter_only(api: Api) -> None:
    """Notes and reasons typed by clerks may name people; dashboards get the event without."""
    api.province()
    code = str(api.receive("2026-03-02 08:00")["code"])
    api.event(code, "processing_started", "2026-03-02 09:00", note=CLERK_TEXT)
    api.event(code, "supplement_requested", "2026-03-02 10:00", reason=CLERK_TEXT)
    for role, unit, shown in (("admin", None, True), ("counter", COMMUNE, True),
                              ("dashboard", COMMUNE, False)):
        r = api.client.get(f"/api/v1/dossiers/{code}", headers={"X-API-Key": api.key(role, unit)})
        timeline = r.json()["timeline"]
        assert [e["type"] for e in timeline][-2:] == ["processing_started",
                                                      "supplement_requested"], role
        assert (CLERK_TEXT in r.text) is shown, role
