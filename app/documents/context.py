"""Plain data for the one-stop-shop forms (Thông tư 01/2018/TT-VPCP, 03/2025/TT-VPCP)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TypeAlias

DocumentKind = Literal["receipt", "supplement", "refusal", "apology", "stop", "control_sheet"]
ReturnMethod = Literal["counter", "postal"]
StepResult = Literal["early", "on_time", "late"]

RETURN_METHODS: frozenset[str] = frozenset({"counter", "postal"})
STEP_RESULTS: frozenset[str] = frozenset({"early", "on_time", "late"})


def _require_aware(obj: object, *names: str) -> None:
    """Reject naive datetimes: astimezone() would silently read them as server-local time."""
    for name in names:
        value = getattr(obj, name)
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError(f"{type(obj).__name__}.{name} must be timezone-aware")


def _freeze(obj: object, name: str) -> None:
    """Store a sequence field as a tuple so a frozen context cannot change under a render."""
    object.__setattr__(obj, name, tuple(getattr(obj, name)))


@dataclass(frozen=True)
class Applicant:
    """The person or organisation that lodged the dossier (người nộp hồ sơ)."""

    name: str
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class ReceiptContext:
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu số 01)."""

    dossier_code: str
    unit_name: str
    procedure_name: str
    applicant: Applicant
    documents_received: Sequence[str]
    processing_time: str
    received_at: datetime
    appointment_at: datetime
    return_method: ReturnMethod = "counter"
    # For "counter": the counter's address; for "postal": where the result is mailed
    # (the applicant's address when None).
    return_address: str | None = None
    officer_name: str | None = None
    place: str | None = field(default=None, kw_only=True)
    parent_unit_name: str | None = field(default=None, kw_only=True)
    issuer_name: str | None = field(default=None, kw_only=True)
    # The public lookup's code (mã tra cứu), as printed: `7K2QX-M9D4R`.
    lookup_secret: str | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        """Validate and freeze the fields."""
        _require_aware(self, "received_at", "appointment_at")
        if self.return_method not in RETURN_METHODS:
            raise ValueError(f"unknown return_method {self.return_method!r}")
        _freeze(self, "documents_received")


@dataclass(frozen=True)
class SupplementContext:
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu số 02)."""

    dossier_code: str
    unit_name: str
    procedure_name: str
    applicant: Applicant
    reason: str
    documents_requested: Sequence[str]
    requested_at: datetime
    officer_name: str | None = None
    place: str | None = field(default=None, kw_only=True)
    parent_unit_name: str | None = field(default=None, kw_only=True)
    issuer_name: str | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        """Validate and freeze the fields."""
        _require_aware(self, "requested_at")
        _freeze(self, "documents_requested")


@dataclass(frozen=True)
class RefusalContext:
    """Phiếu từ chối tiếp nhận, giải quyết hồ sơ (Mẫu số 03)."""

    dossier_code: str
    unit_name: str
    procedure_name: str
    applicant: Applicant
    reason: str
    refused_at: datetime
    officer_name: str | None = None
    place: str | None = field(default=None, kw_only=True)
    parent_unit_name: str | None = field(default=None, kw_only=True)
    issuer_name: str | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        """Validate the fields."""
        _require_aware(self, "refused_at")


@dataclass(frozen=True)
class ApologyContext:
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu số 04); unit_name is the issuing unit."""

    dossier_code: str
    unit_name: str
    procedure_name: str
    applicant: Applicant
    received_at: datetime
    original_appointment_at: datetime
    reason: str
    new_appointment_at: datetime
    issued_at: datetime
    signer_name: str | None = None
    place: str | None = field(default=None, kw_only=True)
    parent_unit_name: str | None = field(default=None, kw_only=True)
    issuer_name: str | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        """Validate the fields."""
        _require_aware(
            self, "received_at", "original_appointment_at", "new_appointment_at", "issued_at"
        )


@dataclass(frozen=True)
class StopContext:
    """Thông báo dừng giải quyết hồ sơ (Mẫu số 05 of Thông tư 03/2025/TT-VPCP); unit_name is
    the deciding unit, which stops the dossier."""

    dossier_code: str
    unit_name: str
    procedure_name: str
    applicant: Applicant
    received_at: datetime
    reason: str
    stopped_at: datetime
    signer_name: str | None = None
    place: str | None = field(default=None, kw_only=True)
    parent_unit_name: str | None = field(default=None, kw_only=True)
    issuer_name: str | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        """Validate the fields."""
        _require_aware(self, "received_at", "stopped_at")


@dataclass(frozen=True)
class ControlSheetRow:
    """One handoff of the dossier between units or steps."""

    step_name: str
    from_unit: str
    to_unit: str
    handed_over_at: datetime
    step_deadline: datetime | None = None
    finished_at: datetime | None = None
    result: StepResult | None = None

    def __post_init__(self) -> None:
        """Validate the fields."""
        _require_aware(self, "handed_over_at", "step_deadline", "finished_at")
        if self.result is not None and self.result not in STEP_RESULTS:
            raise ValueError(f"unknown result {self.result!r}")


@dataclass(frozen=True)
class ControlSheetContext:
    """Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu số 05, then 06 from Thông tư 03/2025)."""

    dossier_code: str
    unit_name: str
    procedure_name: str
    applicant: Applicant
    received_at: datetime
    appointment_at: datetime
    rows: Sequence[ControlSheetRow] = ()
    place: str | None = field(default=None, kw_only=True)
    parent_unit_name: str | None = field(default=None, kw_only=True)
    issuer_name: str | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        """Validate and freeze the fields."""
        _require_aware(self, "received_at", "appointment_at")
        _freeze(self, "rows")


DocumentContext: TypeAlias = (
    ReceiptContext | SupplementContext | RefusalContext | ApologyContext | StopContext
    | ControlSheetContext
)
