"""Outbox rules without a database: signatures, the retry schedule, deadline conditions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.core.clock import VN_TZ
from app.notifications.rules import deadline, hears, retry_delay, signature
from app.worktime.rules import WorkingHours, build_calendar

CAL = build_calendar(WorkingHours(), [2026], {})
DUE = datetime(2026, 3, 6, 17, 0, tzinfo=VN_TZ)  # a Friday's closing


def test_signature_is_hmac_sha256_over_timestamp_and_body() -> None:
    # HMAC-SHA256("k", "1700000000.{}"), computed independently with openssl.
    assert signature("k", 1_700_000_000, b"{}") == (
        "sha256=c6ef4734033cee2367414a0939385eca0397754aa7a59716da7463a9298b5146")
    assert signature("k", 1, b"x") != signature("k", 2, b"x")
    assert signature("k", 1, b"x") != signature("j", 1, b"x")


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    base, cap = timedelta(seconds=30), timedelta(hours=1)
    assert [retry_delay(n, base, cap).total_seconds() for n in (0, 1, 2, 3, 7, 8, 50)] == [
        30, 30, 60, 120, 1920, 3600, 3600]
    assert retry_delay(10**6, base, timedelta(days=400)) == timedelta(days=400)


@pytest.mark.parametrize(("now", "expected"), [
    (DUE + timedelta(seconds=1), "overdue"),
    (DUE, "due_soon"),  # at the appointment itself it is not yet late
    (datetime(2026, 3, 5, 17, 0, tzinfo=VN_TZ), "due_soon"),  # exactly one working day left
    (datetime(2026, 3, 5, 16, 59, tzinfo=VN_TZ), None),  # a minute more than one day
    (datetime(2026, 3, 2, 8, 0, tzinfo=VN_TZ), None),
])
def test_an_open_running_dossier_is_overdue_or_due_within_n_working_days(
        now: datetime, expected: str | None) -> None:
    assert deadline(True, False, DUE, now, CAL, 1) == expected


def test_closed_or_paused_dossiers_have_no_deadline_condition() -> None:
    late = DUE + timedelta(days=3)
    assert deadline(False, False, DUE, late, CAL, 1) is None
    assert deadline(True, True, DUE, late, CAL, 1) is None
    assert deadline(True, False, DUE, datetime(2026, 3, 2, 8, 0, tzinfo=VN_TZ), CAL, 5) == (
        "due_soon")


def test_citizen_notices_go_only_to_a_webhook_that_names_them() -> None:
    assert hears(None, "postal.return_ready") and hears(["dossier.overdue"], "dossier.overdue")
    assert not hears(["dossier.overdue"], "postal.return_ready")
    assert not hears(None, "citizen.notice")  # personal data: never by default
    assert hears(["citizen.notice"], "citizen.notice")
