"""The only place that reads the wall clock; rules take `now` as an argument."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Current instant, timezone-aware UTC."""
    return datetime.now(UTC)
