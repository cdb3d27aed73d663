"""The API docs work without internet: their pages load only files the app serves itself."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

# Every src= and href= of a page (the OpenAPI URL is given to the script, not linked).
LINK = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_reference_only_assets_the_app_serves(client: TestClient, page: str) -> None:
    client.headers.pop("X-API-Key")  # opened by a person in a browser, without a key
    r = client.get(page)
    assert r.status_code == 200
    assert not re.search(r"https?://|[\"']//", r.text), "a page loads something from elsewhere"
    links = LINK.findall(r.text)
    assert links
    for link in links:
        assert link.startswith("/")
        asset = client.get(link)
        assert asset.status_code == 200, link
        assert len(asset.content) > 1000, link


def test_swagger_ui_and_redoc_scripts_are_the_real_bundles(client: TestClient) -> None:
    assert "SwaggerUIBundle" in client.get("/static-offline-docs/swagger-ui-bundle.js").text
    assert "redoc" in client.get("/static-offline-docs/redoc.standalone.js").text.lower()


def test_the_bare_address_redirects_to_the_dashboard(client: TestClient) -> None:
    client.headers.pop("X-API-Key")
    r = client.get("/", follow_redirects=False)
    assert r.status_code in (302, 307)
    assert r.headers["location"] == "/dashboard"
