"""The citizen notices without a database: one GSM-7 segment per SMS whatever the names'
length, the e-mails' contents and dates, and the apology letter worded as the printed form."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from app.catalog.headings import Heading
from app.documents.context import ApologyContext, Applicant
from app.documents.render import render_html
from app.notices import rules
from app.notices.rules import (
    SMS_LIMIT,
    Apology,
    Dossier,
    ResultPosted,
    ResultReady,
    SupplementRequest,
    fit_sms,
    notice,
    short_time,
    unaccented,
)
from tests.documents.test_render import norm, visible_text
from tests.factories import vn

CODE = "000.00.20.H27-260302-0001"
DOSSIER = Dossier(CODE, "Đăng ký khai sinh", "direct", "Nguyễn Văn An", "UBND xã Tân Lập")
ONLINE = replace(DOSSIER, channel="online")
SUPPLEMENT = SupplementRequest(vn("2026-03-03 10:00"), "Thiếu bản sao giấy chứng sinh",
                               "missing_document", ("Bản sao giấy chứng sinh", "Tờ khai"))
APOLOGY = Apology(vn("2026-03-06 16:00"), "Cần xác minh thêm với UBND huyện",
                  "verification_needed", vn("2026-03-12 17:00"), vn("2026-03-02 09:00"),
                  vn("2026-03-06 17:00"), "UBND xã Tân Lập",
                  Heading(None, "ỦY BAN NHÂN DÂN XÃ TÂN LẬP", "Tân Lập"))
READY = ResultReady(vn("2026-03-05 10:00"), by_post=False,
                    result_document="Giấy khai sinh số 45/2026")
POSTED = ResultPosted(vn("2026-03-06 09:00"), "EB987654321VN")
OCCASIONS: list[rules.Occasion] = [SUPPLEMENT, APOLOGY, READY, replace(READY, by_post=True),
                                   POSTED]
GSM7_ASCII = set("@$_ !\"#%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                 "abcdefghijklmnopqrstuvwxyz")


def one_segment(sms: str) -> None:
    """At most 160 characters, all of the GSM-7 basic set and plain ASCII (không dấu)."""
    assert len(sms) <= SMS_LIMIT, (len(sms), sms)
    assert set(sms) <= GSM7_ASCII, set(sms) - GSM7_ASCII


def test_without_diacritics_in_the_gsm7_basic_set() -> None:
    assert unaccented("Đăng ký khai sinh") == "Dang ky khai sinh"
    assert unaccented("Ủy ban nhân dân xã Tân Lập") == "Uy ban nhan dan xa Tan Lap"
    assert unaccented("Giấy tờ [bản sao]  {chứng thực}\n~") == "Giay to (ban sao) (chung thuc) "
    assert unaccented("Quận 1") == "Quan 1"


def test_times_are_written_the_vietnamese_way() -> None:
    assert short_time(datetime(2026, 3, 6, 10, 0, tzinfo=UTC)) == "17:00 ngày 06/03/2026"
    assert short_time(vn("2026-12-31 08:05")) == "08:05 ngày 31/12/2026"


def test_a_shortened_part_ends_in_an_ellipsis_and_the_fixed_parts_stay() -> None:
    sms = fit_sms(["Ho so X: ", rules.Flex("a" * 300), " het."])
    assert len(sms) == SMS_LIMIT and sms.startswith("Ho so X: aaa") and sms.endswith("... het.")
    assert fit_sms(["ngan ", rules.Flex("gon")]) == "ngan gon"


@given(procedure=st.text(min_size=1, max_size=500), unit=st.text(min_size=1, max_size=255),
       documents=st.lists(st.text(min_size=1, max_size=1000), max_size=50),
       channel=st.sampled_from(["direct", "online", "postal"]))
def test_every_sms_fits_one_segment_whatever_the_names(
        procedure: str, unit: str, documents: list[str], channel: str) -> None:
    d = Dossier(CODE, procedure, channel, "Nguyễn Văn An", unit)
    occasions: list[rules.Occasion] = [
        replace(SUPPLEMENT, documents=tuple(documents)), replace(APOLOGY, issuer=unit), READY,
        replace(READY, by_post=True), POSTED]
    for occasion in occasions:
        sms = notice(d, occasion).sms
        one_segment(sms)
        assert CODE in sms  # the code always survives: it is what the applicant quotes


def test_the_longest_names_give_way_to_the_code_and_the_appointment() -> None:
    long = Dossier(CODE, "Thủ tục " * 60, "direct", "Nguyễn Văn An", "Ủy ban nhân dân " * 15)
    sms = notice(long, replace(APOLOGY, issuer=long.counter)).sms
    one_segment(sms)
    assert "Hen tra moi 17:00 ngay 12/03/2026" in sms and "..." in sms


def test_the_supplement_names_what_to_bring_and_where() -> None:
    n = notice(DOSSIER, SUPPLEMENT)
    assert n.kind == "supplement_requested" and n.letter is None
    assert n.sms == (f"Ho so {CODE} (Dang ky khai sinh): can bo sung Ban sao giay chung sinh; "
                     "To khai. Nop tai UBND xa Tan Lap.")
    assert n.subject == f"Yêu cầu bổ sung, hoàn thiện hồ sơ {CODE}"
    for line in ("Kính gửi: Nguyễn Văn An", f"Mã hồ sơ: {CODE}", "Thủ tục: Đăng ký khai sinh",
                 "Lý do: Thiếu bản sao giấy chứng sinh", "(1) Bản sao giấy chứng sinh",
                 "(2) Tờ khai",
                 "Nơi nộp bổ sung: Bộ phận Tiếp nhận và Trả kết quả của UBND xã Tân Lập.",
                 "Thời gian giải quyết hồ sơ tạm dừng từ 10:00 ngày 03/03/2026"):
        assert line in n.body, line
    online = notice(ONLINE, SUPPLEMENT)
    assert "Bo sung truc tuyen tren Cong Dich vu cong." in online.sms
    assert "Nơi nộp bổ sung: trực tuyến trên Cổng Dịch vụ công" in online.body
    posted = notice(replace(DOSSIER, channel="postal"), SUPPLEMENT)
    assert "(nộp trực tiếp hoặc gửi qua bưu chính)" in posted.body


def test_only_a_request_that_paused_the_clock_says_so() -> None:
    """A second request, or one after the appointment, pauses nothing (Nghị định 61/2018)."""
    again = notice(DOSSIER, replace(SUPPLEMENT, pauses=False))
    assert "tạm dừng" not in again.body and "(2) Tờ khai" in again.body


def test_a_supplement_without_a_list_gives_the_reason_codes_label() -> None:
    n = notice(DOSSIER, replace(SUPPLEMENT, documents=(), reason_code="expired_document"))
    assert "can bo sung Giay to het hieu luc." in n.sms
    assert "Giấy tờ cần bổ sung" not in n.body and "Lý do: Thiếu bản sao" in n.body


def test_the_apology_gives_the_reason_and_the_new_appointment() -> None:
    n = notice(DOSSIER, APOLOGY)
    assert n.kind == "apology_issued"
    assert n.sms == (f"UBND xa Tan Lap xin loi: ho so {CODE} (Dang ky khai sinh) tre hen. Hen "
                     "tra moi 17:00 ngay 12/03/2026. Ly do: Can xac minh, tham dinh them.")
    assert n.subject == ("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết: hồ sơ "
                         f"{CODE}")
    title, text = rules.apology_letter(DOSSIER, APOLOGY)
    assert n.body.startswith(text + "\n\n")
    assert "Lý do: Cần xác minh thêm với UBND huyện" in text
    assert "hẹn trả kết quả vào: 17 giờ 00 phút, ngày 12 tháng 3 năm 2026." in text
    assert text.splitlines()[:4] == ["ỦY BAN NHÂN DÂN XÃ TÂN LẬP",
                                     "Tân Lập, ngày 06 tháng 3 năm 2026", "", title]
    assert n.letter is None  # a counter hands the letter over; only online filings get it here


def test_an_online_filing_gets_the_letter_and_its_printable_path() -> None:
    n = notice(ONLINE, APOLOGY)
    assert n.letter is not None
    assert n.letter.path == f"/api/v1/dossiers/{CODE}/documents/apology"
    assert (n.letter.title, n.letter.text) == rules.apology_letter(ONLINE, APOLOGY)
    before = notice(ONLINE, replace(APOLOGY, at=vn("2025-09-12 16:00")))
    assert before.letter is not None
    assert before.letter.title == "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"


def test_the_letter_says_what_the_printed_form_says() -> None:
    """Every line of the notice's letter is on the printed Mẫu số 04, in the same order."""
    _, text = rules.apology_letter(ONLINE, APOLOGY)
    ctx = ApologyContext(CODE, APOLOGY.issuer, ONLINE.procedure_name,
                         Applicant(ONLINE.applicant_name), APOLOGY.received_at,
                         APOLOGY.original_appointment_at, APOLOGY.reason,
                         APOLOGY.new_appointment_at, APOLOGY.at, place="Tân Lập",
                         issuer_name="Ủy ban nhân dân xã Tân Lập")
    printed = visible_text(render_html("apology", ctx))
    position = 0
    for line in filter(None, text.splitlines()):
        found = printed.find(norm(line), position)
        assert found >= 0, line
        position = found + len(norm(line))


def test_the_result_is_collected_at_the_counter_or_comes_by_post() -> None:
    counter = notice(DOSSIER, READY)
    assert counter.kind == "result_ready"
    assert counter.sms == (f"Ho so {CODE} (Dang ky khai sinh) da co ket qua, moi Ong/Ba nhan "
                           "tai UBND xa Tan Lap.")
    assert counter.subject == f"Hồ sơ {CODE} đã có kết quả"
    for line in ("Kết quả: Giấy khai sinh số 45/2026",
                 "Thời điểm có kết quả: 10:00 ngày 05/03/2026",
                 "Mời Ông/Bà đến nhận kết quả tại Bộ phận Tiếp nhận và Trả kết quả của UBND xã "
                 "Tân Lập, mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả."):
        assert line in counter.body, line
    post = notice(DOSSIER, replace(READY, by_post=True, result_document=None))
    assert "se gui qua buu chinh den dia chi da dang ky." in post.sms
    assert "gửi qua dịch vụ bưu chính công ích" in post.body and "Kết quả:" not in post.body
    posted = notice(DOSSIER, POSTED)
    assert posted.kind == "result_posted"
    assert "so hieu buu gui EB987654321VN." in posted.sms
    assert "Số hiệu bưu gửi: EB987654321VN" in posted.body
    assert "Thời điểm gửi: 09:00 ngày 06/03/2026" in posted.body


def test_every_notice_names_the_dossier_procedure_and_unit() -> None:
    for occasion in OCCASIONS:
        n = notice(DOSSIER, occasion)
        one_segment(n.sms)
        assert CODE in n.subject and CODE in n.body and "Đăng ký khai sinh" in n.body
        assert "UBND xã Tân Lập" in n.body and "Dang ky khai sinh" in n.sms
        assert n.body.startswith("Kính gửi: Nguyễn Văn An") or n.kind == "apology_issued"
