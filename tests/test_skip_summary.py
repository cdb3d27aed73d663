"""The run's last line says what was skipped and why."""

from __future__ import annotations

import pytest

from tests.conftest import skip_reasons


def _skipped(reason: str) -> pytest.TestReport:
    return pytest.TestReport("t.py::x", ("t.py", 1, "x"), {}, "skipped",
                             ("t.py", 1, f"Skipped: {reason}"), "setup")


def test_reasons_are_counted_most_frequent_first() -> None:
    reports = [_skipped("needs PostgreSQL"), _skipped("needs chromium"),
               _skipped("needs chromium")]
    assert skip_reasons(reports) == "2 x needs chromium; 1 x needs PostgreSQL"
