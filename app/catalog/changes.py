"""What the catalogue publishes when it changes units, for the capabilities built on them.

The catalogue sits below the calendars and the statistics, so it does not call them; it
publishes these values (app/core/changes.py) and they subscribe. Plain frozen values: no
session, no ORM row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class UnitsChanged:
    """Units were created, changed or deleted: what is built from the unit tree or the units'
    working hours (the working calendars) is stale from this transaction on."""

    codes: frozenset[str]


@dataclass(frozen=True)
class UnitsMoved:
    """Units changed place in the tree: each one's materialised path before and after the
    move. A moved unit takes its subtree along, so every descendant is listed too."""

    paths_before: Mapping[str, str]
    paths_after: Mapping[str, str]


# Every change the catalogue publishes; the process's wiring must handle each of them.
PUBLISHED: tuple[type[object], ...] = (UnitsChanged, UnitsMoved)
