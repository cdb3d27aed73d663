"""The webhook sender: scans deadlines, claims due deliveries, posts them signed, retries.

Runs in the app's lifespan (unless disabled) or once from cron: `python -m app send-webhooks
--once`. Claims are leases written to the database, so a restart or a second process never
loses or doubles a pending delivery beyond at-least-once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import httpx

from app.core.clock import utcnow
from app.core.config import Settings
from app.core.db import Database
from app.core.observability import DEADLINE_SCAN
from app.core.periodic import every
from app.notifications import rules, service

log = logging.getLogger(__name__)


def _post(client: httpx.Client, attempt: service.Attempt, now: datetime
          ) -> tuple[int | None, str | None]:
    stamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        rules.TIMESTAMP_HEADER: str(stamp),
        rules.SIGNATURE_HEADER: rules.signature(attempt.secret, stamp, attempt.body),
        rules.EVENT_ID_HEADER: str(attempt.event_id),
    }
    try:
        response = client.post(attempt.url, content=attempt.body, headers=headers)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    error = None if response.is_success else f"HTTP {response.status_code}"
    return response.status_code, error


def run_once(db: Database, settings: Settings, now: datetime | None = None,
             client: httpx.Client | None = None) -> int:
    """One pass: write deadline events, then try every due delivery once; returns delivered."""
    now = now or utcnow()
    with DEADLINE_SCAN.time(), db.transaction() as session:
        service.scan_deadlines(session, now)
    lease = timedelta(seconds=settings.webhook_timeout_seconds * 3)
    with db.transaction() as session:
        claimed = service.claim_due(session, now, lease, settings.webhook_batch_size)
    delivered = 0
    own = client is None
    http = client or httpx.Client(timeout=settings.webhook_timeout_seconds,
                                  follow_redirects=False)
    try:
        for attempt in claimed:
            status, error = _post(http, attempt, now)
            delivered += error is None
            with db.transaction() as session:
                service.record_attempt(
                    session, attempt, status, error, now,
                    timedelta(seconds=settings.webhook_retry_base_seconds),
                    timedelta(seconds=settings.webhook_retry_max_seconds),
                    settings.webhook_max_attempts)
    finally:
        if own:
            http.close()
    return delivered


async def run_forever(db: Database, settings: Settings) -> None:
    """The lifespan task: a pass every interval until cancelled."""
    await every(settings.webhook_interval_seconds, lambda: run_once(db, settings),
                "webhook sender")
