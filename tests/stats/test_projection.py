"""The statistics projection without a database: changes in, aggregate row changes out."""

from __future__ import annotations

from app.dossiers.decisions import DossierChange
from app.stats import projection
from app.stats.projection import Prepared
from app.stats.rules import EventFact
from tests.dossiers.test_decisions import apply, event, received

PATHS = {"C1": "/P/C1/", "C2": "/P/C2/"}


def test_a_receipt_adds_its_cells_to_its_units_and_their_ancestors() -> None:
    rows = projection.project([received()], Prepared({}, PATHS))
    assert rows[("b", "C1", "1.1", received().after.state.received_at.date())] == {
        "received_direct": 1, "opened": 1}
    assert {unit for _, unit, _, _ in rows} == {"C1", "P"}


def test_a_change_that_cannot_move_the_figures_computes_none() -> None:
    start = received(procedure="1.2").after
    asked = apply(start, event("return_by_post_requested", "2026-03-03 10:00"))
    assert asked.changed() == ("last_event_at",)
    assert projection.project([asked], Prepared({}, PATHS)) == {}


def test_a_group_of_changes_counts_each_dossier_once_from_first_to_last() -> None:
    start = received()
    first = apply(start.after, event("processing_started", "2026-03-02 10:00"))
    second = apply(first.after, event("transferred", "2026-03-03 10:00", to_unit="C2"))
    together = projection.project([start, first, second], Prepared({}, PATHS))
    stored = DossierChange.as_stored(second.after)
    counted = {second.after.id: [EventFact("processing_started", first.after.state.last_event_at,
                                           {}),
                                 EventFact("transferred", second.after.state.last_event_at,
                                           second.flags)]}
    # The write path and a rebuild (the stored dossier with its stored events) agree.
    assert together == projection.project([stored], Prepared(counted, PATHS))
    # Attribution by day: the receipt day stays with C1, which held the dossier then; C2
    # holds it from the transfer's day.
    received_day = start.after.state.received_at.date()
    assert together[("b", "C1", "1.1", received_day)]["received_direct"] == 1
    assert ("h", "C2", "1.1", received_day) not in together
    assert together[("h", "C2", "1.1", second.after.state.last_event_at.date())]
