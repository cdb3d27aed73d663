"""A golden data set: eleven dossiers at two communes in March and April 2026, with the figures
worked out by hand from docs/figures.md (5 working days: received Monday 2 March 09:00, due
Monday 9 March 09:00)."""

from __future__ import annotations

from typing import Any

from tests.factories import COMMUNE as C
from tests.factories import OTHER_COMMUNE as O
from tests.factories import PROVINCE

# (name, unit, channel, received at, [(event, at, extra fields)])
DOSSIERS: list[tuple[str, str, str, str, list[tuple[str, str, dict[str, Any]]]]] = [
    ("early", C, "direct", "2026-03-02 09:00", [("resolved", "2026-03-04 10:00", {})]),
    ("on_time", C, "direct", "2026-03-02 09:00", [("resolved", "2026-03-09 08:30", {})]),
    ("late", C, "direct", "2026-03-02 09:00", [("resolved", "2026-03-12 10:00", {})]),
    ("withdrawn", C, "direct", "2026-03-03 09:00", [("withdrawn", "2026-03-04 09:00", {})]),
    # carried into April, resolved there before its appointment (6 April)
    ("carried", C, "online", "2026-03-30 09:00", [("resolved", "2026-04-02 10:00", {})]),
    # due 7 April, never resolved: within the deadline at the end of March, overdue in April
    ("open", C, "online", "2026-03-31 09:00", []),
    # stopped after its appointment (12 March): ended, but not by the appointment
    ("stopped", O, "direct", "2026-03-05 09:00", [
        ("processing_started", "2026-03-05 10:00", {}),
        ("stopped", "2026-03-20 09:00", {"reason": "Không đủ điều kiện"})]),
    # two supplement requests: resolved early, yet never in the progress indicator
    ("twice", O, "direct", "2026-03-10 09:00", [
        ("supplement_requested", "2026-03-11 09:00", {"reason": "Thiếu giấy tờ"}),
        ("supplement_received", "2026-03-11 15:00", {}),
        ("supplement_requested", "2026-03-12 09:00", {"reason": "Thiếu bản sao"}),
        ("supplement_received", "2026-03-12 15:00", {}),
        ("resolved", "2026-03-13 10:00", {})]),
    # handed to the other commune on 20 March, overdue there from 23 March, handed back on
    # 1 April and resolved late: pending at O at the end of March, whatever happened later
    ("handed", C, "direct", "2026-03-16 09:00", [
        ("transferred", "2026-03-20 09:00", {"to_unit": O}),
        ("transferred", "2026-04-01 09:00", {"to_unit": C}),
        ("resolved", "2026-04-02 10:00", {})]),
    # refused before any processing step: never received, counted apart
    ("refused_at_receipt", C, "direct", "2026-04-06 09:00", [
        ("refused", "2026-04-07 09:00", {"reason": "Không thuộc thẩm quyền"})]),
    # refused after appraisal, before its appointment (13 April): received, ended by then
    ("refused_after_appraisal", C, "direct", "2026-04-06 09:00", [
        ("processing_started", "2026-04-06 10:00", {}),
        ("refused", "2026-04-08 09:00", {"reason": "Không đủ điều kiện"})]),
]

# (unit, period) -> the fields of /stats/on-time that the hand calculation fixes
EXPECTED: dict[tuple[str, str], dict[str, Any]] = {
    (C, "2026-03"): {
        "received": {"total": 7, "carried_over": 0, "new": 7, "transferred_in": 0, "online": 2,
                     "direct": 5, "postal": 0},
        "resolved": {"total": 3, "early": 1, "on_time": 1, "late": 1},
        "ended_otherwise": {"refused": 0, "withdrawn": 1, "stopped": 0},
        "refused_at_receipt": 0,
        "transferred_out": 1,
        "pending": {"total": 2, "within_deadline": 2, "overdue": 0},
        # shares of the 6 kept (7 received - 1 handed on); progress: (early + on time +
        # withdrawn before its appointment + 2 within) / 6
        "rates": {"on_time": 66.67, "late": 33.33, "resolved": 50.0, "pending": 33.33,
                  "national_progress": 83.33, "online": 28.57},
    },
    (C, "2026-04"): {
        "received": {"total": 4, "carried_over": 2, "new": 1, "transferred_in": 1, "online": 0,
                     "direct": 1, "postal": 0},
        "resolved": {"total": 2, "early": 1, "on_time": 0, "late": 1},
        "ended_otherwise": {"refused": 1, "withdrawn": 0, "stopped": 0},
        "refused_at_receipt": 1,
        "transferred_out": 0,
        "pending": {"total": 1, "within_deadline": 0, "overdue": 1},
        # progress: (early + refused after appraisal before its appointment) / 4
        "rates": {"on_time": 50.0, "late": 50.0, "resolved": 50.0, "pending": 25.0,
                  "national_progress": 50.0, "online": 0.0},
    },
    (O, "2026-03"): {
        "received": {"total": 3, "carried_over": 0, "new": 2, "transferred_in": 1, "online": 0,
                     "direct": 2, "postal": 0},
        "resolved": {"total": 1, "early": 1, "on_time": 0, "late": 0},
        "ended_otherwise": {"refused": 0, "withdrawn": 0, "stopped": 1},
        "transferred_out": 0,
        "pending": {"total": 1, "within_deadline": 0, "overdue": 1},
        "rates": {"on_time": 100.0, "resolved": 33.33, "national_progress": 0.0},
        "supplements": {"requested": 2, "dossiers_with_more_than_one": 1},
    },
    (O, "2026-04"): {
        "received": {"total": 1, "carried_over": 1, "new": 0, "transferred_in": 0},
        "transferred_out": 1,
        "pending": {"total": 0, "within_deadline": 0, "overdue": 0},
        "rates": {"resolved": None, "pending": None, "national_progress": None},
    },
    (PROVINCE, "2026-Q1"): {
        "received": {"total": 9, "carried_over": 0, "new": 9, "transferred_in": 0, "online": 2,
                     "direct": 7, "postal": 0},
        "resolved": {"total": 4, "early": 2, "on_time": 1, "late": 1},
        "ended_otherwise": {"refused": 0, "withdrawn": 1, "stopped": 1},
        "transferred_out": 0,  # a transfer between two of its communes is none of its own
        "pending": {"total": 3, "within_deadline": 2, "overdue": 1},
        "rates": {"on_time": 75.0, "late": 25.0, "resolved": 44.44, "pending": 33.33,
                  "national_progress": 55.56},
    },
    (PROVINCE, "2026-Q2"): {
        "received": {"total": 4, "carried_over": 3, "new": 1, "online": 0, "direct": 1,
                     "postal": 0},
        "resolved": {"total": 2, "early": 1, "on_time": 0, "late": 1},
        "ended_otherwise": {"refused": 1, "withdrawn": 0, "stopped": 0},
        "pending": {"total": 1, "within_deadline": 0, "overdue": 1},
        "refused_at_receipt": 1,
        "rates": {"national_progress": 50.0},
    },
}
