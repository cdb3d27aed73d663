"""Demo data: deterministic, realistic, written through the service layer so the figures add
up exactly as they do for data posted through the API."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from app.__main__ import main
from app.core.clock import VN_TZ
from app.core.config import Settings, get_settings
from app.core.db import Database
from app.core.deps import get_now
from app.demo import catalog
from app.demo.rules import history_years
from app.demo.service import NotEmpty, load, plans
from app.dossiers.models import Dossier
from app.main import create_app
from tests.conftest import Clock
from tests.factories import Api
from tests.stats import oracle
from tests.stats.streams import fetch_all

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=VN_TZ)  # a Friday morning
SKEW = timedelta(seconds=120)
UNITS = {catalog.PROVINCE} | {u.code for u in (*catalog.AGENCIES, *catalog.COMMUNES)}


def _load(database_url: str, n: int, seed: int = 3) -> None:
    db = Database.from_urls(database_url)
    try:
        load(db, n=n, seed=seed, years=1, now=NOW, skew=SKEW, batch=40)
    finally:
        db.dispose()


def test_the_same_seed_plans_the_same_dossiers() -> None:
    def first(seed: int) -> list[Any]:
        return list(islice(plans(1000, seed, 2, NOW), 30))

    assert first(7) == first(7)
    assert first(7) != first(8)


def test_plans_stop_at_now_and_keep_events_in_order() -> None:
    for receipt, events in plans(400, 5, 2, NOW):
        times = [receipt["received_at"], *(e["at"] for e in events)]
        assert times == sorted(times)  # type: ignore[type-var]
        assert all(t <= NOW for t in times)  # type: ignore[operator]


def test_the_figures_of_the_demo_equal_classifying_each_dossier(
    api: Api, database_url: str, clock: Clock
) -> None:
    _load(database_url, 160)
    clock.now = NOW
    dossiers = fetch_all(api)
    assert len(dossiers) == 160
    today = NOW.astimezone(VN_TZ).date()
    for start, end in ((date(2026, 7, 1), date(2026, 9, 30)), (date(2026, 1, 1), today)):
        judged = min(end, today - timedelta(days=1))
        for by in ("handling", "receiving"):
            r = api.client.get("/api/v1/stats/on-time", params={
                "unit": catalog.PROVINCE, "by": by, "from": start.isoformat(),
                "to": end.isoformat()})
            assert r.status_code == 200, r.text
            want = oracle.figures(dossiers, oracle.Query(UNITS, by, start, end, judged))
            assert {k: r.json()[k] for k in want} == want


def test_every_dossier_and_event_is_in_the_audit_trail(
    api: Api, database_url: str, engine: Engine
) -> None:
    _load(database_url, 60)
    with engine.connect() as conn:
        received = conn.scalar(text("SELECT count(*) FROM dossiers"))
        events = conn.scalar(text("SELECT count(*) FROM dossier_events"))
        audited = conn.scalar(text("SELECT count(*) FROM audit_log WHERE entity = 'dossier'"))
    assert received == 60
    assert audited == events


def test_the_demo_refuses_a_database_that_is_not_empty(api: Api, database_url: str) -> None:
    api.province()
    with pytest.raises(NotEmpty):
        _load(database_url, 10)
    assert api.client.get("/api/v1/dossiers").json()["items"] == []


def test_the_demo_key_reads_the_province_figures(api: Api, database_url: str) -> None:
    db = Database.from_urls(database_url)
    loaded = load(db, n=20, seed=1, years=1, now=NOW, skew=SKEW)
    db.dispose()
    r = api.client.get("/api/v1/stats/on-time", params={"period": "2026"},
                       headers={"X-API-Key": loaded.dashboard_key})
    assert r.status_code == 200, r.text
    assert r.json()["unit"] == catalog.PROVINCE


@pytest.mark.slow
def test_a_realistic_mix_with_open_queues(api: Api, database_url: str, engine: Engine) -> None:
    _load(database_url, 1500, seed=11)
    with engine.connect() as conn:
        def share(where: str) -> float:
            n = conn.scalar(text(f"SELECT count(*) FROM dossiers WHERE {where}"))
            return int(n or 0) / 1500

        assert 0.33 <= share("channel = 'online'") <= 0.47
        assert 0.005 <= share("status = 'refused'") <= 0.03
        assert 0.05 <= share("return_method = 'postal'") <= 0.2
        assert 0.03 <= share("timeliness = 'late'") <= 0.15
        assert share("apology_count > 0") > 0.01
        assert share("supplement_count > 0") > 0.05
        assert share("rating IS NOT NULL") > 0.4
        assert share("status IN ('received', 'processing', 'awaiting_supplement')") > 0.003
        transferred_to = conn.scalar(text(
            "SELECT count(DISTINCT handling_unit) FROM dossiers WHERE receiving_unit <> "
            "handling_unit"))
        assert int(transferred_to or 0) > 3


def test_cli_loads_then_refuses_a_second_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        assert main(["demo", "--dossiers", "15", "--seed", "2"]) == 0
        assert "Loaded 15 dossiers" in capsys.readouterr().err
        assert main(["demo", "--dossiers", "15"]) == 1
        assert "only goes into an empty database" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()
    db = Database.from_urls(url)
    with db.transaction("read") as session:
        assert session.scalar(select(func.count()).select_from(Dossier)) == 15
    db.dispose()


def test_an_empty_database_logs_how_to_load_the_demo(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}",
                              migrate_on_start=True))
    with caplog.at_level(logging.WARNING, logger="app"), TestClient(app):
        pass
    assert "python -m app demo" in caplog.text


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The README's default: 2,000 dossiers with the default history, on a file database of
    this module's own (the figures are read through the API like a dashboard would)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    app = create_app(Settings(database_url=url, migrate_on_start=True))
    with TestClient(app):
        pass
    db = Database.from_urls(url)
    try:
        load(db, n=2000, seed=1, years=None, now=NOW, skew=SKEW)
    finally:
        db.dispose()
    return url


@pytest.fixture
def demo_client(default_run: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=default_run, admin_api_key="demo-admin"))
    app.dependency_overrides[get_now] = lambda: NOW
    with TestClient(app, headers={"X-API-Key": "demo-admin"}) as client:
        yield client


def _get(client: TestClient, url: str, **params: object) -> Any:
    r = client.get(url, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_default_history_fits_the_number_of_dossiers() -> None:
    assert history_years(2000) == pytest.approx(0.2)
    assert history_years(20_000) == 2
    assert history_years(10) == 0.2
    assert history_years(10**6) == 2


@pytest.mark.slow
def test_at_2000_dossiers_results_wait_for_the_post(demo_client: TestClient) -> None:
    feed = _get(demo_client, "/api/v1/postal/returns", limit=200)
    assert len(feed["items"]) >= 3
    assert all(i["recipient"]["address"] for i in feed["items"])


@pytest.mark.slow
@pytest.mark.parametrize("level", ["commune", "agency"])
def test_at_2000_dossiers_the_ranking_spreads(demo_client: TestClient, level: str) -> None:
    # The dashboard opens on the current quarter.
    ranking = _get(demo_client, "/api/v1/stats/ranking", unit=catalog.PROVINCE, level=level,
                   period="2026-Q4")
    rates = [i["on_time_rate"] for i in ranking["items"] if i["on_time_rate"] is not None]
    assert len(rates) >= (20 if level == "commune" else 5)
    assert max(rates) - min(rates) >= 15
    assert sum(r == 100 for r in rates) <= len(rates) // 2  # not nearly all at 100%


@pytest.mark.slow
def test_at_2000_dossiers_the_queues_are_not_empty(demo_client: TestClient) -> None:
    overdue = _get(demo_client, "/api/v1/dossiers/overdue", unit=catalog.PROVINCE, limit=200)
    due_soon = _get(demo_client, "/api/v1/dossiers/due-soon", unit=catalog.PROVINCE,
                    within_working_days=1, limit=200)
    assert len(overdue) >= 5
    assert len(due_soon) >= 5
    quarter = _get(demo_client, "/api/v1/stats/on-time", unit=catalog.PROVINCE,
                   period="2026-Q4")
    assert quarter["received"]["total"] >= 1000  # the quarter the dashboard opens on is full

