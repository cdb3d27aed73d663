"""Decisions without a database: a command and a dossier as plain values in, a change out."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.auth.rules import Principal
from app.core.problems import Forbidden, ProblemError, Unprocessable
from app.dossiers import decisions, rules
from app.dossiers.decisions import (
    Answer,
    Applicant,
    Caller,
    Delivery,
    DossierChange,
    Officer,
    Officers,
    PostEvent,
    ProcedureFacts,
    Receive,
    Record,
    UnitFacts,
    VersionFacts,
)
from app.worktime.rules import ProcessingTime, WorkCalendar, WorkingHours, build_calendar
from tests.factories import vn

CAL = build_calendar(WorkingHours(), range(2025, 2029), {})
SKEW = timedelta(minutes=2)
NOW = vn("2026-03-20 09:00")
ADMIN = Principal(key_id=None, role="admin", unit_code=None, unit_path=None)
COMMUNE = Principal(key_id=7, role="counter", unit_code="C1", unit_path="/P/C1/")
POSTAL = Principal(key_id=8, role="postal", unit_code=None, unit_path=None)
UNITS = {
    "C1": UnitFacts("C1", "P", "/P/C1/"), "C2": UnitFacts("C2", "P", "/P/C2/"),
    "X1": UnitFacts("X1", "Q", "/Q/X1/"),
}
PROCEDURES = {
    "1.1": ProcedureFacts("1.1", online=False, postal=False, versions=(
        VersionFacts(1, None, ProcessingTime(days=5)),
        VersionFacts(2, vn("2026-03-10 00:00").date(), ProcessingTime(days=2)))),
    "1.2": ProcedureFacts("1.2", online=True, postal=True, versions=(
        VersionFacts(1, None, ProcessingTime(days=5), ProcessingTime(days=1)),)),
}
APPLICANT = Applicant("person", "Nguyễn Văn An", address="Số 1 Tràng Tiền")


def calendars(unit: str, start: datetime, end: datetime) -> WorkCalendar:
    return CAL


def receipt(**fields: object) -> Receive:
    values: dict[str, object] = {"procedure": "1.1", "receiving_unit": "C1", "channel": "direct",
                                 "applicant": APPLICANT, "fingerprint": "f",
                                 "received_at": vn("2026-03-02 08:00")}
    values.update(fields)
    return Receive(**values)  # type: ignore[arg-type]


def received(who: Principal = ADMIN, **fields: object) -> DossierChange:
    change = decisions.decide_receipt(receipt(**fields), Caller(who, NOW), SKEW, UNITS,
                                      PROCEDURES, calendars)
    return decisions.numbered(change, 1, "C1-260302-0001")


def event(type_: str, at: str, **fields: object) -> PostEvent:
    return PostEvent(dossier="C1-260302-0001", id=f"{type_}-{at}", type=type_,  # type: ignore[arg-type]
                     at=vn(at), fingerprint="e", details={}, **fields)  # type: ignore[arg-type]


def apply(record: Record, cmd: PostEvent, who: Principal = ADMIN) -> DossierChange:
    return decisions.decide_event(cmd, record, Caller(who, NOW), SKEW, UNITS,
                                  PROCEDURES[record.procedure], CAL)


def test_a_receipt_gets_its_appointment_from_the_version_in_force() -> None:
    change = received()
    assert change.before is None
    assert (change.after.code, change.after.id, change.after.procedure_version) == (
        "C1-260302-0001", 1, 1)
    assert change.after.state.due_at == vn("2026-03-06 17:00")  # five working days
    assert change.event is not None and change.event.type == "received"
    later = received(received_at=vn("2026-03-11 08:00"))
    assert later.after.procedure_version == 2  # two working days from 10 March
    assert later.after.state.due_at == vn("2026-03-12 17:00")


def test_online_receipts_use_the_online_time_and_need_the_channel() -> None:
    assert received(procedure="1.2", channel="online").after.state.due_at == vn(
        "2026-03-02 17:00")
    with pytest.raises(Unprocessable) as refused:
        received(channel="online")
    assert refused.value.code == "channel_not_offered"


@pytest.mark.parametrize(("fields", "problem"), [
    ({"receiving_unit": "nope"}, "unknown_unit"),
    ({"handling_unit": "nope"}, "unknown_unit"),
    ({"handling_unit": "X1"}, "outside_province"),
    ({"procedure": "nope"}, "unknown_procedure"),
    ({"received_at": NOW + timedelta(minutes=5)}, "received_in_future"),
    ({"return_by_post": True}, "postal_not_offered"),
    ({"procedure": "1.2", "return_by_post": True,
      "applicant": Applicant("person", "An")}, "delivery_address_missing"),
])
def test_a_refused_receipt_says_why(fields: dict[str, object], problem: str) -> None:
    with pytest.raises(ProblemError) as refused:
        received(COMMUNE, **fields)
    assert refused.value.code == problem


def test_a_key_receives_only_inside_its_unit() -> None:
    with pytest.raises(Forbidden):
        received(COMMUNE, receiving_unit="C2")


def test_an_event_moves_the_state_and_keeps_the_dossier_as_it_was() -> None:
    start = received().after
    change = apply(start, event("supplement_requested", "2026-03-03 10:00"))
    assert change.before is start
    assert change.after.state.status == "awaiting_supplement"
    assert set(change.changed()) == {"status", "last_event_at", "supplement_count",
                                     "paused_at"}
    resumed = apply(change.after, event("supplement_received", "2026-03-04 10:00")).after
    assert resumed.state.due_at == vn("2026-03-09 17:00")  # one working day paused: Monday
    assert start.state.status == "received"  # values, not rows: nothing changed in place


def test_postal_refusals_come_before_any_change() -> None:
    start = received(procedure="1.2").after
    done = apply(start, event("resolved", "2026-03-04 09:00")).after
    with pytest.raises(Unprocessable) as refused:
        apply(done, event("returned", "2026-03-05 09:00", method="postal"))
    assert refused.value.code == "waybill_missing"
    handed = apply(done, event("returned", "2026-03-05 09:00", method="postal", waybill="W1"))
    assert handed.after.has_postal_return
    no_address = replace(done, applicant=Applicant("person", "An"))
    with pytest.raises(Unprocessable) as refused:
        apply(no_address, event("returned", "2026-03-05 09:00", method="postal", waybill="W1"))
    assert refused.value.code == "delivery_address_missing"
    asked = apply(no_address, event("return_by_post_requested", "2026-03-05 09:00",
                                    delivery=Delivery(address="Số 9 Hàng Bài"))).after
    assert apply(asked, event("returned", "2026-03-06 09:00", method="postal",
                              waybill="W1")).after.state.status == "returned"
    with pytest.raises(Unprocessable) as refused:
        apply(received().after, event("return_by_post_requested", "2026-03-05 09:00"))
    assert refused.value.code == "postal_not_offered"


def test_a_transfer_stays_in_the_province() -> None:
    start = received().after
    assert apply(start, event("transferred", "2026-03-03 10:00",
                              to_unit="C2")).after.state.handling_unit == "C2"
    with pytest.raises(Forbidden):
        apply(start, event("transferred", "2026-03-03 10:00", to_unit="X1"), COMMUNE)


def test_a_replay_answers_as_the_first_time_as_this_caller_may_see_it() -> None:
    body = {"event": {}, "dossier": {"code": "C1", "applicant": {"name": "An"}}}
    first = decisions.replay(POSTAL, "e1", ("h", body), "h")
    assert isinstance(first, Answer) and first.replayed
    assert first.body["dossier"]["applicant"] is None
    assert isinstance(decisions.replay(ADMIN, "e1", ("h", body), "other"), ProblemError)


STEPS = st.sampled_from(rules.EVENT_TYPES)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(STEPS, st.integers(0, 72)), max_size=8))
def test_a_change_keeps_identity_and_reports_exactly_what_moved(
        steps: list[tuple[str, int]]) -> None:
    record = received(procedure="1.2").after
    at = record.state.received_at
    for type_, hours in steps:
        at += timedelta(hours=hours)
        cmd = PostEvent(dossier=record.code, id=f"{type_}{at}", type=type_,  # type: ignore[arg-type]
                        at=at, fingerprint="x", details={}, to_unit="C2", method="counter",
                        new_due_at=at + timedelta(days=30), waybill="W")
        try:
            change = apply(record, cmd)
        except ProblemError:
            continue  # a refusal is raised, never a half change
        assert change.before == record
        assert (change.after.id, change.after.code, change.after.applicant,
                change.after.procedure) == (record.id, record.code, record.applicant,
                                            record.procedure)
        moved = {n for n in decisions.STATE_FIELDS
                 if getattr(record.state, n) != getattr(change.after.state, n)}
        assert set(change.changed()) == moved
        assert change.after.state.last_event_at == at
        record = change.after


def refusal(caught: pytest.ExceptionInfo[ProblemError]) -> tuple[object, ...]:
    """A refusal as the problem document says it: code, detail and each field's problem."""
    e = caught.value
    return (e.code, e.detail, [(p.name, p.code, p.reason) for p in e.invalid_params])


VALIDITY = {**UNITS, "N1": UnitFacts("N1", "P", "/P/N1/", valid_from=vn("2026-04-01").date()),
            "O1": UnitFacts("O1", "P", "/P/O1/", valid_to=vn("2026-02-28").date())}


@pytest.mark.parametrize(("fields", "problem"), [
    ({"receiving_unit": "nope"}, ("unknown_unit", "No unit with code 'nope'.",
                                  [("receiving_unit", "unknown_unit", "no unit 'nope'")])),
    ({"handling_unit": "nope"}, ("unknown_unit", "No unit with code 'nope'.",
                                 [("handling_unit", "unknown_unit", "no unit 'nope'")])),
    ({"receiving_unit": "O1", "handling_unit": "C1"}, (
        "unit_not_valid", "Unit 'O1' does not exist on 2026-03-02: it is valid from … to "
        "2026-02-28.", [("receiving_unit", "unit_not_valid",
                         "unit 'O1' is valid from … to 2026-02-28, not on 2026-03-02")])),
    ({"procedure": "nope"}, ("unknown_procedure", "No procedure with code 'nope'.",
                             [("procedure", "unknown_procedure",
                               "No procedure with code 'nope'.")])),
    ({"channel": "online"}, ("channel_not_offered", "Procedure '1.1' cannot be filed online.",
                             [("channel", "not_offered", "not offered online")])),
    ({"handling_unit": "N1"}, (
        "unit_not_valid", "Unit 'N1' does not exist on 2026-03-02: it is valid from 2026-04-01 "
        "to ….", [("handling_unit", "unit_not_valid",
                   "unit 'N1' is valid from 2026-04-01 to …, not on 2026-03-02")])),
    ({"handling_unit": "O1"}, (
        "unit_not_valid", "Unit 'O1' does not exist on 2026-03-02: it is valid from … to "
        "2026-02-28.", [("handling_unit", "unit_not_valid",
                         "unit 'O1' is valid from … to 2026-02-28, not on 2026-03-02")])),
    ({"return_by_post": True}, (
        "postal_not_offered", "Procedure '1.1' does not offer return by post.",
        [("return_by_post", "not_offered", "not offered")])),
    ({"procedure": "1.2", "return_by_post": True, "applicant": Applicant("person", "An")}, (
        "delivery_address_missing",
        "A delivery address is needed: the applicant has none on file.",
        [("delivery.address", "missing", "required")])),
])
def test_a_refused_receipt_names_the_field_and_why(fields: dict[str, object],
                                                    problem: tuple[object, ...]) -> None:
    with pytest.raises(ProblemError) as refused:
        decisions.decide_receipt(receipt(**fields), Caller(ADMIN, NOW), SKEW, VALIDITY,
                                 PROCEDURES, calendars)
    assert refusal(refused) == problem


def test_the_keys_scope_is_checked_before_anything_else() -> None:
    with pytest.raises(Forbidden) as refused:
        received(COMMUNE, receiving_unit="C2", procedure="nope")
    assert refusal(refused) == ("outside_unit_scope",
                                "This key's unit does not cover this dossier.", [])
    with pytest.raises(Forbidden) as refused:
        received(COMMUNE, handling_unit="X1", procedure="nope")
    assert refusal(refused) == (
        "outside_province",
        "This key may hand dossiers only to units of its own province; 'X1' is in another.",
        [("handling_unit", "outside_province", "a unit of another province")])


def test_a_receipt_is_decided_whole_on_its_counters_calendar() -> None:
    asked: list[tuple[str, datetime, datetime]] = []

    def counters(unit: str, start: datetime, end: datetime) -> WorkCalendar:
        asked.append((unit, start, end))
        return CAL

    at = vn("2026-03-02 08:00")
    cmd = receipt(procedure="1.2", handling_unit="C2", client_ref="ref-1", documents=("Đơn",),
                  waybill="W0", return_by_post=True, applicant=Applicant("person", "An"),
                  delivery=Delivery(address="Số 9 Hàng Bài"))
    change = decisions.decide_receipt(cmd, Caller(COMMUNE, NOW), SKEW, UNITS, PROCEDURES,
                                      counters)
    assert asked == [("C1", at, at)]
    assert change == DossierChange(None, Record(
        id=0, code="", province_code="P", procedure="1.2", procedure_version=1,
        receiving_unit="C1", channel="direct", client_ref="ref-1",
        applicant=Applicant("person", "An"), state=rules.receive("C2", at,
                                                                 ProcessingTime(days=5), CAL),
        updated_at=NOW, has_postal_return=True), decisions.Step(
        id="ref-1", type="received", at=at, recorded_at=NOW, details={
            "channel": "direct", "procedure": "1.2", "receiving_unit": "C1",
            "handling_unit": "C2", "documents": ["Đơn"], "waybill": "W0"}), {}, COMMUNE, cmd)
    assert received().event.id == "received"  # type: ignore[union-attr]
    assert received().after.has_postal_return is False


def test_a_direct_receipt_keeps_the_counter_time_where_online_is_quicker() -> None:
    assert received(procedure="1.2").after.state.due_at == vn("2026-03-06 17:00")


def test_a_decided_event_is_the_callers_at_its_now() -> None:
    start = replace(received().after, updated_at=vn("2026-03-02 08:00"))
    cmd = replace(event("apology_issued", "2026-03-05 09:00",
                        new_due_at=vn("2026-03-12 17:00")), details={"reason_code": "workload"})
    change = apply(start, cmd, COMMUNE)
    assert (change.by, change.command, change.flags) == (COMMUNE, cmd, {"tardy": False,
                                                                        "second": False})
    assert change.after == replace(start, state=change.after.state, updated_at=NOW)
    assert change.after.state.rescheduled_due_at == vn("2026-03-12 17:00")
    assert change.event == decisions.Step(id="apology_issued-2026-03-05 09:00",
                                          type="apology_issued", at=vn("2026-03-05 09:00"),
                                          recorded_at=NOW, details={"reason_code": "workload"})
    done = apply(change.after, event("resolved", "2026-03-06 09:00")).after
    back = apply(done, event("returned", "2026-03-06 10:00", method="counter", rating=4)).after
    # A result returned at the counter needs no waybill and keeps no postal return.
    assert (back.state.rating, back.state.return_method, back.has_postal_return) == (
        4, "counter", False)


@pytest.mark.parametrize(("to_unit", "problem"), [
    ("nope", ("unknown_unit", "No unit with code 'nope'.",
              [("to_unit", "unknown_unit", "no unit 'nope'")])),
    ("X1", ("outside_province",
            "This key may hand dossiers only to units of its own province; 'X1' is in another.",
            [("to_unit", "outside_province", "a unit of another province")])),
    ("N1", ("unit_not_valid", "Unit 'N1' does not exist on 2026-03-03: it is valid from "
            "2026-04-01 to ….", [("to_unit", "unit_not_valid",
                                  "unit 'N1' is valid from 2026-04-01 to …, not on 2026-03-03")])),
])
def test_a_transfer_names_what_is_wrong_with_its_target(to_unit: str,
                                                        problem: tuple[object, ...]) -> None:
    with pytest.raises(ProblemError) as refused:
        decisions.decide_event(event("transferred", "2026-03-03 10:00", to_unit=to_unit),
                               received().after, Caller(COMMUNE, NOW), SKEW, VALIDITY,
                               PROCEDURES["1.1"], CAL)
    assert refusal(refused) == problem


def test_only_a_transfer_has_its_target_unit_checked() -> None:
    cmd = event("processing_started", "2026-03-03 10:00", to_unit="nope")
    assert apply(received().after, cmd, COMMUNE).after.state.status == "processing"


def test_postal_refusals_name_their_field() -> None:
    done = apply(received(procedure="1.2").after, event("resolved", "2026-03-04 09:00")).after
    with pytest.raises(Unprocessable) as refused:
        apply(done, event("returned", "2026-03-05 09:00", method="postal"))
    assert refusal(refused) == ("waybill_missing", "A result handed to the post needs its waybill.",
                                [("waybill", "missing", "required by post")])


def test_a_reused_id_with_another_request_is_a_conflict_and_a_bare_body_hides_its_applicant(
        ) -> None:
    conflict = decisions.replay(ADMIN, "e1", ("h", {}), "other")
    assert isinstance(conflict, ProblemError)
    assert (conflict.status, conflict.code, conflict.detail) == (
        409, "idempotency_key_reused", "The id 'e1' was already used for a different request.")
    bare = {"code": "C1", "applicant": {"name": "An"}}
    assert decisions.as_seen_by(POSTAL, bare) == {"code": "C1", "applicant": None}
    assert decisions.as_seen_by(ADMIN, bare) is bare


def test_a_stored_dossier_counted_afresh_is_a_change_from_nothing() -> None:
    record = received().after
    assert decisions.DossierChange.as_stored(record) == DossierChange(None, record, None, {})
    assert decisions.DossierChange.as_stored(record).changed() == decisions.STATE_FIELDS


def test_the_officers_of_the_receipt_the_result_and_the_return_are_kept() -> None:
    minh, hanh = Officer("cb-0042", "Trần Văn Minh"), Officer("cb-0107", "Lê Thị Hạnh")
    change = received(officer=minh)
    assert change.after.officers == Officers(received_by=minh)
    assert change.event is not None
    assert change.event.details["officer"] == {"id": "cb-0042", "name": "Trần Văn Minh"}
    assert "officer" not in received().event.details  # type: ignore[union-attr]
    record = change.after
    for cmd, expected in (
            (event("processing_started", "2026-03-02 09:00", officer=hanh),
             Officers(received_by=minh)),
            (event("resolved", "2026-03-03 09:00", officer=hanh),
             Officers(received_by=minh, resolved_by=hanh)),
            (event("returned", "2026-03-04 09:00", method="counter", rating=5, officer=minh),
             Officers(received_by=minh, resolved_by=hanh, returned_by=minh))):
        record = apply(record, cmd).after
        assert record.officers == expected, cmd.type
