"""The outbox (events written in the business transaction) and webhook deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, BigId

DELIVERY_STATES = ("pending", "delivered", "failed")


class Webhook(Base):
    """An integrator's endpoint; `secret` signs every delivery (HMAC-SHA256)."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(128))
    # None: every event type.
    event_types: Mapped[list[str] | None] = mapped_column(JSON)
    description: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]


class OutboxEvent(Base):
    """Something integrators hear about; `dedupe_key` makes each condition fire once."""

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    dossier_code: Mapped[str | None] = mapped_column(String(64), index=True)
    # For deadline events, the appointment the condition was about: the scanner skips
    # dossiers whose current appointment already has its event, in SQL.
    due_at: Mapped[datetime | None]
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class WebhookDelivery(Base):
    """One event for one webhook; the sender claims it when `next_attempt_at` has come."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_events.id", ondelete="CASCADE"),
                                          index=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"),
                                            index=True)
    state: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(default=0)
    # While an attempt is in flight this is the lease's end: a sender that dies mid-request
    # leaves the row due again once the lease runs out, so nothing is lost.
    next_attempt_at: Mapped[datetime]
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint(f"state IN {DELIVERY_STATES!r}", name="state"),
        Index("ix_webhook_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
    )
