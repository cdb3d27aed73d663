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


class CacheStamp(Base):
    """A random token replaced whenever what a process-wide cache holds may have changed.

    Each process caches working calendars across transactions; every change to their inputs
    (calendar overrides, units' working hours, the unit tree) writes a new token in the same
    transaction, so the next transaction that reads the token builds afresh. Random, not a
    counter: a database emptied and refilled must not repeat an old version.
    """

    __tablename__ = "cache_stamps"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))
