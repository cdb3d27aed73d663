"""OpenTelemetry tracing, on when its standard environment variables ask for it.

Off unless `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or
`OTEL_TRACES_EXPORTER` (`otlp` or `console`) is set; `OTEL_SDK_DISABLED=true` or
`OTEL_TRACES_EXPORTER=none` keeps it off. The exporter reads its own variables (endpoint,
headers, timeout), and the resource reads `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`.
OTLP needs the `tracing` extra (`pip install '.[tracing]'`); without it the service says so
once and runs untraced.

The spans are made here, not by the FastAPI instrumentation package, because that one records
each request's full URL: a dossier's code in the path, the public lookup's phone digits in its
query. Ours carry what the metrics carry (method, route template, status), plus the request id
and the key's id, and nothing else; see `app.core.observability`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import Tracer

log = logging.getLogger(__name__)

SERVICE_NAME = "motcua"
_ENDPOINTS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


@dataclass(frozen=True)
class Tracing:
    """The tracer the app's spans are made with, and the provider to flush at shutdown."""

    provider: TracerProvider

    @property
    def tracer(self) -> Tracer:
        """The service's tracer."""
        return self.provider.get_tracer("app")

    def shutdown(self) -> None:
        """Export what is still buffered, then stop."""
        self.provider.shutdown()


def exporter_wanted(environ: Mapping[str, str]) -> str | None:
    """Which exporter the environment asks for (`otlp` or `console`), or None for none."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    chosen = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if chosen in ("otlp", "console"):
        return chosen
    if chosen == "" and any(environ.get(name, "").strip() for name in _ENDPOINTS):
        return "otlp"
    return None


def _exporter(kind: str) -> SpanExporter | None:
    if kind == "console":
        return ConsoleSpanExporter()
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError:
        log.warning("OpenTelemetry tracing was asked for, but the OTLP exporter is not "
                    "installed: pip install '.[tracing]'. The service runs untraced.")
        return None
    return OTLPSpanExporter()


def from_environment(environ: Mapping[str, str],
                     exporter: SpanExporter | None = None) -> Tracing | None:
    """Tracing as the environment configures it, or None when it is off.

    `exporter` replaces the one the environment names (tests hand in an in-memory one)."""
    kind = exporter_wanted(environ)
    if exporter is None and kind is None:
        return None
    chosen = exporter or _exporter(kind or "otlp")
    if chosen is None:
        return None
    name = environ.get("OTEL_SERVICE_NAME", "").strip() or SERVICE_NAME
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(BatchSpanProcessor(chosen))
    return Tracing(provider)
