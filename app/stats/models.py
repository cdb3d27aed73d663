"""Incremental aggregates: daily and monthly sums of each dossier's statistic cells.

Plain Core tables (not ORM classes): they are only ever upserted and summed. One row per
(unit, procedure or "*", day or month, role); a unit's rows cover its whole subtree. The
monthly tables repeat the daily ones summed by month, so a period reads whole months from
them and only the days of partial months from the daily tables.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Integer, SmallInteger, String, Table

from app.core.db import Base
from app.stats.rules import FLOWS, RUNNING


def _key() -> list[Column[object]]:
    return [
        Column("unit", String(40), primary_key=True),
        Column("procedure", String(40), primary_key=True),
    ]


stat_day = Table(
    "stat_day", Base.metadata,
    *_key(),
    Column("day", Date, primary_key=True),
    Column("role", String(1), primary_key=True),
    *[Column(m, BigInteger if m == "processing_millidays" else Integer, nullable=False,
             default=0) for m in FLOWS + RUNNING],
)

stat_month = Table(
    "stat_month", Base.metadata,
    *_key(),
    Column("month", Date, primary_key=True),
    Column("role", String(1), primary_key=True),
    *[Column(m, BigInteger if m == "processing_millidays" else Integer, nullable=False,
             default=0) for m in FLOWS + RUNNING],
)

stat_histogram = Table(
    "stat_histogram", Base.metadata,
    *_key(),
    Column("day", Date, primary_key=True),
    Column("role", String(1), primary_key=True),
    Column("bucket", SmallInteger, primary_key=True),
    Column("count", Integer, nullable=False, default=0),
)

stat_histogram_month = Table(
    "stat_histogram_month", Base.metadata,
    *_key(),
    Column("month", Date, primary_key=True),
    Column("role", String(1), primary_key=True),
    Column("bucket", SmallInteger, primary_key=True),
    Column("count", Integer, nullable=False, default=0),
)
