"""Outbox decisions, pure: who hears which event, signatures, retry schedule, and which
deadline a dossier is near."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Literal

from app.worktime.rules import WorkCalendar, working_time_between

Deadline = Literal["overdue", "due_soon"]
SIGNATURE_HEADER = "X-Motcua-Signature"
TIMESTAMP_HEADER = "X-Motcua-Timestamp"
EVENT_ID_HEADER = "X-Motcua-Event-Id"
NAMED_ONLY = frozenset({"citizen.notice"})
"""Event types a webhook receives only when it names them: a citizen notice carries the
applicant's name and phone, so a webhook registered for every type does not get it."""


def hears(event_types: Collection[str] | None, type_: str) -> bool:
    """Whether a webhook registered for `event_types` (None: every type) receives `type_`."""
    if event_types is None:
        return type_ not in NAMED_ONLY
    return type_ in event_types


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>`; the timestamp stops replays."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def retry_delay(attempts: int, base: timedelta, cap: timedelta) -> timedelta:
    """Exponential backoff after the n-th failed attempt: base, 2 base, 4 base... up to cap."""
    delay: timedelta = base * 2 ** min(max(attempts - 1, 0), 30)
    return min(delay, cap)


def deadline(
    open_: bool, paused: bool, due_at: datetime, now: datetime, cal: WorkCalendar,
    within_working_days: int,
) -> Deadline | None:
    """Overdue (past the appointment) or due within N working days, for an open dossier.

    A paused dossier (awaiting supplement) has no running clock, so it is neither.
    """
    if not open_ or paused:
        return None
    if now > due_at:
        return "overdue"
    if working_time_between(cal, now, due_at) <= within_working_days * cal.hours.day_length:
        return "due_soon"
    return None
