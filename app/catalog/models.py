"""Units (đơn vị) and procedures (thủ tục hành chính)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class Unit(Base):
    """A node of the administrative tree, addressed by its code (mã định danh)."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("units.code", ondelete="RESTRICT"), index=True
    )
    # Materialised path of codes, "/root/child/", so a subtree is one prefix scan.
    path: Mapped[str] = mapped_column(String(1024), index=True)
    province_code: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    merged_into_code: Mapped[str | None] = mapped_column(
        ForeignKey("units.code", ondelete="RESTRICT"), index=True
    )
    # {"sessions": [["08:00", "12:00"], ...], "weekdays": [0, 1, 2, 3, 4]}; None inherits.
    working_hours: Mapped[dict[str, Any] | None]

    __table_args__ = (
        CheckConstraint("level IN ('province', 'district', 'commune', 'agency')", name="level"),
    )


class Procedure(Base):
    """An administrative procedure with its legal processing time."""

    __tablename__ = "procedures"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    field_code: Mapped[str] = mapped_column(String(40))
    field_name: Mapped[str] = mapped_column(String(255))
    online: Mapped[bool] = mapped_column(default=True)
    postal: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (Index("ix_procedures_field_code", "field_code"),)


class ProcedureVersion(Base):
    """The procedure's processing rules in force from a date until the next version's date."""

    __tablename__ = "procedure_versions"

    procedure_code: Mapped[str] = mapped_column(
        ForeignKey("procedures.code", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(primary_key=True)
    # None: in force since the procedure exists (every procedure's version 1).
    effective_from: Mapped[date | None]
    # One kind and its amount, as the API writes it: {"working_days": 5}, {"same_day": {...}}.
    processing_time: Mapped[dict[str, Any]]
    # A different time for online dossiers; None keeps processing_time for them too.
    online_processing_time: Mapped[dict[str, Any] | None]
    # The internal process dividing the legal time (liên thông), as the API writes it:
    # [{"name": ..., "unit": ..., "role": ..., "working_days": 1.5}, ...]; [] has no steps.
    # A version's steps never change: a dossier keeps those of the version it was received under.
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    __table_args__ = (CheckConstraint("version > 0", name="positive_version"),)

    def time_for(self, channel: str) -> dict[str, Any]:
        """The processing time a dossier filed through `channel` gets."""
        if channel == "online" and self.online_processing_time is not None:
            return self.online_processing_time
        return self.processing_time
