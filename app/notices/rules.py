"""The citizen notices, pure: the SMS and the e-mail the province's notification gateway sends
the applicant when a supplement is requested, an apology issued, or the result is ready or
posted, composed here so the gateway forwards them as they are.

The SMS is one segment of GSM-7: at most `SMS_LIMIT` (160) characters of the ASCII part of
the GSM 03.38 basic set, so Vietnamese is written without diacritics (không dấu), as SMS
gateways in Vietnam do (with diacritics, UCS-2 would leave 70 characters a segment); names
too long for the segment are shortened with "...". The e-mail is plain text with diacritics.
Times are Vietnamese ("17:00 ngày 06/03/2026"); the apology letter keeps the form's own
wording and dates (app/catalog/headings.py).

What a clerk types for the file (`note`) is never sent. The reason of a supplement request
and of an apology is: it is the text the printed forms (Mẫu số 02, Mẫu số 04) give the
applicant. The SMS, too short for it, gives the reason code's label instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from app.catalog.headings import (
    ApologyFacts,
    Heading,
    apology_paragraphs,
    apology_wording,
    place_date,
    vn_local,
)
from app.dossiers.rules import REASON_CODES

NoticeKind = Literal["supplement_requested", "apology_issued", "result_ready", "result_posted"]

SMS_LIMIT = 160
"""Characters in one SMS segment of the GSM-7 default alphabet (basic set only)."""
# The ASCII part of the GSM 03.38 basic character set: what is left once the diacritics go,
# and what every carrier passes unchanged. The extension characters ([ ] { } ^ ~ | \\) would
# take two places each, and ` is not in the set at all.
_GSM7_ASCII = frozenset(
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
_ASCII_FOR = {"[": "(", "]": ")", "{": "(", "}": ")", "đ": "d", "Đ": "D"}
_SPACES = re.compile(" {2,}")
ELLIPSIS = "..."
APOLOGY_PATH = "/api/v1/dossiers/{code}/documents/apology"
"""The printable apology letter (HTML; ?format=pdf for the PDF), for a key that sees the
applicant (admin, counter)."""

_FOOTER = ("Thư này được gửi tự động từ hệ thống một cửa; Ông/Bà vui lòng không trả lời thư "
           "này. Ông/Bà tra cứu tình trạng hồ sơ bằng mã hồ sơ và mã tra cứu in trên Giấy "
           "tiếp nhận hồ sơ và hẹn trả kết quả.")
_COUNTER = "Bộ phận Tiếp nhận và Trả kết quả của {unit}"
_BRING_SLIP = "mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả"


def short_time(at: datetime) -> str:
    """An instant in Vietnamese time as notices write it: '17:00 ngày 06/03/2026'."""
    local = vn_local(at)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def unaccented(text: str) -> str:
    """Vietnamese without diacritics in the GSM-7 basic set: 'Đăng ký' -> 'Dang ky'.

    Characters with no place in it (line breaks too) become a space; runs of spaces become
    one, an edge space stays (parts of an SMS are joined as they are).
    """
    decomposed = unicodedata.normalize("NFD", "".join(_ASCII_FOR.get(c, c) for c in text))
    plain = "".join(c if c in _GSM7_ASCII else " "
                    for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", plain)


@dataclass(frozen=True)
class Flex:
    """A part of an SMS that may be shortened (a name, a list) to fit the segment."""

    text: str


def fit_sms(parts: Sequence[str | Flex]) -> str:
    """The parts joined without diacritics in at most `SMS_LIMIT` characters: the longest
    shortenable part is cut first (ending in '...'), then the next; the fixed parts stay."""
    texts = [unaccented(p.text if isinstance(p, Flex) else p) for p in parts]
    flexible = {i for i, p in enumerate(parts) if isinstance(p, Flex)}
    while (over := sum(map(len, texts)) - SMS_LIMIT) > 0 and flexible:
        i = max(flexible, key=lambda j: (len(texts[j]), -j))
        flexible.discard(i)
        keep = len(texts[i]) - over - len(ELLIPSIS)
        if keep > 0:
            texts[i] = texts[i][:keep].rstrip() + ELLIPSIS
        elif len(texts[i]) > len(ELLIPSIS):
            texts[i] = ELLIPSIS
    return _SPACES.sub(" ", "".join(texts)).strip()[:SMS_LIMIT]


# ---- what the notices are made of ------------------------------------------------------------


@dataclass(frozen=True)
class Dossier:
    """The dossier as every notice names it; `counter` is the receiving unit's name, where
    the applicant supplements and collects."""

    code: str
    procedure_name: str
    channel: str
    applicant_name: str
    counter: str


@dataclass(frozen=True)
class SupplementRequest:
    """A supplement request (yêu cầu bổ sung, hoàn thiện hồ sơ); `pauses` when it stopped the
    clock (only the first request, made before the appointment, does)."""

    at: datetime
    reason: str
    reason_code: str
    documents: tuple[str, ...] = ()
    pauses: bool = True


@dataclass(frozen=True)
class Apology:
    """An apology with a new appointment, issued by the deciding unit `issuer` under its
    `heading` (the letter's top-left block and place)."""

    at: datetime
    reason: str
    reason_code: str
    new_appointment_at: datetime
    received_at: datetime
    original_appointment_at: datetime
    issuer: str
    heading: Heading


@dataclass(frozen=True)
class ResultReady:
    """The result exists (đã có kết quả): at the counter, or waiting for the post."""

    at: datetime
    by_post: bool
    result_document: str | None = None


@dataclass(frozen=True)
class ResultPosted:
    """The result was handed to the post (trả kết quả qua bưu chính) with its waybill."""

    at: datetime
    waybill: str


Occasion = SupplementRequest | Apology | ResultReady | ResultPosted


@dataclass(frozen=True)
class Letter:
    """The apology letter as text, and where its printable form is."""

    title: str
    text: str
    path: str


@dataclass(frozen=True)
class Notice:
    """One ready-to-send notice: the SMS and the e-mail, and for an online filing's apology
    the letter itself (it has no counter to hand it over at)."""

    kind: NoticeKind
    sms: str
    subject: str
    body: str
    letter: Letter | None = None


# ---- composing them ------------------------------------------------------------------------


def _label(event_type: str, code: str) -> str:
    labels = REASON_CODES[event_type]
    return labels.get(code, labels["other"])


def _email(d: Dossier, lines: Sequence[str]) -> str:
    return "\n".join([f"Kính gửi: {d.applicant_name}", "", *lines, "", _FOOTER])


def _facts(d: Dossier) -> list[str]:
    return [f"Mã hồ sơ: {d.code}", f"Thủ tục: {d.procedure_name}"]


def _supplement(d: Dossier, s: SupplementRequest) -> Notice:
    if d.channel == "online":
        where_sms: list[str | Flex] = ["Bo sung truc tuyen tren Cong Dich vu cong."]
        where = "trực tuyến trên Cổng Dịch vụ công, tại hồ sơ có mã trên"
    else:
        where_sms = ["Nop tai ", Flex(d.counter), "."]
        where = _COUNTER.format(unit=d.counter) + (
            " (nộp trực tiếp hoặc gửi qua bưu chính)" if d.channel == "postal" else "")
    what = "; ".join(s.documents) or _label("supplement_requested", s.reason_code)
    documents = ["Giấy tờ cần bổ sung, hoàn thiện:",
                 *(f"({i}) {doc}" for i, doc in enumerate(s.documents, 1))] if s.documents else []
    return Notice(
        "supplement_requested",
        fit_sms([f"Ho so {d.code} (", Flex(d.procedure_name), "): can bo sung ", Flex(what),
                 ". ", *where_sms]),
        f"Yêu cầu bổ sung, hoàn thiện hồ sơ {d.code}",
        _email(d, [f"{d.counter} đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ sau:", *_facts(d),
                   f"Lý do: {s.reason}", *documents, f"Nơi nộp bổ sung: {where}.",
                   *([f"Thời gian giải quyết hồ sơ tạm dừng từ {short_time(s.at)} và được tính "
                      "tiếp khi Ông/Bà nộp đủ giấy tờ bổ sung."] if s.pauses else [])]))


def apology_letter(d: Dossier, a: Apology) -> tuple[str, str]:
    """The apology letter's title and text: the issuer's heading, place and date, the title
    and the paragraphs of the printed form (Mẫu số 04), in its words."""
    title = apology_wording(a.at).title
    paragraphs = apology_paragraphs(ApologyFacts(
        d.applicant_name, a.issuer, d.procedure_name, d.code, a.received_at,
        a.original_appointment_at, a.reason, a.new_appointment_at, a.at))
    head = [line for line in (a.heading.authority, a.heading.issuer) if line]
    body = ["".join(text for text, _ in p) for p in paragraphs]
    return title, "\n".join([*head, place_date(a.heading.place, a.at), "", title, "", *body])


def _apology(d: Dossier, a: Apology) -> Notice:
    title, text = apology_letter(d, a)
    return Notice(
        "apology_issued",
        fit_sms([Flex(a.issuer), f" xin loi: ho so {d.code} (", Flex(d.procedure_name),
                 f") tre hen. Hen tra moi {short_time(a.new_appointment_at)}. Ly do: ",
                 Flex(_label("apology_issued", a.reason_code)), "."]),
        f"{title.capitalize()}: hồ sơ {d.code}",
        "\n".join([text, "", _FOOTER]),
        Letter(title, text, APOLOGY_PATH.format(code=d.code)) if d.channel == "online"
        else None)


def _ready(d: Dossier, r: ResultReady) -> Notice:
    if r.by_post:
        how_sms: list[str | Flex] = ["se gui qua buu chinh den dia chi da dang ky."]
        how = ("Kết quả sẽ được gửi qua dịch vụ bưu chính công ích đến địa chỉ Ông/Bà đã đăng "
               "ký; Ông/Bà sẽ nhận được thông báo khi kết quả được chuyển đi.")
    else:
        how_sms = ["moi Ong/Ba nhan tai ", Flex(d.counter), "."]
        how = f"Mời Ông/Bà đến nhận kết quả tại {_COUNTER.format(unit=d.counter)}, {_BRING_SLIP}."
    result = [f"Kết quả: {r.result_document}"] if r.result_document else []
    return Notice(
        "result_ready",
        fit_sms([f"Ho so {d.code} (", Flex(d.procedure_name), ") da co ket qua, ", *how_sms]),
        f"Hồ sơ {d.code} đã có kết quả",
        _email(d, [f"{d.counter} thông báo: hồ sơ của Ông/Bà đã có kết quả giải quyết.",
                   *_facts(d), *result,
                   f"Thời điểm có kết quả: {short_time(r.at)}", how]))


def _posted(d: Dossier, p: ResultPosted) -> Notice:
    return Notice(
        "result_posted",
        fit_sms([f"Ho so {d.code} (", Flex(d.procedure_name),
                 f"): ket qua da gui qua buu chinh, so hieu buu gui {p.waybill}."]),
        f"Kết quả hồ sơ {d.code} đã được gửi qua bưu chính",
        _email(d, [f"{d.counter} đã gửi kết quả giải quyết hồ sơ của Ông/Bà qua dịch vụ bưu "
                   "chính công ích.", *_facts(d), f"Thời điểm gửi: {short_time(p.at)}",
                   f"Số hiệu bưu gửi: {p.waybill}",
                   "Ông/Bà vui lòng giữ liên lạc qua số điện thoại đã đăng ký để nhân viên bưu "
                   "chính giao kết quả."]))


def notice(d: Dossier, occasion: Occasion) -> Notice:
    """The notice of one occasion, ready to send."""
    match occasion:
        case SupplementRequest():
            return _supplement(d, occasion)
        case Apology():
            return _apology(d, occasion)
        case ResultReady():
            return _ready(d, occasion)
        case ResultPosted():
            return _posted(d, occasion)
