"""Which procedure version is in force (pure functions, no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol, TypeVar


class Dated(Protocol):
    """A version with its number and its first day in force (None: since always)."""

    @property
    def version(self) -> int: ...

    @property
    def effective_from(self) -> date | None: ...


V = TypeVar("V", bound=Dated)


def in_force(versions: Sequence[V], day: date) -> V:
    """The version in force on `day`: the latest whose effective date is not after it.

    Version 1 has no date, so some version is always in force.
    """
    ordered = sorted(versions, key=lambda v: v.version)
    chosen = ordered[0]
    for v in ordered[1:]:
        if v.effective_from is not None and v.effective_from <= day:
            chosen = v
    return chosen


def overlaps(versions: Sequence[Dated], effective_from: date) -> bool:
    """True if a new version from `effective_from` would not start after every existing one.

    Each version is in force from its date until the next one's, so a new version must come
    strictly after the latest; an earlier or equal date would overlap a version's span.
    """
    return any(v.effective_from is not None and v.effective_from >= effective_from
               for v in versions)
