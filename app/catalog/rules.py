"""Catalogue rules as pure functions: a unit's validity period."""

from __future__ import annotations

from datetime import date

from app.core.problems import InvalidParam, Unprocessable


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
