"""Dossiers (hồ sơ), their events (the timeline) and the daily code sequence."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, BigId
from app.dossiers.rules import (
    OFFICER_ID_LENGTH,
    OFFICER_NAME_LENGTH,
    SECRET_LENGTH,
    new_lookup_secret,
)

STATUSES = (
    "received", "processing", "awaiting_supplement", "awaiting_financial_obligation",
    "resolved", "returned", "refused", "stopped", "withdrawn",
)


class Dossier(Base):
    """One application; the columns are the current state the rules derived from the timeline."""

    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    # The root of the receiving unit's tree: the partition / distribution key at scale.
    province_code: Mapped[str] = mapped_column(String(40))
    procedure_code: Mapped[str] = mapped_column(ForeignKey("procedures.code", ondelete="RESTRICT"))
    # The procedure version whose rules set the appointment at receipt.
    procedure_version: Mapped[int]
    receiving_unit: Mapped[str] = mapped_column(ForeignKey("units.code", ondelete="RESTRICT"))
    handling_unit: Mapped[str] = mapped_column(ForeignKey("units.code", ondelete="RESTRICT"))
    channel: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(32))
    client_ref: Mapped[str | None] = mapped_column(String(100))
    # The lookup code printed on the receipt slip (mã tra cứu): the citizen's second factor
    # that no stranger can guess, so the public lookup needs no per-dossier lock for it.
    lookup_secret: Mapped[str] = mapped_column(String(SECRET_LENGTH), default=new_lookup_secret)

    applicant_kind: Mapped[str] = mapped_column(String(16))
    applicant_name: Mapped[str] = mapped_column(String(255))
    applicant_id_number: Mapped[str | None] = mapped_column(String(32))
    applicant_phone: Mapped[str | None] = mapped_column(String(32))
    applicant_address: Mapped[str | None] = mapped_column(String(500))

    received_at: Mapped[datetime]
    due_at: Mapped[datetime]
    rescheduled_due_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    paused_seconds: Mapped[int] = mapped_column(default=0)
    # Working seconds of financial-obligation pauses (nghĩa vụ tài chính), apart from supplements.
    obligation_paused_seconds: Mapped[int] = mapped_column(default=0)
    supplement_count: Mapped[int] = mapped_column(default=0)
    apology_count: Mapped[int] = mapped_column(default=0)
    apology_tardy: Mapped[bool] = mapped_column(default=False)
    resolved_at: Mapped[datetime | None]
    timeliness: Mapped[str | None] = mapped_column(String(8))
    processing_millidays: Mapped[int | None]
    finished_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    return_method: Mapped[str | None] = mapped_column(String(8))
    rating: Mapped[int | None]
    delivered_at: Mapped[datetime | None]
    # Interconnected processing (liên thông): the position (from 0) of the step of the
    # procedure version's internal process the dossier is at, when that step began, and its
    # own deadline; all null for a version without steps.
    current_step: Mapped[int | None]
    step_started_at: Mapped[datetime | None]
    step_due_at: Mapped[datetime | None]
    last_event_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The officers (cán bộ, công chức) who received it, resolved it and returned its result,
    # as the receipt and those events named them: what the officers' figures count.
    received_by_officer_id: Mapped[str | None] = mapped_column(String(OFFICER_ID_LENGTH))
    received_by_officer_name: Mapped[str | None] = mapped_column(String(OFFICER_NAME_LENGTH))
    resolved_by_officer_id: Mapped[str | None] = mapped_column(String(OFFICER_ID_LENGTH))
    resolved_by_officer_name: Mapped[str | None] = mapped_column(String(OFFICER_NAME_LENGTH))
    returned_by_officer_id: Mapped[str | None] = mapped_column(String(OFFICER_ID_LENGTH))
    returned_by_officer_name: Mapped[str | None] = mapped_column(String(OFFICER_NAME_LENGTH))

    events: Mapped[list[DossierEvent]] = relationship(
        back_populates="dossier", lazy="raise", order_by="DossierEvent.id"
    )

    __table_args__ = (
        UniqueConstraint("receiving_unit", "client_ref"),
        ForeignKeyConstraint(
            ["procedure_code", "procedure_version"],
            ["procedure_versions.procedure_code", "procedure_versions.version"],
            ondelete="RESTRICT",
        ),
        CheckConstraint("channel IN ('direct', 'online', 'postal')", name="channel"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint(
            "(timeliness IS NULL) = (resolved_at IS NULL)", name="timeliness_iff_resolved"
        ),
        Index("ix_dossiers_handling_unit_received_at", "handling_unit", "received_at"),
        Index("ix_dossiers_receiving_unit_received_at", "receiving_unit", "received_at"),
        Index("ix_dossiers_status_due_at", "status", "due_at"),
    )


# Every column of a dossier row but its generated id and lookup code: what a bulk insert
# writes (the column default draws each row's lookup code).
DOSSIER_COLUMNS = tuple(c.name for c in Dossier.__table__.columns
                        if c.name not in ("id", "lookup_secret"))


class DossierEvent(Base):
    """One step of a dossier's timeline, keyed by the client's own event id for idempotency."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    # The dossier's own, copied on insert: the distribution column that keeps a dossier and its
    # timeline on one shard (Citus), so a receipt or event stays a single-shard transaction.
    province_code: Mapped[str] = mapped_column(String(40))
    client_id: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    key_id: Mapped[int | None]
    payload: Mapped[dict[str, Any]]
    flags: Mapped[dict[str, Any]]
    # Fingerprint of the request and the answer given, so a retry gets the first answer
    # and a reused id with a different body is refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]]

    dossier: Mapped[Dossier] = relationship(back_populates="events", lazy="raise")

    __table_args__ = (UniqueConstraint("dossier_id", "client_id"),)


class DossierSequence(Base):
    """The last number handed out per receiving unit and local receipt day (art. 19 codes)."""

    __tablename__ = "dossier_sequences"

    unit_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    last: Mapped[int]
