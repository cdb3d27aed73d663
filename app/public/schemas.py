"""The public view of a dossier: status and dates, never personal data or internal notes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.core.timefmt import LocalDatetime
from app.postal.schemas import UnitRef


class PublicPostal(BaseModel):
    """The result's journey by post."""

    model_config = ConfigDict(extra="forbid")

    state: str = Field(description="requested, ready, handed_over, delivered, failed, "
                       "collected")
    waybill: str | None
    handed_over_at: LocalDatetime | None
    delivered_at: LocalDatetime | None


class PublicDossierOut(BaseModel):
    """What anyone holding the receipt slip may see (tra cứu hồ sơ)."""

    model_config = ConfigDict(extra="forbid")

    code: str
    status: str
    status_label: str = Field(description="The status in Vietnamese.")
    procedure: UnitRef = Field(description="The procedure (thủ tục), by code and name.")
    receiving_unit: UnitRef
    handling_unit: UnitRef
    received_at: LocalDatetime
    due_at: LocalDatetime = Field(description="Appointment (ngày hẹn trả).")
    rescheduled_due_at: LocalDatetime | None = Field(
        description="New appointment after an apology (hẹn lại).")
    result_ready: bool = Field(description="The result waits at the counter (đã có kết quả).")
    returned_at: LocalDatetime | None
    return_method: str | None
    postal: PublicPostal | None
