"""The publish/subscribe seam: typed, in the publisher's session, and loud when unwired."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from app.core.changes import Subscribers, Unhandled


@dataclass(frozen=True)
class Renamed:
    name: str


@dataclass(frozen=True)
class RenamedTwice(Renamed):
    pass


def test_handlers_run_in_order_in_the_publishers_session() -> None:
    subscribers, seen = Subscribers(), []
    session = Session()
    subscribers.subscribe(Renamed, lambda s, c: seen.append(("first", s, c.name)))
    subscribers.subscribe(Renamed, lambda s, c: seen.append(("second", s, c.name)))
    subscribers.publish(session, Renamed("A"))
    assert seen == [("first", session, "A"), ("second", session, "A")]


def test_subscribing_again_runs_a_handler_once() -> None:
    subscribers, seen = Subscribers(), []

    def handler(_session: Session, change: Renamed) -> None:
        seen.append(change)

    subscribers.subscribe(Renamed, handler)
    subscribers.subscribe(Renamed, handler)
    subscribers.publish(Session(), Renamed("A"))
    assert seen == [Renamed("A")]


def test_a_change_nothing_subscribes_to_is_an_error() -> None:
    subscribers = Subscribers()
    subscribers.subscribe(Renamed, lambda _s, _c: None)
    assert subscribers.handles(Renamed) and not subscribers.handles(RenamedTwice)
    # Exact types: a subclass is a change of its own, which needs its own handler.
    with pytest.raises(Unhandled, match="RenamedTwice"):
        subscribers.publish(Session(), RenamedTwice("A"))
