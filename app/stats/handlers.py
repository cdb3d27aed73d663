"""What the statistics do when a change published elsewhere reaches their figures."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.catalog.changes import UnitsMoved
from app.stats import service


def refile_moved_units(session: Session, change: UnitsMoved) -> None:
    """Figures are kept per ancestor: the moved units' dossiers leave their former ancestors'
    figures for their new ones, in the transaction that moved them."""
    service.refile(session, dict(change.paths_before))
