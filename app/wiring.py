"""Who handles which published change (app/core/changes.py): run once per process, by the
application factory and the command line, before anything writes."""

from __future__ import annotations

from app.calendar import stamp
from app.catalog.changes import UnitsChanged, UnitsMoved
from app.core.changes import SUBSCRIBERS, Subscribers
from app.stats import handlers


def wire(subscribers: Subscribers = SUBSCRIBERS) -> Subscribers:
    """Subscribe every handler to the changes it handles (again: a no-op)."""
    subscribers.subscribe(UnitsChanged, stamp.units_changed)
    subscribers.subscribe(UnitsMoved, handlers.refile_moved_units)
    return subscribers
