"""Reading a history row into the API's bodies: pure, no database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.clock import VN_TZ
from app.history.rules import (
    RowError,
    event_id,
    groups,
    in_order,
    local_instant,
    outcome,
    split,
    unflatten,
)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_a_time_without_offset_is_that_wall_clock_time_in_vietnam(at: datetime) -> None:
    read = datetime.fromisoformat(str(local_instant(at.isoformat())))
    assert read.utcoffset() == timedelta(hours=7)
    assert read.replace(tzinfo=None) == at
    assert read == at.replace(tzinfo=VN_TZ)


@pytest.mark.parametrize("text", [
    "2025-07-01T08:00:00+07:00", "2025-07-01T01:00:00Z", "2025-07-01",
    "01/07/2025 08:00", "8:00", "",
])
def test_anything_but_a_local_iso_time_is_left_for_the_api_to_judge(text: str) -> None:
    assert local_instant(text) == text


def test_a_space_or_seconds_fraction_still_reads_as_local_time() -> None:
    assert local_instant("2025-07-01 08:00") == "2025-07-01T08:00:00+07:00"
    assert local_instant("2025-07-01T08:00:05.5") == "2025-07-01T08:00:05.500000+07:00"


def test_dotted_columns_nest_and_numbered_events_are_a_list_in_number_order() -> None:
    row = unflatten({"client_ref": "A", "applicant.name": "An", "return_by_post": "true",
                     "documents": '["Tờ khai"]', "events.10.type": "returned",
                     "events.2.type": "resolved", "events.1.type": "processing_started"})
    assert row == {"client_ref": "A", "applicant": {"name": "An"}, "return_by_post": True,
                   "documents": ["Tờ khai"],
                   "events": [{"type": "processing_started"}, {"type": "resolved"},
                              {"type": "returned"}]}


@pytest.mark.parametrize(("cells", "field"), [
    ({"events": "[{"}, "events"),
    ({"applicant": "An", "applicant.name": "An"}, "applicant.name"),
    ({"events.0.type": "resolved"}, "events.0"),
])
def test_a_row_of_the_wrong_shape_names_its_column(cells: dict[str, str], field: str) -> None:
    with pytest.raises(RowError) as caught:
        unflatten(cells)
    assert caught.value.problems[0][0] == field


def test_every_misshapen_column_of_a_row_is_named_and_text_stays_text() -> None:
    with pytest.raises(RowError) as caught:
        unflatten({"documents": "[", "applicant.address": "Xã Tân Lập", "events": "{x",
                   "events.0.type": "resolved"})
    assert [f for f, _ in caught.value.problems] == ["documents", "events"]
    assert str(caught.value).startswith("documents: not valid JSON: ")
    assert "; events: not valid JSON: " in str(caught.value)
    with pytest.raises(RowError) as caught:
        unflatten({"events.x.type": "resolved"})
    assert caught.value.problems == [
        ("events.x", "events columns are numbered from 1: events.1.at")]
    # Only a cell opening with [ or { is JSON: any other text stays text, braces and all.
    assert unflatten({"applicant.address": "Xã Tân Lập {thôn 3}"}) == {
        "applicant": {"address": "Xã Tân Lập {thôn 3}"}}


def test_events_get_ids_from_their_place_and_keep_the_files_own() -> None:
    receipt, events = split({"client_ref": "A", "received_at": "2025-07-01 08:00",
                             "events": [{"type": "resolved", "at": "2025-07-02 09:00"},
                                        {"id": "old-77", "type": "returned",
                                         "at": "2025-07-03T09:00:00+07:00"}]})
    assert receipt == {"client_ref": "A", "received_at": "2025-07-01T08:00:00+07:00"}
    assert events == [
        {"id": event_id(1), "type": "resolved", "at": "2025-07-02T09:00:00+07:00"},
        {"id": "old-77", "type": "returned", "at": "2025-07-03T09:00:00+07:00"}]


CLIENT_REF_REQUIRED = ("required: the dossier's id in the previous system, which makes a "
                       "second import of the row change nothing")


@pytest.mark.parametrize(("row", "problem"), [
    ({"procedure": "1"}, ("client_ref", CLIENT_REF_REQUIRED)),
    ({"client_ref": "  "}, ("client_ref", CLIENT_REF_REQUIRED)),
    ({"client_ref": "A", "events": {"type": "resolved"}}, ("events", "must be a list of events")),
    ({"client_ref": "A", "events": ["resolved"]}, ("events.1", "must be an object (one event)")),
    (["not", "an", "object"], ("row", "must be an object (one dossier)")),
])
def test_a_row_without_its_id_or_with_misshapen_events_is_refused(
        row: object, problem: tuple[str, str]) -> None:
    with pytest.raises(RowError) as caught:
        split(row)  # type: ignore[arg-type]
    assert caught.value.problems == [problem]
    assert str(caught.value) == f"{problem[0]}: {problem[1]}"


def test_a_row_without_events_is_a_receipt_alone() -> None:
    assert split({"client_ref": "A"}) == ({"client_ref": "A"}, [])


def test_only_the_time_fields_of_an_event_are_read_as_local_time() -> None:
    _, events = split({"client_ref": "A", "events": [
        {"type": "apology_issued", "at": "2025-07-02 09:00", "new_due_at": "2025-07-09 17:00",
         "reason": "2025-07-02 09:00"}]})
    assert events == [{"id": "history-1", "type": "apology_issued",
                       "at": "2025-07-02T09:00:00+07:00", "new_due_at": "2025-07-09T17:00:00+07:00",
                       "reason": "2025-07-02 09:00"}]


def test_events_are_applied_in_time_order_and_ties_keep_the_files_order() -> None:
    t = datetime(2025, 7, 1, 8, tzinfo=VN_TZ)
    pairs = [(1, t + timedelta(days=2)), (2, t), (3, t + timedelta(days=2)), (4, t)]
    assert [p for p, _ in in_order(pairs, lambda at: at)] == [2, 4, 1, 3]


@pytest.mark.parametrize(("receipt", "events", "expected"), [
    (False, [False, False], "created"),
    (True, [True, False], "updated"),
    (True, [True, True], "unchanged"),
    (True, [], "unchanged"),
])
def test_what_a_row_did(receipt: bool, events: list[bool], expected: str) -> None:
    assert outcome(receipt, events) == expected


@given(st.lists(st.integers(), max_size=50), st.integers(min_value=1, max_value=12))
def test_groups_cut_the_rows_in_order_without_losing_one(rows: list[int], size: int) -> None:
    cut = list(groups(iter(rows), size))
    assert [r for g in cut for r in g] == rows
    assert all(len(g) == size for g in cut[:-1])
    assert all(0 < len(g) <= size for g in cut)
