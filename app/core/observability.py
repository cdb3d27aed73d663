"""Metrics, request ids and JSON logs: what an operator's Prometheus and log shipper read.

One registry per process (`REGISTRY`). Its metrics are module-level, so every app built in a
process shares them, as Prometheus expects of one process; with several uvicorn workers each
process is scraped on its own (or run one worker per container). Nothing personal reaches a
label or a log field: routes are templates (`/api/v1/dossiers/{code}`), never paths, and a
key is named by its id, never its secret.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.clock import utcnow

# No `_created` series: a scrape is what Prometheus stores, and they double its size.
disable_created_metrics()  # type: ignore[no-untyped-call]
REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "motcua_http_requests", "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"], registry=REGISTRY)
LATENCY = Histogram(
    "motcua_http_request_duration_seconds",
    "Time from the request's arrival to the end of its answer, by method and route template.",
    ["method", "route"], registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
GROUP_SIZE = Histogram(
    "motcua_group_commit_items", "Items applied in one group-commit transaction.",
    registry=REGISTRY, buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000))
GROUP_WAIT = Histogram(
    "motcua_group_commit_wait_seconds",
    "Time an item waited in the group-commit queue before its transaction began.",
    registry=REGISTRY,
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0))
DEADLINE_SCAN = Histogram(
    "motcua_deadline_scan_seconds", "Duration of one deadline scan (overdue and due-soon).",
    registry=REGISTRY, buckets=(0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0))
AGGREGATE_ANOMALIES = Counter(
    "motcua_aggregates_anomalies",
    "Statistics answers computed from aggregates that cannot be right (a negative count).",
    registry=REGISTRY)

# A probe reads gauges at scrape time (backlogs, lags): name, help, value; None = no data.
Probe = Callable[[], Iterable[tuple[str, str, float | None]]]


class ProbeCollector(Collector):
    """Gauges computed at scrape time by the probe the app installs (the newest app's)."""

    def __init__(self) -> None:
        self._probe: Probe = list

    def use(self, probe: Probe) -> None:
        """Read from this probe from now on."""
        self._probe = probe

    def collect(self) -> Iterable[Metric]:
        """One gauge a reading; a probe that fails yields `motcua_probe_up 0`, not an error."""
        try:
            readings = list(self._probe())
        except Exception:  # a database hiccup must not break the scrape of everything else
            logging.getLogger(__name__).warning("metrics probe failed", exc_info=True)
            yield GaugeMetricFamily("motcua_probe_up", "1 if the scrape-time probe ran.", 0)
            return
        yield GaugeMetricFamily("motcua_probe_up", "1 if the scrape-time probe ran.", 1)
        for name, help_text, value in readings:
            if value is not None:
                yield GaugeMetricFamily(name, help_text, value)



PROBE = ProbeCollector()
REGISTRY.register(PROBE)


@dataclass(frozen=True)
class FailedCheck:
    """A consistency check that failed in this process: when, what, and its order."""

    at: datetime
    detail: str
    seq: int


_failed: list[FailedCheck] = []  # the newest only; a list so the update needs no `global`


def check_failed(detail: str) -> None:
    """Remember a failed consistency check, for /health/ready to report (one process)."""
    seq = _failed[-1].seq + 1 if _failed else 1
    _failed[:] = [FailedCheck(utcnow(), detail, seq)]


def last_failed_check(since: int = 0) -> FailedCheck | None:
    """The newest failed check with an order above `since` (an app's start marker)."""
    return _failed[-1] if _failed and _failed[-1].seq > since else None


def failed_checks_so_far() -> int:
    """The marker an app takes at its start, so it reports only its own failures."""
    return _failed[-1].seq if _failed else 0


@dataclass
class RequestInfo:
    """The request's id and caller, for every log line written while it runs.

    Mutable and shared by reference: the key is identified in a worker thread, whose copy of
    the context still points at this same object.
    """

    request_id: str
    key_id: int | None = None


CURRENT: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar("request",
                                                                           default=None)


def identify_key(key_id: int | None, info: RequestInfo | None = None) -> None:
    """Name the request's key in its logs and span (auth calls this once it knows the key;
    the group-commit writer, for a request whose key it looked up, names that request)."""
    info = info or CURRENT.get()
    if info is not None:
        info.key_id = key_id


_REQUEST_ID_HEADER = b"x-request-id"
# A proxy's id is kept only if it is short and plain, so it cannot forge log lines.
_SAFE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")

access_log = logging.getLogger("app.access")


class Observability:
    """Pure ASGI middleware: request id in and out, metrics, one access-log line, and, when
    tracing is on, one server span (continuing a caller's W3C `traceparent`)."""

    def __init__(self, app: ASGIApp, tracer: Tracer | None = None) -> None:
        self.app = app
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(_REQUEST_ID_HEADER, b"")
        request_id = (given.decode() if _SAFE_ID.fullmatch(given)
                      else secrets.token_hex(8))
        info = RequestInfo(request_id)
        token = CURRENT.set(info)
        if self.tracer is None:
            try:
                await self._serve(scope, receive, send, info)
            finally:
                CURRENT.reset(token)
            return
        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        with self.tracer.start_as_current_span(
                scope["method"], context=propagate.extract(carrier), kind=SpanKind.SERVER,
                record_exception=False) as span:
            try:
                status = await self._serve(scope, receive, send, info)
            finally:
                CURRENT.reset(token)
            route = _route_of(scope)
            span.update_name(f"{scope['method']} {route}")
            span.set_attributes({"http.request.method": scope["method"], "http.route": route,
                                 "http.response.status_code": status,
                                 "motcua.request_id": request_id})
            if info.key_id is not None:
                span.set_attribute("motcua.key_id", info.key_id)
            if status >= 500:
                span.set_status(Status(StatusCode.ERROR))

    async def _serve(self, scope: Scope, receive: Receive, send: Send,
                     info: RequestInfo) -> int:
        """Run the request with its id on the answer; count it and log it. The status sent."""
        started = time.perf_counter()
        status = 500  # what the server answers when the app fails before sending a start

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != _REQUEST_ID_HEADER]
                headers.append((_REQUEST_ID_HEADER, info.request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_of(scope)
            method = scope["method"]
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(elapsed)
            access_log.info("request", extra={
                "method": method, "route": route, "status": status,
                "duration_ms": round(elapsed * 1000, 3)})
        return status


def _route_of(scope: Scope) -> str:
    """The matched route's template; one label for everything unmatched (bounded cardinality)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


# uvicorn adds `color_message` (the message with terminal colour codes) to its own records.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime",
                                                             "color_message"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, key id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record; extras passed with `extra=` become fields."""
        info = CURRENT.get()
        out: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": info.request_id if info else None,
            "key_id": info.key_id if info else None,
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:  # tracing is on: the line names its trace
            out["trace_id"] = format(span.trace_id, "032x")
        out.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def log_config(fmt: str) -> dict[str, Any]:
    """Logging for the served app (uvicorn's `log_config`, so every worker process has it):
    JSON lines or plain text on stderr; the access log is ours, with the request id."""
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"} if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"})
    stderr = {"class": "logging.StreamHandler", "formatter": "main",
              "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"stderr": stderr},
        "loggers": {
            "app": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
