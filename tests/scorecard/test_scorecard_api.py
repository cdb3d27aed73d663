"""The scorecard's worked example (docs/scorecard.md) through the API, closed and open.

Fifteen dossiers at one commune, March 2026, a 5-working-day procedure. Each is written as
(name, receipt, procedure, channel, events); the story is posted up to a given instant, so the
same dossiers give the closed month (seen on 10 April) and the open one (seen on 20 March,
12:00, when the forecast matters).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.catalog.models import Unit
from app.core.clock import utcnow
from app.dossiers.models import Dossier
from app.dossiers.rules import OPEN
from app.portal.models import PortalSync
from app.scorecard import rules, service
from tests.conftest import Clock
from tests.factories import COMMUNE, PROCEDURE, PROVINCE, Api, vn

P2, P3 = "1.000002", "1.000003"
Story = tuple[str, str, str, str, list[tuple[str, str, dict[str, Any]]]]
STORY: list[Story] = [
    # carried over from February
    ("A", "2026-02-23 08:00", PROCEDURE, "direct", [("resolved", "2026-03-03 08:00", {})]),
    ("B", "2026-02-26 08:00", PROCEDURE, "direct", [("resolved", "2026-03-04 10:00", {})]),
    # new in March
    ("C", "2026-03-02 08:00", PROCEDURE, "online", [("resolved", "2026-03-03 08:00", {})]),
    ("D", "2026-03-02 08:00", PROCEDURE, "direct", [("resolved", "2026-03-09 08:00", {})]),
    ("E", "2026-03-02 08:00", P2, "direct", [("withdrawn", "2026-03-04 09:00", {})]),
    ("F", "2026-03-02 08:00", PROCEDURE, "direct", [
        ("processing_started", "2026-03-02 09:00", {}),
        ("stopped", "2026-03-10 09:00", {"reason": "Người nộp không bổ sung"})]),
    ("G", "2026-03-02 08:00", PROCEDURE, "direct", [
        ("refused", "2026-03-02 09:00", {"reason": "Không đúng thẩm quyền"})]),
    ("H", "2026-03-02 08:00", PROCEDURE, "direct", [
        ("processing_started", "2026-03-02 09:00", {}),
        ("refused", "2026-03-05 09:00", {"reason": "Không đủ điều kiện"})]),
    ("I", "2026-03-02 08:00", PROCEDURE, "direct", [
        ("supplement_requested", "2026-03-03 10:00", {"reason": "Thiếu giấy tờ"}),
        ("supplement_received", "2026-03-04 10:00", {}),
        ("supplement_requested", "2026-03-05 10:00", {"reason": "Thiếu bản sao"})]),
    ("M", "2026-03-02 08:00", P3, "postal", [("resolved", "2026-03-06 16:00", {})]),
    ("O", "2026-03-09 08:00", PROCEDURE, "direct", [("resolved", "2026-03-24 08:00", {})]),
    ("N", "2026-03-16 08:00", PROCEDURE, "direct", [("resolved", "2026-03-23 08:00", {})]),
    ("L", "2026-03-20 08:00", PROCEDURE, "direct", [
        ("supplement_requested", "2026-03-24 10:00", {"reason": "Thiếu giấy tờ"})]),
    ("J", "2026-03-25 08:00", PROCEDURE, "direct", []),
    ("K", "2026-03-26 08:00", PROCEDURE, "direct", []),
]
MONTH = {"unit": PROVINCE, "period": "2026-03"}


def tell(api: Api, clock: Clock, until: datetime) -> dict[str, str]:
    """The province, three procedures (the third not online) and the story up to `until`."""
    clock.now = until
    api.province()
    api.procedure(P2)
    api.procedure(P3, online=False)
    codes = {}
    for name, received, procedure, channel, events in STORY:
        if vn(received) > until:
            continue
        code = str(api.receive(received, procedure=procedure, channel=channel,
                               receiving_unit=COMMUNE)["code"])
        codes[name] = code
        for type_, at, fields in events:
            if vn(at) <= until:
                api.event(code, type_, at, **fields)
    return codes


def card(api: Api) -> dict[str, Any]:
    r = api.client.get("/api/v1/stats/scorecard", params=MONTH)
    assert r.status_code == 200, r.text
    return dict(r.json())


def indicator(body: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in body["indicators"] if i["code"] == code)


def counts(i: dict[str, Any]) -> tuple[Any, ...]:
    return i["status"], i["numerator"], i["denominator"], i["rate"], i["points"]


def test_the_closed_month(api: Api, clock: Clock) -> None:
    tell(api, clock, vn("2026-04-10 09:00"))
    body = card(api)
    assert body["open"] is False and body["weights"] == {"version": 1,
                                                         "effective_from": "2022-06-23"}
    # 2 carried over + 12 new (G refused at receipt counts nowhere); in the numerator B, C
    # (early or on time), E (withdrawn), H (refused after appraisal) before the appointment,
    # K and L pending within (L paused). Not A, D, N, O (late), F (stopped after it),
    # I (a second supplement request), J (due on the month's last day, still open).
    assert counts(indicator(body, "2.1")) == ("computed", 7, 14, 50.0, 10.0)
    assert indicator(body, "2.1")["forecast"] is None
    # working days from receipt to result: A 6, B 4.25, C 1, D 5, M 4.875, N 5, O 11
    assert counts(indicator(body, "2.2")) == ("computed", 37.125, 7, 5.3, None)
    # two of three procedures online; 66.67% of the 80% that gives full marks
    assert counts(indicator(body, "3.1")) == ("computed", 2, 3, 66.67, 3.33)
    # of the two online procedures, one had an online dossier (C)
    assert counts(indicator(body, "3.2")) == ("computed", 1, 2, 50.0, 2.0)
    sync = indicator(body, "1.4")
    assert sync["status"] == "not_computable" and "PORTAL_BASE_URL" in sync["missing"][0]
    for code in ("3.3", "3.5", "3.6", "4.1", "4.2", "4.3", "5.4"):
        i = indicator(body, code)
        assert (i["status"], i["points"], i["rate"]) == ("not_computable", None, None), code
        assert i["missing"], code
    groups = {g["code"]: g for g in body["groups"]}
    assert (groups[2]["points"], groups[2]["computable_max"], groups[2]["max_points"]) == (
        10.0, 20.0, 20.0)
    assert (groups[3]["points"], groups[3]["computable_max"], groups[3]["max_points"]) == (
        5.33, 8.0, 22.0)
    assert [g["max_points"] for g in body["groups"]] == [18.0, 20.0, 22.0, 22.0, 18.0]
    assert body["total"] == {"points": 15.33, "computable_max": 28.0, "max_points": 100.0,
                             "forecast_points": None}
    # a closed month has nothing left at risk
    r = api.client.get("/api/v1/stats/scorecard/at-risk", params=MONTH)
    assert r.status_code == 200, r.text
    assert (r.json()["open"], r.json()["dossiers"], r.json()["items"]) == (False, 0, [])


def test_the_open_month_and_its_forecast(api: Api, clock: Clock) -> None:
    codes = tell(api, clock, vn("2026-03-20 12:00"))
    body = card(api)
    assert body["open"] is True
    # To date (judged at the end of 19 March): B, C, E, H, M ended by the appointment, N (due
    # today) and L pending within: 7 of 12. At the month's end, if nothing changes, N and L
    # will be overdue: 5 of 12.
    progress = indicator(body, "2.1")
    assert counts(progress) == ("computed", 7, 12, 58.33, 11.67)
    assert progress["forecast"] == {"numerator": 5, "denominator": 12, "rate": 41.67,
                                    "points": 8.33}
    assert counts(indicator(body, "2.2")) == ("computed", 21.125, 5, 4.23, None)
    assert indicator(body, "3.2")["forecast"]["points"] == 2.0
    assert body["total"] == {"points": 17.0, "computable_max": 28.0, "max_points": 100.0,
                             "forecast_points": 13.66}

    # O is overdue already, N and L will be; I (two supplement requests) is lost anyway.
    # Each costs 20/12 points; the three together 13.33 - 8.33.
    r = api.client.get("/api/v1/stats/scorecard/at-risk", params={**MONTH, "limit": 2})
    assert r.status_code == 200, r.text
    page = r.json()
    assert (page["open"], page["dossiers"], page["points_at_risk"]) == (True, 3, 5.0)
    assert [(i["code"], i["overdue_now"], i["indicator"], i["points"]) for i in page["items"]] \
        == [(codes["O"], True, "2.1", 1.6667), (codes["N"], False, "2.1", 1.6667)]
    assert page["items"][1]["due_at"] == "2026-03-20T17:00:00+07:00"
    r = api.client.get("/api/v1/stats/scorecard/at-risk",
                       params={**MONTH, "limit": 2, "cursor": page["next_cursor"]})
    assert r.status_code == 200, r.text
    assert [i["code"] for i in r.json()["items"]] == [codes["L"]]
    assert r.json()["next_cursor"] is None


def test_the_list_at_risk_is_what_the_rule_classifies_dossier_by_dossier(
        api: Api, clock: Clock) -> None:
    """Every dossier of the story through the pure forecast rule: the overdue ones are exactly
    the list, and the forecast's numerator loses exactly them."""
    codes = tell(api, clock, vn("2026-03-20 12:00"))
    end = vn("2026-04-01 00:00")
    outlooks = {}
    for name, code in codes.items():
        d = api.dossier(code)
        outlooks[name] = rules.outlook(
            status_open=d["status"] in OPEN, paused=d["paused"],
            due_at=datetime.fromisoformat(d["due_at"]), supplements=d["supplement_count"],
            period_end=end)
    risky = {codes[n] for n, o in outlooks.items() if rules.at_risk(o)}
    r = api.client.get("/api/v1/stats/scorecard/at-risk", params={**MONTH, "limit": 500})
    assert {i["code"] for i in r.json()["items"]} == risky and r.json()["dossiers"] == 3
    assert outlooks["I"] == "lost" and outlooks["B"] == "finished"
    progress = indicator(card(api), "2.1")
    within_now = {"N", "L"}
    assert progress["numerator"] - progress["forecast"]["numerator"] == len(
        within_now & {n for n, o in outlooks.items() if o == "overdue"})


def test_at_risk_is_scoped_to_the_key_and_its_cursor_checked(api: Api, clock: Clock) -> None:
    tell(api, clock, vn("2026-03-20 12:00"))
    api.unit("000.00.00.H29", "province")
    other = api.key("dashboard", "000.00.00.H29")
    r = api.client.get("/api/v1/stats/scorecard/at-risk", params=MONTH,
                       headers={"X-API-Key": other})
    assert r.status_code == 403 and r.json()["code"] == "outside_unit_scope"
    own = api.key("dashboard", COMMUNE)
    r = api.client.get("/api/v1/stats/scorecard/at-risk", params={**MONTH, "unit": COMMUNE},
                       headers={"X-API-Key": own})
    assert r.status_code == 200 and r.json()["dossiers"] == 3
    for forged in ("WzFd", "bm90IGpzb24", "WyIyMTAwLTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwxXQ=="):
        r = api.client.get("/api/v1/stats/scorecard/at-risk", params={**MONTH, "cursor": forged})
        assert r.status_code == 422 and r.json()["code"] == "invalid_cursor", forged


def test_a_period_before_the_first_weights_is_a_clear_422(api: Api) -> None:
    api.province()
    r = api.client.get("/api/v1/stats/scorecard", params={"unit": PROVINCE, "period": "2021"})
    assert r.status_code == 422 and r.json()["code"] == "no_scorecard_weights"
    r = api.client.get("/api/v1/stats/scorecard", params={"unit": PROVINCE, "period": "2026-13"})
    assert r.status_code == 422


@pytest.mark.parametrize("acked", [("C", "D", "G")])
def test_synced_dossiers_from_the_portal_acknowledgements(
        api: Api, clock: Clock, engine: Engine, acked: tuple[str, ...]) -> None:
    """1.4 = dossiers received in the month that the portal acknowledged / received in it;
    G, refused at receipt, is in neither."""
    codes = tell(api, clock, vn("2026-04-10 09:00"))
    with Session(engine) as session:
        for name in acked:
            dossier = session.scalars(select(Dossier).where(Dossier.code == codes[name])).one()
            session.add(PortalSync(dossier_id=dossier.id, acked_version=1, state="acked",
                                   attempts=0, next_attempt_at=utcnow(), acked_at=utcnow()))
        session.commit()
        unit = session.get_one(Unit, PROVINCE)
        body = service.scorecard(session, unit, vn("2026-03-01").date(),
                                 vn("2026-03-31").date(), vn("2026-04-10").date(), sync_on=True)
    sync = next(i for i in body["indicators"] if i["code"] == "1.4")
    assert (sync["status"], sync["numerator"], sync["denominator"]) == ("computed", 2, 12)
    assert (sync["rate"], sync["points"]) == (Decimal("16.67"), Decimal("1.00"))
