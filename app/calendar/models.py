"""Calendar overrides: a day declared off, or a day declared a working day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base

NATIONAL = "*"


class CalendarOverride(Base):
    """One day's override, national (scope "*") or for a unit code and its subtree."""

    __tablename__ = "calendar_overrides"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    working: Mapped[bool]
    note: Mapped[str] = mapped_column(String(255), default="")
