"""Online pre-receipt (kiểm tra, tiếp nhận hồ sơ trực tuyến), pure: the check's deadline, the
officer's decision and its reason codes, and which submissions are about to miss the check.

A submission filed online is not a dossier yet: an officer checks it, and only an accepted one
is received (its dossier code and legal clock start at the acceptance). A submission not
accepted never becomes a dossier and is in no received total.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal, get_args

from app.core.problems import Conflict, InvalidParam, Unprocessable
from app.dossiers.rules import check_not_future
from app.worktime.rules import WorkCalendar, add_working_time, working_time_between

Status = Literal["waiting", "accepted", "not_accepted"]
STATUSES: tuple[Status, ...] = get_args(Status)
Decision = Literal["accepted", "not_accepted"]
# What may follow what: a decision is taken once, on a waiting submission.
TRANSITIONS: dict[str, frozenset[str]] = {
    "waiting": frozenset({"accepted", "not_accepted"}),
    "accepted": frozenset(),
    "not_accepted": frozenset(),
}

NotAcceptedReason = Literal["incomplete", "wrong_procedure", "not_competent",
                            "invalid_documents", "other"]
REASON_LABELS: dict[str, str] = {
    "incomplete": "Hồ sơ chưa đầy đủ thành phần theo quy định",
    "wrong_procedure": "Nộp không đúng thủ tục hành chính",
    "not_competent": "Không thuộc thẩm quyền giải quyết của cơ quan tiếp nhận",
    "invalid_documents": "Giấy tờ trong hồ sơ không hợp lệ",
    "other": "Lý do khác",
}
"""The reasons for not accepting a submission (the codes of NotAcceptedReason), each with the
label a citizen reads."""

def check_due(cal: WorkCalendar, submitted_at: datetime, hours: int) -> datetime:
    """When the check is due: `hours` of working time on the receiving unit's calendar after
    the submission (one filed outside working hours starts counting at the next opening)."""
    return add_working_time(cal, submitted_at, timedelta(hours=hours))


def label(reason_code: str | None) -> str | None:
    """The Vietnamese label of a stored reason code."""
    return None if reason_code is None else REASON_LABELS[reason_code]


def decide(status: str, decision: Decision, at: datetime, submitted_at: datetime,
           now: datetime, skew: timedelta) -> Decision:
    """The status a decision taken at `at` gives: 409 once decided, 422 for a time before
    the submission or in the future; nothing is changed by a refusal."""
    if decision not in TRANSITIONS.get(status, frozenset()):
        raise Conflict(f"The submission is already {status.replace('_', ' ')}; a decision is "
                       "taken once.", code="submission_decided")
    if at < submitted_at:
        raise Unprocessable(
            "at is before the submission.", code="decided_before_submission",
            invalid_params=[InvalidParam("at", "before_submission",
                                         "must not be before submitted_at")])
    check_not_future(at, now, skew, "at", "decided_in_future")
    return decision


def checked_late(at: datetime, check_due_at: datetime) -> bool:
    """A decision taken after the check's deadline (kiểm tra quá hạn)."""
    return at > check_due_at


def overdue(status: str, check_due_at: datetime, now: datetime) -> bool:
    """Still waiting with the check's deadline passed."""
    return status == "waiting" and now > check_due_at


def about_to_miss(status: str, check_due_at: datetime, now: datetime, cal: WorkCalendar,
                  within_hours: int) -> bool:
    """Still waiting, not yet overdue, and due within `within_hours` working hours from now
    on the receiving unit's calendar."""
    if status != "waiting" or overdue(status, check_due_at, now):
        return False
    return working_time_between(cal, now, check_due_at) <= timedelta(hours=within_hours)
