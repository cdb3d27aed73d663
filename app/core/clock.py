"""The only place that reads the wall clock, and the one time zone every local day is in.

Rules take `now` as an argument; only the edge calls `utcnow()`.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

# Vietnamese time (UTC+07:00, no daylight saving): local days, answers and documents.
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    """Current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def local_day(at: datetime) -> date:
    """The Vietnamese calendar day of an instant."""
    return at.astimezone(VN_TZ).date()


def day_start(d: date) -> datetime:
    """The instant a Vietnamese calendar day begins."""
    return datetime.combine(d, time(0), VN_TZ)
