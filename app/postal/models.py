"""Results returned by post: the request, the operator's feed and the delivery outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, BigId

POSTAL_STATES = ("requested", "ready", "handed_over", "delivered", "failed", "collected")


class PostalReturn(Base):
    """One dossier's return by post (QĐ 45/2016/QĐ-TTg); a row in the feed while `ready`.

    `ready_txid` orders the feed: on PostgreSQL the id of the transaction that made the row
    ready (pg_current_xact_id), on SQLite a counter taken under the single write lock.
    """

    __tablename__ = "postal_returns"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[str] = mapped_column(String(12))
    recipient_name: Mapped[str] = mapped_column(String(255))
    recipient_address: Mapped[str] = mapped_column(String(500))
    recipient_phone: Mapped[str | None] = mapped_column(String(32))
    cod_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    document: Mapped[str | None] = mapped_column(String(500))
    requested_at: Mapped[datetime]
    ready_at: Mapped[datetime | None]
    ready_txid: Mapped[int | None] = mapped_column(BigInteger)
    waybill: Mapped[str | None] = mapped_column(String(64))
    handed_over_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    failure_reason: Mapped[str | None] = mapped_column(String(1000))

    __table_args__ = (
        CheckConstraint(f"state IN {POSTAL_STATES!r}", name="state"),
        Index("ix_postal_returns_state_ready_txid", "state", "ready_txid", "id"),
    )
