"""Postal return bodies (bưu chính công ích, QĐ 45/2016/QĐ-TTg)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.core.bodies import Strict
from app.core.cursor import CURSOR_EXAMPLE
from app.core.examples import DOSSIER_EXAMPLE, UNIT_EXAMPLE
from app.core.timefmt import INSTANT_RULES, Instant, LocalDatetime
from app.dossiers.schemas import REASON_CODE_DOC, DeliveryFailureReason

WAYBILL_DOC = "The post's tracking number (số hiệu bưu gửi)"


class HandedOverIn(Strict):
    """The postal integrator's report that the post took the result from the counter
    (bàn giao cho bưu chính), with its waybill."""

    waybill: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9\-]+$",
                         description=f"{WAYBILL_DOC}: one per delivery attempt; the same "
                                     "waybill again is a retry of this report.",
                         examples=["EB987654321VN"])
    at: Instant = Field(description="When the post took the result: the dossier's return time "
                                    "(trả kết quả) in the figures. " + INSTANT_RULES)


class DeliveredIn(Strict):
    """The post delivered the result to the recipient (phát thành công)."""

    at: Instant


class DeliveryFailedIn(Strict):
    """The postal integrator's report that the post could not deliver
    (phát không thành công): the result goes back to the counter."""

    at: Instant = Field(description="When the delivery attempt failed. " + INSTANT_RULES)
    reason: str = Field(min_length=1, max_length=1000,
                        description="Why the post could not deliver, in the post's words "
                                    "(shown to admin and counter keys only).",
                        examples=["Không liên lạc được người nhận"])
    reason_code: DeliveryFailureReason = Field(default="other", description=REASON_CODE_DOC,
                                               examples=["recipient_absent"])


class Recipient(BaseModel):
    """Who receives the parcel (người nhận): the delivery details the applicant gave, the
    applicant's own for what was left out."""

    name: str = Field(description="The recipient's name.", examples=["Nguyễn Văn An"])
    address: str = Field(description="The postal address to deliver to.",
                         examples=["Số 12 đường Lê Thánh Tông, phường Hạ Long, Quảng Ninh"])
    phone: str | None = Field(description="The phone the postman calls; null if none was given.",
                              examples=["0912 345 678"])


class UnitRef(BaseModel):
    """A unit (or, in the public lookup, a procedure) by its code and name in the catalogue."""

    code: str = Field(description="Code as the national catalogue writes it (mã đơn vị; for a "
                                  "procedure, mã thủ tục).", examples=[UNIT_EXAMPLE])
    name: str = Field(description="Name, as the catalogue holds it now.",
                      examples=["UBND phường Hạ Long"])


class PostalReturnOut(BaseModel):
    """One result waiting for the post: what the postal integrator needs to collect it at the
    counter and deliver it."""

    dossier_code: str = Field(description="Dossier code (mã hồ sơ): the `code` to report "
                                          "handed_over, delivered or delivery_failed on.",
                              examples=[DOSSIER_EXAMPLE])
    unit: UnitRef = Field(description="The one-stop counter that hands the result over.")
    procedure: str = Field(description="The procedure's name (tên thủ tục hành chính).",
                           examples=["Đăng ký khai sinh"])
    recipient: Recipient = Field(description="Who receives the parcel, and where.")
    document: str = Field(description="The result to deliver (kết quả giải quyết).",
                          examples=["Giấy khai sinh số 45/2026"])
    cod_amount: int = Field(description="Fee in VND to collect on delivery; 0 when none.",
                            examples=[50000])
    ready_at: LocalDatetime = Field(description="When the result became ready for the post: "
                                                "its resolution, or the request for return by "
                                                "post if the result already existed.")


class PostalFeedPage(BaseModel):
    """A page of the postal return feed; poll again with next_cursor for what became ready
    since. An item stays in the feed until its handover is reported."""

    items: list[PostalReturnOut] = Field(description="Results ready for the post and not yet "
                                                     "handed over, in feed order.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` on the next poll: the position after this page, or the "
                    "cursor given when the page is empty (the feed has no last page); null only "
                    "when the page is empty and no cursor was given.",
        examples=[CURSOR_EXAMPLE])
