"""Random event sequences through the API: what is stored always equals the pure rules.

A refused event (409/422) leaves the dossier and its timeline exactly as they were; a
retried event replays its first answer; a reused id with another body is refused; every
dossier keeps exactly one receipt event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.core.problems import ProblemError
from app.dossiers import rules
from app.dossiers.rules import DossierState, Event
from app.worktime.rules import ProcessingTime, WorkingHours, build_calendar
from tests.conftest import Clock
from tests.dossiers.test_rules_properties import SKEW, Oracle, Scenario, scenarios
from tests.factories import AGENCY, COMMUNE, PROCEDURE, Api

# A unit without overrides gets the national holidays and the default working hours.
CAL = build_calendar(WorkingHours(), range(2025, 2030), {})
HOURS_PROCEDURE = "4H"
PROCEDURES = {ProcessingTime(days=5): PROCEDURE, ProcessingTime(hours=4): HOURS_PROCEDURE}


def body(event: Event, id_: str) -> dict[str, Any]:
    """The API body of a rules event; a missing field stays missing (the schema's 422)."""
    fields: dict[str, Any] = {"id": id_, "type": event.type, "at": event.at.isoformat()}
    if event.type in ("supplement_requested", "refused", "stopped", "apology_issued",
                      "delivery_failed"):
        fields["reason"] = "Lý do"
    new_due = event.new_due_at.isoformat() if event.new_due_at else None
    optional: dict[str, dict[str, Any]] = {
        "transferred": {"to_unit": event.to_unit}, "apology_issued": {"new_due_at": new_due},
        # A result handed to the post carries its waybill (the API's own rule, not the lifecycle's).
        "returned": {"method": event.method, "rating": event.rating,
                     "waybill": "EB123456789VN" if event.method == "postal" else None},
    }
    fields.update({k: v for k, v in optional.get(event.type, {}).items() if v is not None})
    return fields


def instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def assert_stored_equals(dossier: dict[str, Any], state: DossierState) -> None:
    """The API's view of a dossier against the state the rules computed."""
    assert dossier["status"] == state.status
    assert dossier["handling_unit"] == state.handling_unit
    assert instant(dossier["due_at"]) == state.due_at
    assert instant(dossier["rescheduled_due_at"]) == state.rescheduled_due_at
    assert dossier["timeliness"] == state.timeliness
    assert instant(dossier["resolved_at"]) == state.resolved_at
    assert instant(dossier["finished_at"]) == state.finished_at
    assert dossier["paused"] == (state.paused_at is not None)
    assert (dossier["supplement_count"], dossier["apology_count"]) == (
        state.supplement_count, state.apology_count)


def receipts_per_dossier(engine: Engine) -> set[int]:
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT d.id, count(e.id) FROM dossiers d LEFT JOIN dossier_events e "
            "ON e.dossier_id = d.id AND e.type = 'received' GROUP BY d.id"))
        return {int(n) for _, n in rows}


def test_random_event_sequences_through_the_api(api: Api, clock: Clock, engine: Engine) -> None:
    api.province()
    api.procedure(HOURS_PROCEDURE, hours=4)
    times = st.sampled_from(list(PROCEDURES))

    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(scenarios([CAL], (COMMUNE, AGENCY), times, max_events=10), st.data())
    def run(scenario: Scenario, data: st.DataObject) -> None:
        clock.now = scenario.now
        code = api.receive(scenario.state.received_at,
                           procedure=PROCEDURES[scenario.time])["code"]
        state, oracle = scenario.state, Oracle(receipt_due=scenario.state.due_at, cal=CAL)
        for n, event in enumerate(scenario.events):
            before = api.dossier(code)
            r = api.client.post(f"/api/v1/dossiers/{code}/events", json=body(event, f"e{n}"))
            try:
                state_after, _ = rules.apply_event(state, event, CAL, scenario.now, SKEW)
            except ProblemError as exc:
                assert r.status_code == exc.status or r.status_code == 422, r.text
                assert api.dossier(code) == before
                continue
            assert r.status_code == 201, r.text
            oracle.record(state, event)
            state = state_after
            oracle.check(state)
            assert_stored_equals(r.json()["dossier"], state)
            if data.draw(st.booleans(), label="retry"):
                again = api.client.post(f"/api/v1/dossiers/{code}/events",
                                        json=body(event, f"e{n}"))
                assert (again.status_code, again.json()) == (201, r.json())
                reused = api.client.post(f"/api/v1/dossiers/{code}/events",
                                         json={**body(event, f"e{n}"), "at": "2026-01-01T00:00Z"})
                assert reused.json()["code"] == "idempotency_key_reused"
        stored = api.dossier(code)
        assert_stored_equals(stored, state)
        assert len(stored["timeline"]) == 1 + len(oracle.accepted)

    run()
    assert receipts_per_dossier(engine) == {1}
