"""Postal rules without a database: the row's states."""

from __future__ import annotations

import pytest

from app.postal.rules import accepts_handover, state_after, step_name


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


@pytest.mark.parametrize(("state", "waybill", "presented", "expected"), [
    ("ready", None, "W1", True),  # in the feed: the first report of a handover
    ("handed_over", "W1", "W1", True),  # a retry of the same report
    ("handed_over", "W1", "W2", False),  # another waybill for a result already handed over
    ("requested", None, "W1", False),  # the result is not ready yet
    ("collected", None, "W1", False),  # collected at the counter after all
    ("failed", "W1", "W2", False),  # back after a failed delivery, not asked for again
    (None, None, "W1", False),  # never asked for return by post
])
def test_only_a_result_in_the_feed_or_a_retry_may_be_handed_over(
        state: str | None, waybill: str | None, presented: str, expected: bool) -> None:
    assert accepts_handover(state, waybill, presented) is expected
