"""Postal rules without a database: the row's states."""

from __future__ import annotations

import pytest

from app.postal.rules import state_after, step_name


def test_returned_splits_by_method() -> None:
    assert step_name("returned", "postal") == "returned_by_post"
    assert step_name("returned", "counter") == "returned_at_counter"
    assert step_name("delivered", None) == "delivered"


@pytest.mark.parametrize(("current", "step", "status", "expected"), [
    (None, "return_by_post_requested", "processing", "requested"),
    (None, "return_by_post_requested", "resolved", "ready"),
    ("failed", "return_by_post_requested", "resolved", "ready"),
    ("requested", "resolved", "resolved", "ready"),
    ("ready", "returned_by_post", "returned", "handed_over"),
    (None, "returned_by_post", "returned", "handed_over"),
    ("ready", "returned_at_counter", "returned", "collected"),
    ("handed_over", "delivered", "returned", "delivered"),
    ("handed_over", "delivery_failed", "resolved", "failed"),
    (None, "resolved", "resolved", None),
    (None, "returned_at_counter", "returned", None),
    ("delivered", "delivered", "returned", None),
    ("requested", "transferred", "processing", None),
])
def test_state_after(current: str | None, step: str, status: str, expected: str | None) -> None:
    assert state_after(current, step, status) == expected
