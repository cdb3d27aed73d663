"""The aggregates answer exactly what classifying each dossier gives, on random streams."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from app.stats import rules
from tests.conftest import Clock, empty_database
from tests.factories import Api, vn
from tests.stats import oracle, streams
from tests.stats.streams import AGENCY, C1, C2, OLD_PROVINCE, PROVINCE, TREE

FIGURES = ("received", "resolved", "ended_otherwise", "refused_at_receipt", "transferred_out",
           "pending", "rates", "processing_working_days", "supplements",
           "financial_obligations", "apologies")
PERIODS = [("2025-12-01", "2025-12-31"), ("2026-01-01", "2026-03-31"),
           ("2026-02-10", "2026-05-20"), ("2026-04-01", "2026-06-30"),
           ("2026-01-01", "2026-12-31")]


def ask(api: Api, **params: Any) -> dict[str, Any]:
    r = api.client.get("/api/v1/stats/on-time", params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def strip(body: dict[str, Any]) -> dict[str, Any]:
    return {k: body[k] for k in FIGURES}


# The one clock of these tests: the app and the oracle judge "today" by it alike.
NOW = vn("2026-11-21 10:00")


def check_everything(api: Api, dossiers: list[dict[str, Any]], clock: Clock) -> int:
    """Compare many queries with the oracle, judged by the app's own clock; return how many
    were compared."""
    compared = 0
    today = rules.local_day(clock())
    for start_s, end_s in PERIODS:
        start, end = date.fromisoformat(start_s), date.fromisoformat(end_s)
        judged = min(end, today - timedelta(days=1))
        for unit in (PROVINCE, C1, C2, AGENCY):
            for by in ("handling", "receiving"):
                got = ask(api, unit=unit, by=by, **{"from": start_s, "to": end_s})
                want = oracle.figures(dossiers, oracle.Query(TREE[unit], by, start, end, judged))
                assert strip(got) == want, (unit, by, start_s, end_s)
                compared += 1
        own = ask(api, unit=PROVINCE, include_descendants=False, **{"from": start_s, "to": end_s})
        assert strip(own) == oracle.figures(
            dossiers, oracle.Query({PROVINCE}, "handling", start, end, judged))
        merged = ask(api, unit=PROVINCE, include_merged=True, **{"from": start_s, "to": end_s})
        assert strip(merged) == oracle.figures(dossiers, oracle.Query(
            TREE[PROVINCE] | TREE[OLD_PROVINCE], "handling", start, end, judged))
        field = ask(api, unit=PROVINCE, field="HT", **{"from": start_s, "to": end_s})
        assert strip(field) == oracle.figures(dossiers, oracle.Query(
            TREE[PROVINCE], "handling", start, end, judged, {"P5", "P2"}))
        compared += 3
    body = ask(api, unit=PROVINCE, period="2026-H1", group_by="month")
    for group in body["groups"]:
        a, b = date.fromisoformat(group["from"]), date.fromisoformat(group["to"])
        assert strip(group) == oracle.figures(dossiers, oracle.Query(
            TREE[PROVINCE], "handling", a, b, min(b, today - timedelta(days=1))))
        compared += 1
    h1 = (date(2026, 1, 1), date(2026, 6, 30))
    judged = min(h1[1], today - timedelta(days=1))
    for group_by, keyed in (("unit", {C1: {C1}, C2: {C2}, AGENCY: {AGENCY}}),
                            ("field", {"HT": None, "DD": None, "CT": None}),
                            ("procedure", {p: None for p in streams.PROCEDURES})):
        body = ask(api, unit=PROVINCE, period="2026-H1", group_by=group_by)
        groups = {g["key"]: g for g in body["groups"]}
        for key, units in keyed.items():
            procs = ({p for p, v in streams.PROCEDURES.items() if v[2] == key}
                     if group_by == "field" else {key} if group_by == "procedure" else None)
            want = oracle.figures(dossiers, oracle.Query(
                units or TREE[PROVINCE], "handling", *h1, judged, procs))
            if key in groups:
                assert strip(groups[key]) == want, (group_by, key)
            else:
                assert want["received"]["total"] == 0, (group_by, key)
            compared += 1
        assert strip(body["total"]) == strip(ask(api, unit=PROVINCE, period="2026-H1"))
        # The same groups split again by month in one answer: each cell is the oracle's.
        split = ask(api, unit=PROVINCE, period="2026-H1", group_by=group_by, then_by="month")
        assert [strip(g) for g in split["groups"]] == [strip(g) for g in body["groups"]]
        for group in split["groups"]:
            assert [m["key"] for m in group["groups"]] == [f"2026-{m:02d}" for m in range(1, 7)]
            units = {group["key"]} if group_by == "unit" else TREE[PROVINCE]
            procs = ({p for p, v in streams.PROCEDURES.items() if v[2] == group["key"]}
                     if group_by == "field" else
                     {group["key"]} if group_by == "procedure" else None)
            for month in group["groups"]:
                a, b = date.fromisoformat(month["from"]), date.fromisoformat(month["to"])
                assert strip(month) == oracle.figures(dossiers, oracle.Query(
                    units, "handling", a, b, min(b, today - timedelta(days=1)), procs)), (
                    group_by, group["key"], month["key"])
                compared += 1
    return compared


def identity_holds(body: dict[str, Any]) -> bool:
    e = body["ended_otherwise"]
    finished = body["resolved"]["total"] + e["refused"] + e["withdrawn"] + e["stopped"]
    return bool(body["received"]["total"]
                == finished + body["transferred_out"] + body["pending"]["total"])


def crosses_a_month_end_back_and_forth(dossiers: list[dict[str, Any]]) -> bool:
    """Some dossier was handed on in one month and handed back to a unit it had left in a
    later one: the case where attribution by day and by current holder differ."""
    for d in dossiers:
        moves = [(e["at"][:7], e["flags"]["from_unit"], e["details"]["to_unit"])
                 for e in d["timeline"] if e["type"] == "transferred"]
        left = {(month, origin) for month, origin, _ in moves}
        if any(to == origin and later > month
               for later, _, to in moves for month, origin in left):
            return True
    return False


def test_fixed_stream_matches_the_oracle(api: Api, clock: Clock) -> None:
    clock.now = NOW
    streams.catalogue(api)
    streams.post(api, streams.plan(random.Random(3), 120))
    dossiers = streams.fetch_all(api)
    assert {d["status"] for d in dossiers} >= {"returned", "withdrawn",
                                              "awaiting_financial_obligation"}
    assert crosses_a_month_end_back_and_forth(dossiers)
    assert check_everything(api, dossiers, clock) > 60


def test_a_period_not_over_is_judged_at_yesterday(api: Api, clock: Clock) -> None:
    clock.now = vn("2026-05-15 10:00")
    streams.catalogue(api)
    streams.post(api, streams.plan(random.Random(11), 80, until=clock.now))
    dossiers = streams.fetch_all(api)
    check_everything(api, dossiers, clock)


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), n=st.integers(1, 40))
def test_random_streams_match_the_oracle(api: Api, engine: Engine, clock: Clock, seed: int,
                                        n: int) -> None:
    empty_database(engine)
    clock.now = NOW
    streams.catalogue(api)
    streams.post(api, streams.plan(random.Random(seed), n))
    dossiers = streams.fetch_all(api)
    check_everything(api, dossiers, clock)
    for start, end in PERIODS:
        for unit in (PROVINCE, C1, C2, AGENCY):
            assert identity_holds(ask(api, unit=unit, **{"from": start, "to": end})), unit


@pytest.mark.parametrize("params", [
    {"unit": PROVINCE},
    {"unit": PROVINCE, "period": "2026-Q5"},
    {"unit": PROVINCE, "period": "2026", "from": "2026-01-01"},
    {"unit": PROVINCE, "from": "2026-02-01", "to": "2026-01-01"},
    {"unit": PROVINCE, "period": "2026", "group_by": "week"},
    {"unit": PROVINCE, "period": "2026", "then_by": "month"},
    {"unit": PROVINCE, "period": "2026", "group_by": "month", "then_by": "month"},
    {"unit": PROVINCE, "period": "2026", "group_by": "unit", "then_by": "unit"},
    {"unit": "NOPE", "period": "2026"},
])
def test_bad_queries_are_problems(api: Api, params: dict[str, Any]) -> None:
    streams.catalogue(api)
    r = api.client.get("/api/v1/stats/on-time", params=params)
    assert r.status_code in (404, 422)
    assert r.headers["content-type"] == "application/problem+json"


def test_a_national_key_must_name_the_unit(api: Api) -> None:
    streams.catalogue(api)
    for path in ("/api/v1/stats/on-time", "/api/v1/reports/ii06a"):
        r = api.client.get(path, params={"period": "2026"})
        assert (r.status_code, r.json()["code"]) == (422, "unit_required"), path
        assert r.json()["invalid_params"][0]["name"] == "unit"


def test_moving_a_unit_refiles_its_figures(api: Api, clock: Clock) -> None:
    clock.now = NOW
    streams.catalogue(api)
    api.unit("Q", "province")
    streams.post(api, streams.plan(random.Random(5), 50))
    before = ask(api, unit=PROVINCE, period="2026")
    c1 = ask(api, unit=C1, period="2026")
    assert api.client.patch(f"/api/v1/units/{C1}", json={"parent": "Q"}).status_code == 200
    dossiers = streams.fetch_all(api)
    judged = rules.local_day(clock()) - timedelta(days=1)
    year = (date(2026, 1, 1), date(2026, 12, 31))
    assert strip(ask(api, unit="Q", period="2026")) == strip(c1)
    assert strip(ask(api, unit=PROVINCE, period="2026")) == oracle.figures(
        dossiers, oracle.Query({PROVINCE, C2, AGENCY}, "handling", *year, judged))
    assert before["received"]["total"] > ask(api, unit=PROVINCE, period="2026")[
        "received"]["total"]
