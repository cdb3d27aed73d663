"""The dashboard page and its files: served by the app itself, with strict security headers."""

from __future__ import annotations

import re

import pytest

from app.dashboard.router import SECURITY_HEADERS, STATIC
from app.dossiers.rules import REASON_CODES
from tests.factories import Api

FILES = ["app.js", "api.js", "charts.js", "i18n.js", "period.js", "timeline.js", "style.css",
         "vendor/chart.umd.min.js", "vendor/chart.js-LICENSE.md"]


def test_the_page_is_html_with_security_headers(api: Api) -> None:
    r = api.client.get("/dashboard", headers={"X-API-Key": ""})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "Bảng điều khiển" in r.text
    for name, value in SECURITY_HEADERS.items():
        assert r.headers[name] == value
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


@pytest.mark.parametrize("name", FILES)
def test_every_file_the_page_needs_is_served_locally(api: Api, name: str) -> None:
    r = api.client.get(f"/dashboard/static/{name}")
    assert r.status_code == 200, name
    assert r.headers["x-content-type-options"] == "nosniff"
    if name.endswith(".js"):
        assert "javascript" in r.headers["content-type"]


def test_the_page_loads_nothing_from_elsewhere(api: Api) -> None:
    page = api.client.get("/dashboard").text
    for name in FILES:
        body = api.client.get(f"/dashboard/static/{name}").text
        if not name.startswith("vendor/"):
            assert "http://" not in body and "https://" not in body, name
    assert "https://" not in page and "<script>" not in page and "style=" not in page


def test_files_outside_the_static_folder_are_not_served(api: Api) -> None:
    assert api.client.get("/dashboard/static/../router.py").status_code == 404
    assert api.client.get("/dashboard/static/%2e%2e/router.py").status_code == 404


def test_api_responses_keep_their_own_headers(api: Api) -> None:
    r = api.client.get("/api/v1/units")
    assert "content-security-policy" not in r.headers


def test_the_timeline_names_every_reason_code_as_the_rules_label_it() -> None:
    source = (STATIC / "i18n.js").read_text()
    shown = dict(re.findall(r'^\s*rc_(\w+): \["([^"]+)"', source, re.MULTILINE))
    expected = {code: label for codes in REASON_CODES.values() for code, label in codes.items()}
    assert shown == expected
    assert "rc_${d.reason_code}" in (STATIC / "timeline.js").read_text()
