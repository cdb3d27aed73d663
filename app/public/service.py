"""Public lookup: a dossier's status for whoever holds its receipt slip."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog.models import Procedure, Unit
from app.core.problems import NotFound, TooManyRequests
from app.dossiers.models import Dossier
from app.postal.schemas import UnitRef
from app.postal.service import postal_return_of
from app.public import rules
from app.public.schemas import PublicDossierOut, PublicPostal

# One answer for an unknown code and a wrong second factor, so neither can be told apart.
NO_MATCH = "No dossier matches this code and phone number."


class FailureLimiter:
    """Token buckets of failed lookups per client IP and per dossier code, in this process.

    Several app processes each keep their own buckets, multiplying the budget: such a
    deployment needs a shared store (e.g. Redis) or limits at the reverse proxy.
    """

    def __init__(self, burst: int, per_minute: float, max_keys: int = 100_000) -> None:
        self.burst, self.rate, self.max_keys = burst, per_minute / 60, max_keys
        self._buckets: dict[str, rules.TokenBucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, key: str, now: float) -> rules.TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._forget_full(now)
            bucket = self._buckets[key] = rules.TokenBucket(float(self.burst), now)
        bucket.refill(now, self.burst, self.rate)
        return bucket

    def _forget_full(self, now: float) -> None:
        """Drop buckets that refilled completely (they hold no memory); else the oldest."""
        for key, bucket in list(self._buckets.items()):
            bucket.refill(now, self.burst, self.rate)
            if bucket.tokens >= self.burst:
                del self._buckets[key]
        while len(self._buckets) >= self.max_keys:
            del self._buckets[next(iter(self._buckets))]

    def check(self, keys: tuple[str, ...], now: float) -> None:
        """Refuse with 429 while any of the keys has used up its failures."""
        with self._lock:
            wait = max(self._bucket(k, now).retry_after(self.rate) for k in keys)
        if wait:
            raise TooManyRequests("Too many failed lookups; try again later.",
                                  code="too_many_lookups", headers={"Retry-After": str(wait)})

    def fail(self, keys: tuple[str, ...], now: float) -> None:
        """Spend one token of each key."""
        with self._lock:
            for key in keys:
                self._bucket(key, now).tokens -= 1


def _ref(row: Unit | Procedure | None) -> UnitRef:
    assert row is not None  # foreign keys guarantee it
    return UnitRef(code=row.code, name=row.name)


def lookup(session: Session, code: str, phone_last4: str, now: datetime) -> PublicDossierOut:
    """The public view, if the code exists and the phone on file ends with `phone_last4`."""
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    matches = rules.phone_matches(dossier.applicant_phone if dossier else None, phone_last4)
    if dossier is None or not matches:
        raise NotFound(NO_MATCH, code="dossier_not_found")
    return _public_view(session, dossier)


def lookup_by_secret(session: Session, code: str, secret: str,
                     now: datetime) -> PublicDossierOut:
    """The public view, if the code exists and `secret` is its slip's lookup code."""
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    if not rules.secret_matches(dossier.lookup_secret if dossier else None, secret):
        raise NotFound(NO_MATCH, code="dossier_not_found")
    assert dossier is not None  # a match needs a stored code
    return _public_view(session, dossier)


def _public_view(session: Session, dossier: Dossier) -> PublicDossierOut:
    postal = postal_return_of(session, dossier.code)
    return PublicDossierOut(
        code=dossier.code, status=dossier.status,
        status_label=rules.STATUS_LABELS[dossier.status],
        procedure=_ref(session.get(Procedure, dossier.procedure_code)),
        receiving_unit=_ref(session.get(Unit, dossier.receiving_unit)),
        handling_unit=_ref(session.get(Unit, dossier.handling_unit)),
        received_at=dossier.received_at, due_at=dossier.due_at,
        rescheduled_due_at=dossier.rescheduled_due_at,
        result_ready=dossier.status == "resolved",
        returned_at=dossier.returned_at, return_method=dossier.return_method,
        postal=PublicPostal(state=postal.state, waybill=postal.waybill,
                            handed_over_at=postal.handed_over_at,
                            delivered_at=postal.delivered_at) if postal else None,
    )
