"""What the calendar publishes when a day's status changes (app/core/changes.py).

Deadlines of open dossiers follow their calendar, but dossiers and figures stand above the
calendar: it publishes the change, and the handler wired in app/wiring.py recomputes them in
the same transaction and answers how many moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.auth.rules import Principal


@dataclass(frozen=True)
class DayOverridden:
    """An override of `day` was set (`body`: its working flag and note) or removed (None),
    for a unit's subtree or nationally (`unit` None), by `who` at `now`."""

    who: Principal
    day: date
    unit: str | None
    body: dict[str, Any] | None
    now: datetime
