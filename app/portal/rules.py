"""The national portal's (DVCQG) view of a dossier: status codes, payloads, acknowledgements.

Pure: the worker hands in the dossier as plain data and gets the portal's JSON back. The
mapping is documented in docs/portal-sync.md; change both together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.core.clock import VN_TZ

# The portal's status codes (TrangThaiHoSo / TrangThai).
RECEIVED, NOT_RECEIVED, PROCESSING, SUPPLEMENT, FINANCIAL = "2", "3", "4", "5", "6"
WITHDRAWN, STOPPED, RESOLVED, RETURNED = "7", "8", "9", "10"

# Our dossier status -> the portal's code. "refused" is decided by the timeline (at receipt
# or after appraisal), see `status_code`. A dossier waiting for its financial obligations
# (nghĩa vụ tài chính) is the portal's 6, apart from a supplement request's 5.
STATUS_CODES: dict[str, str] = {
    "received": RECEIVED,
    "processing": PROCESSING,
    "awaiting_supplement": SUPPLEMENT,
    "awaiting_financial_obligation": FINANCIAL,
    "withdrawn": WITHDRAWN,
    "stopped": STOPPED,
    "resolved": RESOLVED,
    "returned": RETURNED,
}

# Each event of the timeline -> the portal's code after it and what the progress step says.
# None keeps the code the dossier had (overlays: apology, post requested, delivery).
EVENT_STEPS: dict[str, tuple[str | None, str]] = {
    "received": (RECEIVED, "Tiếp nhận hồ sơ"),
    "processing_started": (PROCESSING, "Chuyển xử lý hồ sơ"),
    "transferred": (PROCESSING, "Chuyển xử lý liên thông"),
    "step_completed": (PROCESSING, "Chuyển bước xử lý"),
    "supplement_requested": (SUPPLEMENT, "Yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "supplement_received": (PROCESSING, "Tiếp nhận hồ sơ bổ sung"),
    "financial_obligation_requested": (FINANCIAL, "Yêu cầu thực hiện nghĩa vụ tài chính"),
    "financial_obligation_fulfilled": (PROCESSING, "Hoàn thành nghĩa vụ tài chính"),
    "resolved": (RESOLVED, "Đã xử lý xong"),
    "refused": (STOPPED, "Từ chối giải quyết hồ sơ"),
    "stopped": (STOPPED, "Dừng xử lý hồ sơ"),
    "withdrawn": (WITHDRAWN, "Công dân rút hồ sơ"),
    "apology_issued": (None, "Xin lỗi và hẹn lại ngày trả kết quả"),
    "return_by_post_requested": (None, "Đăng ký trả kết quả qua bưu chính"),
    "returned": (RETURNED, "Trả kết quả"),
    "delivered": (None, "Bưu chính đã phát kết quả"),
    # Not a lifecycle step: the appointment recomputed after a change of the working calendar.
    "due_changed": (None, "Điều chỉnh ngày hẹn trả theo lịch làm việc"),
    "delivery_failed": (RESOLVED, "Bưu chính phát không thành công, kết quả về bộ phận một cửa"),
}
REFUSED_AT_RECEIPT_TEXT = "Từ chối tiếp nhận hồ sơ"
APPLICANT_KINDS = {"person": "1", "organisation": "2"}
SUMMARY_MAX = 1000


@dataclass(frozen=True)
class TimelineEvent:
    """One event as the portal needs it: its id (the sync version), type, time and units."""

    id: int
    type: str
    at: datetime
    unit_code: str
    unit_name: str
    to_unit_name: str | None = None


@dataclass(frozen=True)
class PortalDossier:
    """The dossier's columns the portal receives, already joined with its procedure."""

    code: str
    status: str
    procedure_code: str
    procedure_name: str
    field_code: str
    field_name: str
    applicant_kind: str
    applicant_name: str
    applicant_phone: str | None
    handling_unit_name: str
    received_at: datetime
    due_at: datetime
    rescheduled_due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    by_post: bool


def portal_date(at: datetime | None) -> str:
    """`yyyyMMddHHmmss` in Vietnamese time; no date is the empty string."""
    return "" if at is None else at.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S")


def refused_at_receipt(types: Sequence[str]) -> bool:
    """A refusal with nothing but the receipt (and overlays) before it: never accepted."""
    if "refused" not in types:
        return False
    before = types[:types.index("refused")]
    return all(EVENT_STEPS.get(t, (None, ""))[0] in (None, RECEIVED) for t in before)


def status_code(status: str, types: Sequence[str]) -> str:
    """The portal's code for our status; "refused" is 3 at receipt, 8 after appraisal."""
    if status == "refused":
        return NOT_RECEIVED if refused_at_receipt(types) else STOPPED
    return STATUS_CODES[status]


def steps(code: str, timeline: Sequence[TimelineEvent]) -> list[dict[str, str]]:
    """The progress steps (CapNhatTienDoHoSoMC data), one per event, in order."""
    types = [e.type for e in timeline]
    at_receipt = refused_at_receipt(types)
    current, out = RECEIVED, []
    for event in timeline:
        target, text = EVENT_STEPS.get(event.type, (None, event.type))
        if event.type == "refused" and at_receipt:
            target, text = NOT_RECEIVED, REFUSED_AT_RECEIPT_TEXT
        current = target or current
        department = event.unit_name
        if event.type == "transferred" and event.to_unit_name:
            # The portal has no code for a handoff: processing goes on, at the new agency.
            text, department = f"{text} đến {event.to_unit_name}", event.to_unit_name
        out.append({"MaHoSo": code, "NguoiXuLy": event.unit_name, "ChucDanh": "",
                    "ThoiDiemXuLy": portal_date(event.at), "PhongBanXuLy": department,
                    "NoiDungXuLy": text, "TrangThai": current,
                    "NgayBatDau": portal_date(event.at), "NgayKetThucTheoQuyDinh": ""})
    return out


def dossier_payload(d: PortalDossier, timeline: Sequence[TimelineEvent], updating: bool
                    ) -> dict[str, Any]:
    """The DongBoHoSoMC body's `isUpdating` and `data` (one dossier); every value a string."""
    item = {
        "MaHoSo": d.code,
        "MaTTHC": d.procedure_code,
        "TenTTHC": d.procedure_name,
        "MaLinhVuc": d.field_code,
        "TenLinhVuc": d.field_name,
        "LoaiDoiTuong": APPLICANT_KINDS.get(d.applicant_kind, "1"),
        # Personal data: the applicant's name and phone only (no id number, no address).
        "ChuHoSo": d.applicant_name,
        "SoDienThoai": d.applicant_phone or "",
        "TrichYeuHoSo": d.procedure_name[:SUMMARY_MAX],
        "DonViXuLy": d.handling_unit_name,
        "NgayTiepNhan": portal_date(d.received_at),
        "NgayHenTra": portal_date(d.rescheduled_due_at or d.due_at),
        "NgayTra": portal_date(d.returned_at),
        "NgayKetThucXuLy": portal_date(d.finished_at),
        "TrangThaiHoSo": status_code(d.status, [e.type for e in timeline]),
        "HinhThuc": "1" if d.by_post else "0",
    }
    return {"isUpdating": "True" if updating else "False", "data": [item]}


def acknowledged(reply: Mapping[str, Any] | None) -> bool:
    """The portal accepted a call: `error_code` 0, sent as a number or a string."""
    if not reply:
        return False
    code = reply.get("error_code")
    return code is not None and not isinstance(code, bool) and str(code).strip() == "0"


@dataclass(frozen=True)
class DayCount:
    """One unit and day: the dossiers we received and those the portal acknowledged."""

    unit: str
    day: date
    received: frozenset[str]
    acknowledged: frozenset[str]

    @property
    def missing(self) -> list[str]:
        """Received here, not (or not up to date) at the portal."""
        return sorted(self.received - self.acknowledged)


def differences(days: Iterable[DayCount]) -> list[DayCount]:
    """The unit-days whose counts do not agree."""
    return [d for d in days if d.received != d.acknowledged]


def share(numerator: int, denominator: int) -> float | None:
    """A rate in percent with two decimals, None over nothing."""
    return None if denominator == 0 else round(100 * numerator / denominator, 2)
