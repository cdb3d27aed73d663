"""Metrics, request ids and JSON logs, through the real app."""

from __future__ import annotations

import io
import json
import logging
import logging.config

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from app.core.config import Settings
from app.core.observability import CURRENT, JsonFormatter, RequestInfo, log_config
from app.main import create_app
from tests.conftest import ADMIN_KEY
from tests.factories import COMMUNE, PROCEDURE, Api


def samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a scrape, keyed by name and labels."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def requests_of(scrape: dict[tuple[str, frozenset[tuple[str, str]]], float],
                route: str, status: str) -> float:
    key = ("motcua_http_requests_total",
           frozenset({("method", "GET"), ("route", route), ("status", status)}))
    return scrape.get(key, 0.0)


def test_requests_are_counted_by_route_template_and_status(api: Api) -> None:
    api.province()
    code = str(api.receive("2026-03-02 08:00")["code"])
    route = "/api/v1/dossiers/{code}"
    before = samples(api.client)
    for _ in range(3):
        assert api.client.get(f"/api/v1/dossiers/{code}").status_code == 200
    assert api.client.get("/api/v1/dossiers/NO-SUCH").status_code == 404
    after = samples(api.client)
    assert requests_of(after, route, "200") - requests_of(before, route, "200") == 3
    assert requests_of(after, route, "404") - requests_of(before, route, "404") == 1
    # The dossier's code (personal to its applicant) is never a label.
    assert code not in api.client.get("/metrics").text


def test_unmatched_paths_share_one_label(api: Api) -> None:
    before = samples(api.client)
    for n in range(3):
        assert api.client.get(f"/nothing/{n}").status_code == 404
    after = samples(api.client)
    assert requests_of(after, "unmatched", "404") - requests_of(before, "unmatched", "404") == 3


def test_backlog_gauges_are_read_at_scrape_time(api: Api) -> None:
    scrape = samples(api.client)
    assert scrape[("motcua_probe_up", frozenset())] == 1
    assert scrape[("motcua_outbox_pending_deliveries", frozenset())] == 0
    assert scrape[("motcua_postal_feed_waiting", frozenset())] == 0
    # No waiting item: no age to report, rather than a made-up zero.
    assert ("motcua_postal_feed_lag_seconds", frozenset()) not in scrape


def test_a_request_id_is_returned_and_a_proxys_plain_one_kept(api: Api) -> None:
    own = api.client.get("/health/live")
    assert len(own.headers["x-request-id"]) == 16
    assert own.headers["x-request-id"] != api.client.get("/health/live").headers["x-request-id"]
    given = api.client.get("/health/live", headers={"X-Request-ID": "lb-7f3a.42"})
    assert given.headers["x-request-id"] == "lb-7f3a.42"
    # A forged id (a line break to fake a log line, or an endless one) is replaced.
    forged = api.client.get("/health/live", headers={"X-Request-ID": "x" * 65})
    assert forged.headers["x-request-id"] != "x" * 65


def test_a_problem_answer_has_a_request_id_too(api: Api) -> None:
    response = api.client.get("/api/v1/dossiers/NO-SUCH", headers={"X-API-Key": "wrong"})
    assert response.status_code == 401
    assert response.headers["x-request-id"]


def test_metrics_token_when_set(settings: Settings) -> None:
    guarded = settings.model_copy(update={"metrics_token": SecretStr("scrape-secret")})
    with TestClient(create_app(guarded), raise_server_exceptions=False) as c:
        refused = c.get("/metrics")
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        # Not an ASCII header: still a clean refusal, never a 500.
        assert c.get("/metrics", headers={"Authorization": "Bearer é".encode()}
                     ).status_code == 401
        ok = c.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
        assert ok.status_code == 200


def test_json_log_lines_carry_request_and_key_ids_never_the_secret() -> None:
    record = logging.makeLogRecord({"name": "app.access", "levelname": "INFO", "msg": "request",
                                    "route": "/api/v1/dossiers/{code}", "status": 200})
    token = CURRENT.set(RequestInfo("abc123", key_id=7))
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        CURRENT.reset(token)
    assert line["request_id"] == "abc123"
    assert line["key_id"] == 7
    assert line["route"] == "/api/v1/dossiers/{code}"
    assert line["status"] == 200
    assert ADMIN_KEY not in json.dumps(line)
    colour = logging.makeLogRecord({"name": "uvicorn.error", "msg": "Started",
                                    "color_message": "\x1b[36mStarted\x1b[0m"})
    assert "color_message" not in json.loads(JsonFormatter().format(colour))


def test_a_write_through_the_group_commit_writer_logs_its_key(api: Api) -> None:
    """Single receipts and events have their key looked up in the writer, not the request;
    the request's access line still names the key (and a refused key too)."""
    api.province()
    keys = (api.key("counter", COMMUNE), api.key("dashboard", COMMUNE))
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter())  # formats as the line is written, in the request
    access = logging.getLogger("app.access")
    access.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        for key in keys:
            api.client.post("/api/v1/dossiers", headers={"X-API-Key": key}, json={
                "procedure": PROCEDURE, "receiving_unit": COMMUNE, "channel": "direct",
                "applicant": {"name": "Nguyễn Văn An"}})
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    written = [json.loads(line) for line in lines.getvalue().splitlines()]
    assert [(w["route"], w["status"]) for w in written] == [("/api/v1/dossiers", 201),
                                                            ("/api/v1/dossiers", 403)]
    assert all(isinstance(w["key_id"], int) for w in written)
    assert written[0]["key_id"] != written[1]["key_id"]


def test_the_served_log_config_is_valid_for_both_formats() -> None:
    for fmt in ("json", "text"):
        config = log_config(fmt)
        logging.config.dictConfig(config)
        assert logging.getLogger("app").handlers
    # Restore the test run's own logging (pytest's capture) for the tests after this one.
    logging.getLogger("app").handlers.clear()
    logging.getLogger("app").propagate = True
    logging.getLogger("uvicorn").propagate = True
