"""The forms of a real dossier through the API, as HTML and as PDF (read back with pdftotext)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.documents.test_render import TITLES, needs_poppler, norm, pdf_text, visible_text
from tests.factories import AGENCY, Api

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
