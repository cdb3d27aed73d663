"""The application put together, above every capability: who handles which published change
(app/core/changes.py), and the write pipeline with every projection of dossier changes.

The pipeline (app/dossiers/pipeline.py) knows projections only by their shape and the
catalogue knows its subscribers only by the changes it publishes, so dossiers import neither
statistics nor postal returns, and the catalogue imports neither calendars nor statistics;
this module names them. The application factory and the command line call `wire()` once per
process, before anything writes.
"""

from __future__ import annotations

from datetime import timedelta

from app.calendar import stamp
from app.calendar.changes import DayOverridden
from app.catalog.changes import UnitsChanged, UnitsMoved
from app.core.changes import SUBSCRIBERS, Subscribers
from app.deadlines import recompute
from app.dossiers import trail
from app.dossiers.pipeline import Pipeline
from app.notices import projection as notices
from app.postal import projection as postal
from app.stats import handlers
from app.stats import projection as stats


def wire(subscribers: Subscribers = SUBSCRIBERS) -> Subscribers:
    """Subscribe every handler to the changes it handles (again: a no-op)."""
    subscribers.subscribe(UnitsChanged, stamp.units_changed)
    subscribers.subscribe(UnitsMoved, handlers.refile_moved_units)
    subscribers.subscribe(DayOverridden, recompute.on_override)
    return subscribers


def write_pipeline(skew: timedelta, notify: bool = True) -> Pipeline:
    """The pipeline every receipt and event goes through (`skew`: the clock skew allowed).

    `notify` False leaves out the citizen notices: a history import writes past events,
    which their applicants were told of by the system of their time.
    """
    return Pipeline([stats, postal, *([notices] if notify else []), trail], postal.has_returns,
                    skew)
