"""The process's wiring handles every change a capability publishes."""

from __future__ import annotations

import pytest

from app.catalog.changes import PUBLISHED
from app.core.changes import Subscribers
from app.wiring import wire


@pytest.mark.parametrize("kind", PUBLISHED, ids=lambda k: k.__name__)
def test_every_published_change_has_a_handler(kind: type[object]) -> None:
    assert wire(Subscribers()).handles(kind)
