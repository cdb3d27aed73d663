"""OpenTelemetry tracing: off by default, on from the standard variables, exported over OTLP
to a collector, continuing a caller's trace, and naming routes, never paths."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy.engine import Engine

from app.core.config import Settings
from app.core.deps import get_now
from app.core.observability import JsonFormatter
from app.core.tracing import exporter_wanted, from_environment
from app.main import create_app
from tests.conftest import ADMIN_KEY, Clock, empty_database
from tests.factories import Api, iso
from tests.loopback import otlp_collector

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


@pytest.mark.parametrize(("environ", "wanted"), [
    ({}, None),
    ({"OTEL_SERVICE_NAME": "motcua"}, None),  # naming the service turns nothing on
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, "otlp"),
    ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, "otlp"),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "  "}, None),
    ({"OTEL_TRACES_EXPORTER": "console"}, "console"),
    ({"OTEL_TRACES_EXPORTER": "OTLP"}, "otlp"),
    ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, None),
    ({"OTEL_TRACES_EXPORTER": "zipkin"}, None),  # not one this service ships
    ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "console"}, None),
])
def test_the_standard_variables_decide_whether_spans_are_exported(
        environ: dict[str, str], wanted: str | None) -> None:
    assert exporter_wanted(environ) == wanted


def spans_of(bodies: list[bytes]) -> list[tuple[Span, str]]:
    """Every span the collector received, with its resource's service name."""
    found = []
    for body in bodies:
        request = ExportTraceServiceRequest.FromString(body)
        for resource in request.resource_spans:
            service = {a.key: a.value.string_value
                       for a in resource.resource.attributes}["service.name"]
            found += [(span, service) for scope in resource.scope_spans for span in scope.spans]
    return found


def attributes(span: Span) -> dict[str, Any]:
    return {a.key: a.value.string_value or a.value.int_value for a in span.attributes}


def wait_for(bodies: list[bytes], names: set[str]) -> list[Span]:
    """The spans received once every name in `names` has arrived (at most 10 s)."""
    deadline = time.monotonic() + 10
    while True:
        spans = [span for span, _ in spans_of(bodies)]
        if names <= {s.name for s in spans} or time.monotonic() > deadline:
            return spans
        time.sleep(0.05)


@pytest.fixture
def traced(settings: Settings, engine: Engine, clock: Clock,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Api, list[bytes]]]:
    """The app with tracing on, as an operator turns it on: the OTLP endpoint variable, and a
    short export delay so the spans arrive while the test waits."""
    with otlp_collector() as (url, bodies):
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", url)
        monkeypatch.setenv("OTEL_SERVICE_NAME", "motcua-test")
        monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "50")
        empty_database(engine)
        app = create_app(settings)
        app.dependency_overrides[get_now] = clock
        with TestClient(app, raise_server_exceptions=False) as client:
            client.headers["X-API-Key"] = ADMIN_KEY
            yield Api(client), bodies


def test_each_request_is_a_span_named_by_its_route_and_the_write_group_links_to_it(
        traced: tuple[Api, list[bytes]]) -> None:
    api, bodies = traced
    api.province()
    key = api.key("counter", "000.00.20.H12")
    r = api.client.post("/api/v1/dossiers", headers={
        "X-API-Key": key, "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01",
        "X-Request-ID": "counter-7.1"}, json={
        "procedure": "1.000001", "receiving_unit": "000.00.20.H12", "channel": "direct",
        "received_at": iso("2026-03-02 08:00"),
        "applicant": {"name": "Nguyễn Thị Hoa", "phone": "0912345678"}})
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    assert api.client.get(f"/api/v1/dossiers/{code}").status_code == 200
    spans = wait_for(bodies, {"POST /api/v1/dossiers", "GET /api/v1/dossiers/{code}",
                              "write group"})
    [receipt] = [s for s in spans if s.name == "POST /api/v1/dossiers"]
    # The caller's trace goes on: same trace id, its span as the parent.
    assert receipt.trace_id.hex() == CALLER_TRACE
    assert receipt.parent_span_id.hex() == CALLER_SPAN
    assert receipt.kind == Span.SPAN_KIND_SERVER
    shown = attributes(receipt)
    assert shown["http.route"] == "/api/v1/dossiers"
    assert shown["http.response.status_code"] == 201
    assert shown["motcua.request_id"] == "counter-7.1"
    assert isinstance(shown["motcua.key_id"], int)
    # The writer's group is its own span, linked to the request it wrote for.
    groups = [s for s in spans if s.name == "write group"
              if any(link.span_id == receipt.span_id for link in s.links)]
    assert len(groups) == 1 and attributes(groups[0])["motcua.group.items"] == 1
    assert {service for _, service in spans_of(bodies)} == {"motcua-test"}
    # Routes, never paths: the dossier's code and the applicant are in no span.
    exported = b"".join(bodies)
    for value in (code, "Nguyễn Thị Hoa", "0912345678"):
        assert value.encode() not in exported, value


def test_a_log_line_written_in_a_span_names_its_trace() -> None:
    tracer = TracerProvider().get_tracer("test")
    record = logging.makeLogRecord({"msg": "x"})
    with tracer.start_as_current_span("request") as span:
        inside = json.loads(JsonFormatter().format(record))
    assert inside["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert "trace_id" not in json.loads(JsonFormatter().format(record))


def test_otlp_asked_for_without_its_exporter_warns_and_runs_untraced(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry.exporter.otlp.proto.http.trace_exporter",
                        None)  # as if the tracing extra were not installed
    with caplog.at_level("WARNING", logger="app.core.tracing"):
        assert from_environment({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}) is None
    assert "pip install '.[tracing]'" in caplog.text
    assert from_environment({}) is None
