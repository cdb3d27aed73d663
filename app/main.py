"""The ASGI application: `app.main:app`."""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.audit.router import router as audit_router
from app.calendar.router import router as calendar_router
from app.catalog.router import router as catalog_router
from app.core.admission import BodyAdmission
from app.core.clock import VN_TZ, utcnow
from app.core.config import Settings, get_settings
from app.core.db import Database
from app.core.errors import install_error_handlers, problem_response
from app.core.group_commit import GroupCommit
from app.core.limits import RequestGuard
from app.core.migrate import upgrade
from app.core.observability import (
    PROBE,
    REGISTRY,
    Observability,
    Probe,
    failed_checks_so_far,
    last_failed_check,
)
from app.core.openapi import document_problems, problems
from app.core.problems import problem
from app.core.tracing import from_environment
from app.dashboard.router import install as install_dashboard
from app.demo.service import is_empty
from app.documents.router import router as documents_router
from app.dossiers import intake
from app.dossiers.router import router as dossiers_router
from app.keys.router import router as keys_router
from app.notifications import service as notifications
from app.notifications.router import queues_router
from app.notifications.router import router as notifications_router
from app.notifications.sender import run_forever
from app.portal import sender as portal_sender
from app.portal.router import router as portal_router
from app.postal import service as postal
from app.postal.router import router as postal_router
from app.public.router import router as public_router
from app.scorecard.router import router as scorecard_router
from app.stats.router import router as stats_router
from app.submissions.router import router as submissions_router
from app.submissions.router import stats_router as submission_stats_router
from app.wiring import wire, write_pipeline

log = logging.getLogger("app")

DESCRIPTION = """
Dossier tracking for one-stop-shop counters (Bộ phận Một cửa): receipts (tiếp nhận hồ sơ),
lifecycle events, working-time appointments (ngày hẹn trả) and the on-time figures, each
defined (formula, denominator, regulation) in the repository's docs/figures.md.
Send your key in `X-API-Key`. Errors are RFC 7807 `application/problem+json`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; the lifespan opens the database and applies migrations."""
    settings = settings or get_settings()
    wire()
    tracing = from_environment(os.environ)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            await run_in_threadpool(upgrade, settings.database_url)
        db = Database.from_urls(settings.database_url, settings.database_read_url,
                                settings.db_pool_size)
        app.state.db = db
        skew = timedelta(seconds=settings.receipt_clock_skew_seconds)
        pipeline = write_pipeline(skew)
        app.state.pipeline = pipeline
        writer = GroupCommit(db, intake.group_writer(pipeline), settings.batch_max_items,
                             tracing.tracer if tracing else None)
        app.state.writer = writer
        sender = (asyncio.create_task(run_forever(db, settings))
                  if settings.webhook_sender_enabled else None)
        # No address, no sync: the portal connection is off by default.
        portal = (asyncio.create_task(portal_sender.run_forever(db, settings))
                  if settings.portal_base_url else None)
        try:
            with db.transaction("read") as session:
                empty = is_empty(session)
        except SQLAlchemyError:  # a database down at start is /health/ready's to report
            empty = False
        if empty:
            log.warning("The database is empty. Load a demo province with "
                        "`python -m app demo`, or start with `python -m app serve --demo`.")
        try:
            yield
        finally:
            for task in (sender, portal):
                if task is not None:
                    task.cancel()
                    with suppress(asyncio.CancelledError):
                        await task
            await run_in_threadpool(writer.close)
            db.dispose()
            if tracing is not None:
                await run_in_threadpool(tracing.shutdown)

    # Swagger UI and ReDoc from the package's own copies of their files (served under
    # /static-offline-docs), not a CDN: intranets and air-gapped data centres have no internet.
    app = FastAPIOffline(title="Một cửa — dossier service", version="0.1.0",
                         description=DESCRIPTION, lifespan=lifespan,
                         # One schema per model, named as the model (no "-Input"/"-Output").
                         separate_input_output_schemas=False)
    app.state.settings = settings
    install_error_handlers(app)
    PROBE.use(_probe(app))
    # Inside the guard: a body over the limit is refused at once, before it waits its turn.
    app.add_middleware(BodyAdmission, budget_bytes=settings.body_budget_bytes,
                       small_body_bytes=settings.small_body_bytes,
                       max_body_bytes=settings.max_body_bytes,
                       wait_seconds=settings.body_admission_wait_seconds)
    # Added before CORS, so that CORS wraps it and browsers can read a 413 too.
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_body_bytes)
    # Outermost but CORS: every answer, a refused one included, has its id and is counted.
    app.add_middleware(Observability, tracer=tracing.tracer if tracing else None)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
                           allow_headers=["X-API-Key", "Content-Type"])

    for router in (catalog_router, calendar_router, queues_router, dossiers_router,
                   documents_router, stats_router, keys_router, audit_router, postal_router,
                   notifications_router, public_router, portal_router, scorecard_router,
                   submissions_router, submission_stats_router):
        app.include_router(router)
    install_dashboard(app)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        """People who open the bare address want the dashboard."""
        return RedirectResponse("/dashboard")

    @app.get("/health/live", summary="Liveness probe", tags=["health"])
    def live() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    started_after = failed_checks_so_far()

    @app.get("/health/ready", summary="Readiness probe (the database answers)",
             tags=["health"], response_model=None, responses=problems("not_ready"))
    def ready(request: Request) -> JSONResponse | dict[str, Any]:
        """The database answers. A consistency check that failed in this process since it
        started (statistics read from aggregates that cannot be right) is reported beside
        the status: the service still answers, and an operator runs `stats check`."""
        db: Database = request.app.state.db
        try:
            with db.fresh_engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:  # any failure means "not ready"; the reason goes to the log
            log.warning("readiness check failed", exc_info=True)
            body = problem(503, "not_ready", "Not ready", "The database does not answer.",
                           "/health/ready")
            return problem_response(503, body)
        failed = last_failed_check(started_after)
        if failed is None:
            return {"status": "ready"}
        return {"status": "ready",
                "last_failed_check": {"at": failed.at.astimezone(VN_TZ).isoformat(),
                                      "detail": failed.detail}}

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        """Prometheus metrics of this process (text exposition format)."""
        token = settings.metrics_token
        if token is not None:
            given = request.headers.get("authorization", "").encode()
            expected = b"Bearer " + token.get_secret_value().encode()
            if not hmac.compare_digest(given, expected):
                body = problem(401, "missing_key", "Unauthorized",
                               "Send the metrics token as 'Authorization: Bearer <token>'.",
                               "/metrics")
                return problem_response(401, body)
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    document_problems(app)
    return app


def _probe(app: FastAPI) -> Probe:
    """Backlogs read at scrape time, from the read engine."""

    def read() -> list[tuple[str, str, float | None]]:
        db: Database | None = getattr(app.state, "db", None)
        if db is None:
            return []
        now = utcnow()
        with db.transaction("read") as session:
            pending, oldest = notifications.backlog(session, now)
            waiting, lag = postal.feed_lag(session, now)
        return [
            ("motcua_outbox_pending_deliveries", "Webhook deliveries not yet delivered.",
             pending),
            ("motcua_outbox_oldest_pending_age_seconds",
             "Age of the oldest undelivered webhook event.", oldest),
            ("motcua_postal_feed_waiting", "Results ready for the post, not yet handed over.",
             waiting),
            ("motcua_postal_feed_lag_seconds",
             "How long the oldest result in the postal feed has waited.", lag),
        ]

    return read


app = create_app()
