"""Where each dossier stands with the national portal: the version it acknowledged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, BigId
from app.dossiers.models import DossierEvent

SYNC_STATES = ("pending", "acked", "dead")


class PortalSync(Base):
    """One row per dossier; its version is the id of the latest event the portal holds."""

    __tablename__ = "portal_sync"

    dossier_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True)
    # The last event id the portal acknowledged (None: never). A pass queues the dossier
    # again when its timeline has a newer event.
    acked_version: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(default=0)
    # While an attempt is in flight, the lease's end: a worker that dies mid-call leaves the
    # row due again once it runs out.
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(500))
    ack: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    acked_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint(f"state IN {SYNC_STATES!r}", name="state"),
        Index("ix_portal_sync_state_next_attempt_at", "state", "next_attempt_at"),
    )


# The pass looks for each dossier's latest event id: an index-only scan with this index.
Index("ix_dossier_events_dossier_id_id", DossierEvent.dossier_id, DossierEvent.id)
