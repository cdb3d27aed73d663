"""The forms of a real dossier through the API, as HTML and as PDF (read back with pdftotext)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.documents.test_render import TITLES, needs_poppler, norm, pdf_text, visible_text
from tests.factories import AGENCY, COMMUNE, PROVINCE, Api

NAME = "Nguyễn Văn An"
# What each form of the dossier below must print, besides its title.
EXPECTED = {
    "receipt": [NAME, "Thủ tục 1.000001", "Bản sao giấy khai sinh", "5 ngày làm việc",
                "08 giờ 00 phút, ngày 02 tháng 3 năm 2026",
                # The appointment given at receipt (Fri 6 March), not the one the pause moved.
                "17 giờ 00 phút, ngày 06 tháng 3 năm 2026",
                "qua dịch vụ bưu chính công ích", "Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội"],
    "supplement": [NAME, "Thiếu bản sao căn cước", "Bản sao căn cước công dân",
                   "10 giờ 00 phút, ngày 03 tháng 3 năm 2026"],
    "apology": [NAME, "Chờ ý kiến liên ngành", f"Đơn vị {AGENCY}",
                "09 giờ 00 phút, ngày 16 tháng 3 năm 2026"],
    "control_sheet": [NAME, "Tiếp nhận, chuyển hồ sơ", "Chuyển xử lý liên thông",
                      "Trả kết quả giải quyết", f"Giao: Đơn vị {AGENCY}", "Quá hạn"],
}


@pytest.fixture
def code(api: Api) -> str:
    """Received with post return, paused, transferred, apologised for, resolved late."""
    api.province()
    d = api.receive("2026-03-02 08:00", return_by_post=True,
                    documents=["Tờ khai đăng ký khai sinh", "Bản sao giấy khai sinh"])
    c = str(d["code"])
    api.event(c, "supplement_requested", "2026-03-03 10:00", reason="Thiếu bản sao căn cước",
              documents=["Bản sao căn cước công dân"])
    api.event(c, "supplement_received", "2026-03-04 10:00")
    api.event(c, "transferred", "2026-03-04 11:00", to_unit=AGENCY)
    api.event(c, "apology_issued", "2026-03-05 09:00", reason="Chờ ý kiến liên ngành",
              new_due_at="2026-03-16T09:00:00+07:00")
    api.event(c, "resolved", "2026-03-13 10:00")
    return c


def get(api: Api, code: str, kind: str, fmt: str = "html") -> bytes:
    r = api.client.get(f"/api/v1/dossiers/{code}/documents/{kind}", params={"format": fmt})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html" if fmt == "html" else
                                                "application/pdf")
    content: bytes = r.content
    return content


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_form_as_html(api: Api, code: str, kind: str) -> None:
    text = norm(visible_text(get(api, code, kind).decode()))
    assert norm(TITLES[kind]) in text  # type: ignore[index]
    for value in [code, *EXPECTED[kind]]:
        assert norm(value) in text, value


@needs_poppler
@pytest.mark.parametrize("kind", list(EXPECTED))
def test_form_as_pdf(api: Api, code: str, kind: str, tmp_path: Path) -> None:
    text = norm(pdf_text(get(api, code, kind, "pdf"), tmp_path))
    assert norm(TITLES[kind]) in text  # type: ignore[index]
    for value in [code, *EXPECTED[kind]]:
        assert norm(value) in text, value


@needs_poppler
def test_refusal_as_html_and_pdf(api: Api, tmp_path: Path) -> None:
    api.province()
    c = str(api.receive("2026-03-02 08:00")["code"])
    api.event(c, "refused", "2026-03-02 09:00", reason="Hồ sơ không thuộc thẩm quyền")
    for text in (visible_text(get(api, c, "refusal").decode()),
                 pdf_text(get(api, c, "refusal", "pdf"), tmp_path)):
        assert norm(TITLES["refusal"]) in norm(text)
        assert "Hồ sơ không thuộc thẩm quyền" in norm(text)


def test_a_form_that_does_not_apply_yet_is_409(api: Api) -> None:
    api.province()
    c = str(api.receive("2026-03-02 08:00")["code"])
    for kind in ("apology", "refusal", "supplement"):
        r = api.client.get(f"/api/v1/dossiers/{c}/documents/{kind}")
        assert r.status_code == 409
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == "document_not_applicable"
    assert api.client.get(f"/api/v1/dossiers/{c}/documents/letter").status_code == 422
    assert api.client.get("/api/v1/dossiers/nope/documents/receipt").status_code == 404
    dashboard = api.key("dashboard", AGENCY)
    r = api.client.get(f"/api/v1/dossiers/{c}/documents/receipt",
                       headers={"X-API-Key": dashboard})
    assert r.status_code == 403


def _rename(api: Api, code: str, name: str) -> None:
    r = api.client.patch(f"/api/v1/units/{code}", json={"name": name})
    assert r.status_code == 200, r.text


@needs_poppler
def test_stop_notice_is_issued_by_the_deciding_unit(api: Api, tmp_path: Path) -> None:
    api.province()
    _rename(api, PROVINCE, "Tỉnh Quảng Ninh")
    _rename(api, AGENCY, "Sở Tư pháp")
    c = str(api.receive("2026-03-02 08:00", handling_unit=AGENCY)["code"])
    assert api.client.get(f"/api/v1/dossiers/{c}/documents/stop").status_code == 409
    api.event(c, "processing_started", "2026-03-02 09:00")
    api.event(c, "stopped", "2026-03-04 14:00", reason="Quá thời hạn bổ sung hồ sơ")
    for text in (visible_text(get(api, c, "stop").decode()),
                 norm(pdf_text(get(api, c, "stop", "pdf"), tmp_path))):
        for value in ("Mẫu số 05", "UBND TỈNH QUẢNG NINH", "SỞ TƯ PHÁP",
                      norm(TITLES["stop"]), c, NAME, "Quá thời hạn bổ sung hồ sơ",
                      "Sở Tư pháp thông báo dừng giải quyết hồ sơ",
                      "14 giờ 00 phút, ngày 04 tháng 3 năm 2026",
                      "Quảng Ninh, ngày 04 tháng 3 năm 2026"):
            assert value in text, value


def test_forms_of_a_commune_are_headed_and_placed_as_the_commune(api: Api) -> None:
    api.province()
    _rename(api, PROVINCE, "Tỉnh Quảng Ninh")
    _rename(api, COMMUNE, "Phường Hạ Long")
    c = str(api.receive("2026-03-02 08:00")["code"])
    text = visible_text(get(api, c, "receipt").decode())
    assert text.startswith("Mẫu số 01 ỦY BAN NHÂN DÂN PHƯỜNG HẠ LONG CỘNG HÒA XÃ HỘI CHỦ NGHĨA "
                           "VIỆT NAM Độc lập - Tự do - Hạnh phúc Hạ Long, ngày 02 tháng 3 năm "
                           "2026"), text[:200]
    assert "TỈNH QUẢNG NINH" not in text  # a committee issues in its own name only
