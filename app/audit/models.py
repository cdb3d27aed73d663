"""The audit trail: append-only, one row per change, with old and new values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, BigId


class AuditEntry(Base):
    """Who changed what, when, through which key, from what to what."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime]
    key_id: Mapped[int | None]
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80))
    old: Mapped[dict[str, Any] | None]
    new: Mapped[dict[str, Any] | None]

    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)
