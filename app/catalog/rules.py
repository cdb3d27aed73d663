"""Catalogue rules as pure functions: the procedure version in force, a unit's validity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol, TypeVar

from app.core.problems import InvalidParam, Unprocessable


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


def valid_on(valid_from: date | None, valid_to: date | None, day: date) -> bool:
    """Whether a unit exists on a (Vietnamese) day: both bounds inclusive, None is open."""
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


def check_valid(code: str, valid_from: date | None, valid_to: date | None, day: date,
                field: str) -> None:
    """Refuse a receipt or transfer at a unit on a day outside its validity period."""
    if valid_on(valid_from, valid_to, day):
        return
    span = f"{valid_from or '…'} to {valid_to or '…'}"
    reason = f"unit '{code}' is valid from {span}, not on {day}"
    raise Unprocessable(f"Unit '{code}' does not exist on {day}: it is valid from {span}.",
                        code="unit_not_valid",
                        invalid_params=[InvalidParam(field, "unit_not_valid", reason)])
