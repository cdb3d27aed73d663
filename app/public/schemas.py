"""The public view of a dossier: status and dates, never personal data or internal notes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.core.examples import DOSSIER_EXAMPLE
from app.core.timefmt import LocalDatetime
from app.postal.schemas import WAYBILL_DOC, UnitRef
from app.public.rules import STATUS_LABELS


class PublicPostal(BaseModel):
    """The result's journey by post, as the citizen app shows it."""

    model_config = ConfigDict(extra="forbid")

    state: str = Field(description="requested (return by post asked for, the result not ready "
                                   "yet), ready (waiting for the post to collect it), "
                                   "handed_over (the post has it), delivered, failed (not "
                                   "delivered: back at the counter) or collected (returned at "
                                   "the counter after all).", examples=["handed_over"])
    waybill: str | None = Field(description=f"{WAYBILL_DOC} of the latest handover; null until "
                                            "the post takes the result.",
                                examples=["EB987654321VN"])
    handed_over_at: LocalDatetime | None = Field(
        description="When the post took the result; null until then.")
    delivered_at: LocalDatetime | None = Field(
        description="When the post delivered it (phát thành công); null until then.")


class PublicDossierOut(BaseModel):
    """What anyone holding the receipt slip may see (tra cứu hồ sơ), e.g. in a citizen app:
    the dossier's status and dates, never personal data or internal notes."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="Dossier code (mã hồ sơ), as printed on the receipt slip.",
                      examples=[DOSSIER_EXAMPLE])
    status: str = Field(description=f"The status: {', '.join(STATUS_LABELS)}.",
                        examples=["processing"])
    status_label: str = Field(description="The status in Vietnamese.", examples=["Đang xử lý"])
    procedure: UnitRef = Field(description="The procedure (thủ tục), by code and name.")
    receiving_unit: UnitRef = Field(description="The unit that received the dossier, whose "
                                                "counter returns the result.")
    handling_unit: UnitRef = Field(description="The unit deciding it now; a transfer (liên "
                                               "thông) changes it.")
    received_at: LocalDatetime = Field(description="When the dossier was received.")
    due_at: LocalDatetime = Field(description="Appointment (ngày hẹn trả) given at receipt; a "
                                              "pause (a supplement request, financial "
                                              "obligations) or a change of the working "
                                              "calendar moves it.")
    rescheduled_due_at: LocalDatetime | None = Field(
        description="New appointment after an apology (hẹn lại); null without one.")
    result_ready: bool = Field(description="The result waits at the counter (đã có kết quả).",
                               examples=[False])
    returned_at: LocalDatetime | None = Field(
        description="When the result was handed over at the counter or to the post (trả kết "
                    "quả); null until then.")
    return_method: str | None = Field(description="counter or postal, once returned; null until "
                                                  "then.", examples=["counter"])
    postal: PublicPostal | None = Field(description="The journey by post, once return by post "
                                                    "was asked for or the result handed to the "
                                                    "post; null otherwise.")
