"""The calendar cache's stamp: read once per transaction, replaced by every change to the
calendars' inputs (overrides, units' working hours, the unit tree), in that change's transaction.

The catalogue, below the calendars, publishes its changes of units (app/catalog/changes.py);
`units_changed` handles them here.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.calendar.models import CacheStamp
from app.catalog.changes import UnitsChanged

CALENDAR = "calendar"
# The per-transaction calendar cache (app/calendar/service.py) lives under this session key.
TRANSACTION_CACHE = "calendars"


def current(session: Session) -> str | None:
    """The stamp calendars built now may be shared under; None: do not share."""
    return session.scalar(select(CacheStamp.stamp).where(CacheStamp.name == CALENDAR))


def calendars_changed(session: Session) -> None:
    """Invalidate every process's shared calendars once this transaction commits."""
    row = session.get(CacheStamp, CALENDAR)
    if row is None:
        session.add(CacheStamp(name=CALENDAR, stamp=uuid.uuid4().hex))
    else:
        row.stamp = uuid.uuid4().hex
    session.flush()
    session.info.pop(TRANSACTION_CACHE, None)


def units_changed(session: Session, _change: UnitsChanged) -> None:
    """Units' working hours and their place in the tree are calendar inputs."""
    calendars_changed(session)
