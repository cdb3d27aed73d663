"""The dashboard in a real browser (headless Chromium) against a real server on demo data: the
numbers it shows are the statistics API's, drill-down and the timeline work, and nothing
breaks the Content-Security-Policy."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.engine import Engine

from app.core.clock import utcnow
from app.core.config import Settings
from app.core.db import Database
from app.demo import catalog
from app.demo.service import load
from app.main import create_app
from tests.conftest import ADMIN_KEY, empty_database

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt chromium)"),
]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
# UPDATE_SCREENSHOTS=1 refreshes the README's screenshots; otherwise they go to tmp_path.
DOCS = Path(__file__).resolve().parents[2] / "docs"
# Headline cards and where the statistics API has the same number.
KPIS = {"received": ("received", "total"), "resolved": ("resolved", "total"),
        "on_time": ("rates", "on_time"), "late": ("resolved", "late"),
        "overdue": ("pending", "overdue"), "apology": ("rates", "apology_coverage"),
        "online": ("rates", "online"), "postal": ("rates", "postal_return"),
        "satisfaction": ("rates", "satisfaction")}
QUARTER = ("2026", "3", "2026-07-01", "2026-09-30")


@dataclass
class Served:
    """A running server on demo data and the dashboard key the demo issued."""

    url: str
    key: str

    def api(self, path: str, **params: Any) -> dict[str, Any]:
        r = httpx.get(f"{self.url}/api/v1/{path}", params=params,
                      headers={"X-API-Key": self.key})
        assert r.status_code == 200, r.text
        return dict(r.json())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(database_url: str, engine: Engine) -> Iterator[Served]:
    """2,000 demo dossiers up to now in the run's database, behind uvicorn on loopback."""
    empty_database(engine)
    db = Database.from_urls(database_url)
    loaded = load(db, n=2000, seed=5, years=2, now=utcnow(), skew=timedelta(seconds=120))
    db.dispose()
    settings = Settings(database_url=database_url, admin_api_key=ADMIN_KEY,
                        migrate_on_start=False)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield Served(f"http://127.0.0.1:{port}", loaded.dashboard_key)
    server.should_exit = True
    thread.join(10)
    empty_database(engine)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium from the system package (never a downloaded build)."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, served: Served) -> Iterator[Page]:
    """A fresh page that fails the test on any script error or CSP violation."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    errors: list[str] = []
    # A refused key is an expected 401, which Chromium logs as a failed resource.
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and "401" not in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == []


def settle(page: Page, action: Callable[[], object]) -> None:
    """Do something that reloads the board, then wait until the board says it is ready."""
    page.evaluate("() => { document.body.dataset.state = 'changing'; }")
    action()
    page.wait_for_selector("body[data-state=ready]", state="attached", timeout=30_000)


def log_in(page: Page, served: Served) -> None:
    page.goto(f"{served.url}/dashboard")
    page.fill("#key", served.key)
    settle(page, lambda: page.click("#login-form button[type=submit]"))


def pick_quarter(page: Page, unit: str) -> None:
    year, quarter, _, _ = QUARTER
    settle(page, lambda: page.select_option("#unit", unit))
    settle(page, lambda: page.select_option("#period-kind", "quarter"))
    settle(page, lambda: page.select_option("#period-year", year))
    settle(page, lambda: page.select_option("#period-quarter", quarter))


def vi_number(value: float | int, percent: bool) -> str:
    """How vi-VN prints it: 1.234 and 93,12%."""
    if percent:
        return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") + "%"
    return f"{value:,}".replace(",", ".")


def assert_headline_is_the_api(page: Page, served: Served, unit: str) -> None:
    _, _, start, end = QUARTER
    figures = served.api("stats/on-time", unit=unit, **{"from": start, "to": end})
    for name, (group, field) in KPIS.items():
        card = page.locator(f".kpi[data-kpi={name}]")
        want = figures[group][field]
        shown = card.get_attribute("data-value")
        assert (None if shown == "" else float(shown or "nan")) == want, name
        text = card.locator(".value").inner_text()
        assert text == ("—" if want is None else vi_number(want, group == "rates")), name


def test_headline_ranking_drilldown_and_timeline(
    page: Page, served: Served, tmp_path: Path
) -> None:
    log_in(page, served)
    assert page.locator("#unit").input_value() == catalog.PROVINCE
    pick_quarter(page, catalog.PROVINCE)
    assert page.locator("#scope-period").inner_text() == "Quý III/2026"
    assert_headline_is_the_api(page, served, catalog.PROVINCE)
    shots = DOCS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)

    # The worst commune's bar opens that commune, with its own figures.
    page.locator("#ranking").scroll_into_view_if_needed()
    bar = page.evaluate("""() => {
        const chart = Chart.getChart(document.getElementById('ranking'));
        const el = chart.getDatasetMeta(0).data[0];
        const box = chart.canvas.getBoundingClientRect();
        return {x: box.left + (chart.chartArea.left + el.x) / 2, y: box.top + el.y,
                unit: chart.data.datasets[0].units[0]};
    }""")
    settle(page, lambda: page.mouse.click(bar["x"], bar["y"]))
    assert page.locator("#unit").input_value() == bar["unit"]
    names = {u.code: u.name for u in catalog.COMMUNES}
    assert page.locator("#scope-unit").inner_text() == names[bar["unit"]]
    assert_headline_is_the_api(page, served, bar["unit"])

    # Back at the province, a dossier from a queue opens on its timeline.
    settle(page, lambda: page.select_option("#unit", catalog.PROVINCE))
    link = page.locator("#overdue a.code, #due-soon a.code").first
    code = link.inner_text()
    link.click()
    page.wait_for_selector("#dossier[open] .step", timeout=10_000)
    assert page.locator("#dossier-title").inner_text() == code
    dossier = served.api(f"dossiers/{code}")
    assert page.locator("#dossier-timeline .step:not(.open)").count() == len(dossier["timeline"])
    assert page.locator("#dossier-timeline .step").first.locator("strong").inner_text() \
        == "Tiếp nhận hồ sơ"
    page.locator("#dossier").screenshot(path=str(shots / "dashboard-timeline.png"))
    page.click("#dossier-close")
    assert not page.locator("#dossier").is_visible()


def test_english_switch_and_logout(page: Page, served: Served) -> None:
    log_in(page, served)
    settle(page, lambda: page.click("#lang"))
    assert page.locator(".kpi[data-kpi=on_time] .label").inner_text() == "On-time rate"
    assert page.locator("#scorecard-card h3").first.inner_text() \
        == "National service scorecard (QĐ 766)"
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("#logout")
    assert page.locator("#login-form").is_visible()
    assert page.evaluate("() => sessionStorage.getItem('motcua.key')") is None


def test_a_wrong_key_is_refused_at_the_login_form(page: Page, served: Served) -> None:
    page.goto(f"{served.url}/dashboard")
    page.fill("#key", "mc_000000000000_wrong")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#login-error:not([hidden])")
    assert "không hợp lệ" in page.locator("#login-error").inner_text()


def test_the_board_loads_within_a_second(page: Page, served: Served) -> None:
    log_in(page, served)
    timings = []
    for _ in range(3):
        page.reload()
        page.wait_for_selector("body[data-state=ready]", state="attached", timeout=30_000)
        timings.append(page.evaluate("() => performance.now()"))
    print(f"dashboard ready after reload: {min(timings):.0f} ms best of 3")
    # One second is the goal; the bound allows for a shared, loaded CI machine.
    assert min(timings) < 3000


@pytest.mark.parametrize(("path", "rendered"), [
    ("/docs", ".swagger-ui .opblock-summary"),
    ("/redoc", "[data-section-id^='operation/']"),
])
def test_api_docs_render_offline(page: Page, served: Served, path: str, rendered: str) -> None:
    """Anything not from the server itself is cut off, as on an intranet without internet.

    ReDoc's bundle links its own "powered by" badge image on its CDN: a missing decoration,
    answered empty here so that only what the page needs to work counts.
    """
    outside: list[str] = []

    def offline(route: Any) -> None:
        if route.request.url.startswith(served.url):
            route.continue_()
        elif route.request.resource_type == "image":
            route.fulfill(status=204)
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    page.goto(f"{served.url}{path}")
    page.wait_for_selector(rendered, timeout=30_000)
    operations = httpx.get(f"{served.url}/openapi.json").json()["paths"]
    assert page.locator(rendered).count() >= len(operations)
    assert outside == []


def test_the_scorecard_panel_shows_the_api_numbers(page: Page, served: Served,
                                                   tmp_path: Path) -> None:
    """The panel's score, groups and at-risk list for the default (open) month are the
    scorecard API's, and a closed quarter has no forecast and nothing at risk."""
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url)
            if "/api/v1/stats/scorecard?" in r.url else None)
    log_in(page, served)
    params = dict(httpx.URL(asked[-1]).params)
    card = served.api("stats/scorecard", **params)
    risk = served.api("stats/scorecard/at-risk", **params, limit=10)
    assert card["open"] is True
    total = card["total"]
    assert float(page.locator("#sc-points").get_attribute("data-value") or "nan") \
        == total["points"]
    assert page.locator("#sc-points").inner_text() == vi_number(total["points"], True)[:-1]
    assert float(page.locator("#sc-reach").get_attribute("data-value") or "nan") \
        == total["computable_max"]
    assert float(page.locator("#sc-forecast").get_attribute("data-value") or "nan") \
        == total["forecast_points"]
    bars = page.evaluate("""() => Chart.getChart(document.getElementById('sc-groups'))
        .data.datasets.map((d) => d.data)""")
    groups = card["groups"]
    assert bars[0] == [g["points"] for g in groups]
    assert [round(a + b + c, 2) for a, b, c in zip(*bars, strict=True)] \
        == [g["max_points"] for g in groups]
    for i in card["indicators"]:
        shown = page.locator(f"#sc-indicators tr[data-indicator='{i['code']}']")
        assert shown.get_attribute("data-points") == (
            "" if i["points"] is None else f"{i['points']:g}"), i["code"]
    assert int(page.locator("#sc-risk-count").inner_text()) == risk["dossiers"]
    assert risk["dossiers"] > 0, "the demo province should have points at risk"
    assert page.locator("#sc-at-risk tr[data-code]").evaluate_all(
        "rows => rows.map((r) => r.dataset.code)") == [d["code"] for d in risk["items"]]
    shots = DOCS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    page.locator("#scorecard-card").screenshot(path=str(shots / "dashboard-scorecard.png"))

    pick_quarter(page, catalog.PROVINCE)
    _, _, start, end = QUARTER
    closed = served.api("stats/scorecard", unit=catalog.PROVINCE, **{"from": start, "to": end})
    assert float(page.locator("#sc-points").get_attribute("data-value") or "nan") \
        == closed["total"]["points"]
    assert page.locator("#sc-forecast").inner_text() == ""
    assert page.locator("#sc-risk-count").inner_text() == "0"
