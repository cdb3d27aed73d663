"""Submissions filed online, waiting for an officer's check before receipt."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, BigId
from app.submissions.rules import REASON_LABELS, STATUSES

REASON_CODES = tuple(REASON_LABELS)


class Submission(Base):
    """One online filing (hồ sơ nộp trực tuyến) and the officer's check of it.

    Accepted, it is a dossier (`dossier_code`), received at the acceptance; not accepted, it
    stays here with its reason and is never counted as received.
    """

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # The root of the receiving unit's tree, as on dossiers: the partition key at scale.
    province_code: Mapped[str] = mapped_column(String(40))
    receiving_unit: Mapped[str] = mapped_column(ForeignKey("units.code", ondelete="RESTRICT"))
    procedure_code: Mapped[str] = mapped_column(ForeignKey("procedures.code",
                                                           ondelete="RESTRICT"))
    client_ref: Mapped[str | None] = mapped_column(String(100))
    submitted_at: Mapped[datetime]
    check_due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    decided_at: Mapped[datetime | None]
    # Decided after check_due_at; null while waiting.
    checked_late: Mapped[bool | None]
    reason_code: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(1000))
    dossier_code: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The receipt body to receive on acceptance (a DossierIn without its time), and the
    # fingerprint of the request that filed it, so a retry with its client_ref replays.
    body: Mapped[dict[str, Any]]
    request_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int | None]
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("receiving_unit", "client_ref"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint(f"reason_code IS NULL OR reason_code IN {REASON_CODES!r}",
                        name="reason_code"),
        CheckConstraint("(status = 'waiting') = (decided_at IS NULL)",
                        name="decided_iff_not_waiting"),
        CheckConstraint("(status = 'accepted') = (dossier_code IS NOT NULL)",
                        name="dossier_iff_accepted"),
        CheckConstraint("(status = 'not_accepted') = (reason_code IS NOT NULL)",
                        name="reason_iff_not_accepted"),
        Index("ix_submissions_status_check_due_at", "status", "check_due_at"),
        Index("ix_submissions_receiving_unit_submitted_at", "receiving_unit", "submitted_at"),
    )
