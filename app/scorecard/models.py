"""The scorecard's weights: one row per indicator of each version, as data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base

POINTS = Numeric(6, 2)


class ScorecardWeight(Base):
    """An indicator's full marks, threshold and group in one version of the weights, with the
    text it comes from. A new version (a later effective date) amends the table; rows of a
    version are never changed once periods were scored with it."""

    __tablename__ = "scorecard_weights"

    version: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(8), primary_key=True)
    # The same for every row of a version: the version is in force from this day on.
    effective_from: Mapped[date]
    group_code: Mapped[int] = mapped_column(SmallInteger)
    group_name: Mapped[str] = mapped_column(String(200))
    group_max_points: Mapped[Decimal] = mapped_column(POINTS)
    name: Mapped[str] = mapped_column(String(300))
    max_points: Mapped[Decimal] = mapped_column(POINTS)
    # The rate (percent) at which the indicator gets full marks; None: informational only.
    threshold: Mapped[Decimal | None] = mapped_column(POINTS)
    measure: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(500))

    __table_args__ = (
        CheckConstraint("version > 0", name="positive_version"),
        CheckConstraint("measure IN ('percent', 'working_days')", name="measure"),
        CheckConstraint("max_points >= 0", name="points_not_negative"),
    )
