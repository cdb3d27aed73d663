"""The portal worker: queues changed dossiers, posts them to the portal adapter, retries.

Runs in the app's lifespan when a portal URL is configured. The state is in the database
(leases like the webhook sender's), so a restart loses nothing and sends nothing twice
beyond at-least-once; a repeated acknowledgement of one version counts once.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

import httpx

from app.core.clock import utcnow
from app.core.config import Settings
from app.core.db import Database
from app.core.periodic import every
from app.portal import rules, service

log = logging.getLogger(__name__)


class PortalClient:
    """JSON calls to the portal adapter with a session token reused for a while."""

    def __init__(self, settings: Settings, http: httpx.Client) -> None:
        self._settings, self._http = settings, http
        self._token: str | None = None
        self._expires = 0.0

    def _url(self, path: str) -> str:
        return f"{(self._settings.portal_base_url or '').rstrip('/')}{path}"

    def _session(self) -> str:
        if self._token is None or time.monotonic() >= self._expires:
            s = self._settings
            reply = self._http.post(self._url(s.portal_auth_path), json={
                "username": s.portal_username, "password": s.portal_password.get_secret_value()})
            body = reply.json() if reply.is_success else None
            if not rules.acknowledged(body) or not isinstance(body, dict) or not body.get(
                    "session"):
                raise PortalError(f"authentication refused: {reply.status_code}")
            self._token = str(body["session"])
            self._expires = time.monotonic() + s.portal_session_seconds
        return self._token

    def call(self, service_name: str, madonvi: str, body: dict[str, Any]) -> dict[str, Any]:
        """One operation; the reply if the portal accepted it, else PortalError."""
        payload = {"service": service_name, "session": self._session(), "madonvi": madonvi,
                   **body}
        reply = self._http.post(self._url(self._settings.portal_integration_path),
                                json=payload, headers={"dstcode": self._settings.portal_dstcode})
        answer = reply.json() if reply.is_success else None
        if not isinstance(answer, dict) or not rules.acknowledged(answer):
            self._token = None  # an expired session is one cause: ask for a new one next
            detail = answer.get("message") if isinstance(answer, dict) else None
            raise PortalError(f"{service_name}: HTTP {reply.status_code} {detail or ''}".strip())
        return answer


class PortalError(Exception):
    """The portal did not acknowledge a call."""


def _send(portal: PortalClient, attempt: service.Attempt
          ) -> tuple[dict[str, Any] | None, str | None]:
    try:
        dossier = portal.call("DongBoHoSoMC", attempt.madonvi, attempt.dossier_body)
        # The progress goes only after the dossier itself is accepted, as the portal expects.
        progress = portal.call("CapNhatTienDoHoSoMC", attempt.madonvi, attempt.steps_body)
    except (httpx.HTTPError, ValueError, PortalError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    return {"dossier": dossier, "progress": progress}, None


def run_once(db: Database, settings: Settings, portal: PortalClient,
             now: datetime | None = None) -> int:
    """One pass: queue changed dossiers, try every due one once; returns newly acknowledged."""
    now = now or utcnow()
    with db.transaction() as session:
        service.discover(session, now, settings.portal_batch_size * 10)
    lease = timedelta(seconds=settings.portal_timeout_seconds * 4)
    with db.transaction() as session:
        claimed = service.claim_due(session, now, lease, settings.portal_batch_size,
                                    settings.portal_unit_codes)
    acknowledged = 0
    for attempt in claimed:
        ack, error = _send(portal, attempt)
        with db.transaction() as session:
            acknowledged += service.record_outcome(
                session, attempt, ack, error, now,
                timedelta(seconds=settings.portal_retry_base_seconds),
                timedelta(seconds=settings.portal_retry_max_seconds),
                settings.portal_max_attempts)
    return acknowledged


async def run_forever(db: Database, settings: Settings) -> None:
    """The lifespan task: a pass every interval until cancelled."""
    with httpx.Client(timeout=settings.portal_timeout_seconds, follow_redirects=False) as http:
        portal = PortalClient(settings, http)
        await every(settings.portal_interval_seconds, lambda: run_once(db, settings, portal),
                    "portal sync")
