"""Outbox decisions, pure: signatures, retry schedule, and which deadline a dossier is near."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Literal

from app.worktime.rules import WorkCalendar, working_time_between

Deadline = Literal["overdue", "due_soon"]
SIGNATURE_HEADER = "X-Motcua-Signature"
TIMESTAMP_HEADER = "X-Motcua-Timestamp"
EVENT_ID_HEADER = "X-Motcua-Event-Id"


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
