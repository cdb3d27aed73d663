"""The audit trail of dossier writes as a projection of their changes: one entry per change,
with the fields it moved, old and new side by side; one insert for the group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from app.audit.service import entry, jsonable, record_many
from app.dossiers.decisions import DossierChange


def prepare(session: Session, changes: Sequence[DossierChange]) -> None:
    """Nothing to read: a change holds everything its entry says."""


def project(changes: Sequence[DossierChange], prepared: None) -> list[dict[str, Any]]:
    """One audit entry per change."""
    rows = []
    for c in changes:
        step, who, r = c.event, c.by, c.after
        if step is None or who is None:
            continue  # a stored dossier counted afresh, not a write
        if c.before is None:
            rows.append(entry(who, step.recorded_at, "receive", "dossier", r.code, None,
                              {"status": r.state.status, "due_at": r.state.due_at.isoformat(),
                               "procedure": r.procedure, "channel": r.channel}))
            continue
        # Only the fields the event changed, so the trail shows old and new side by side.
        changed = c.changed()
        rows.append(entry(who, step.recorded_at, step.type, "dossier", r.code,
                          {n: jsonable(getattr(c.before.state, n)) for n in changed},
                          {n: jsonable(getattr(r.state, n)) for n in changed}))
    return rows


def write(session: Session, rows: list[dict[str, Any]]) -> None:
    """Append the entries with one statement."""
    record_many(session, rows)
