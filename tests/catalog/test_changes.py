"""What the catalogue publishes: a move re-files figures only through a wired handler, and a
unit or procedure still referred to is refused by the database's own foreign keys."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.auth.dependencies import ADMIN_BOOTSTRAP
from app.calendar import stamp
from app.catalog import service
from app.catalog.changes import UnitsChanged, UnitsMoved
from app.catalog.models import Unit
from app.catalog.schemas import UnitPatch
from app.core import changes
from app.core.changes import Subscribers, Unhandled
from app.core.db import Database
from app.core.problems import Conflict
from tests.factories import AGENCY, COMMUNE, OTHER_COMMUNE, PROCEDURE, PROVINCE, Api, vn

NOW = vn("2026-03-02 08:00")


def test_a_move_nothing_handles_is_an_error(
    api: Api, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.province()
    calendars_only = Subscribers()
    calendars_only.subscribe(UnitsChanged, stamp.units_changed)
    monkeypatch.setattr(changes, "SUBSCRIBERS", calendars_only)
    with Session(engine) as session, session.begin():
        service.update_unit(session, ADMIN_BOOTSTRAP, COMMUNE, UnitPatch(name="Phường Mới"), NOW)
        with pytest.raises(Unhandled, match="UnitsMoved"):
            service.update_unit(session, ADMIN_BOOTSTRAP, COMMUNE, UnitPatch(parent=AGENCY), NOW)


def test_a_move_publishes_the_subtree_before_and_after(
    api: Api, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.province()
    api.unit("X", "commune", COMMUNE)
    seen: list[object] = []
    recording = Subscribers()
    recording.subscribe(UnitsChanged, lambda _s, change: seen.append(change))
    recording.subscribe(UnitsMoved, lambda _s, change: seen.append(change))
    monkeypatch.setattr(changes, "SUBSCRIBERS", recording)
    with Session(engine) as session, session.begin():
        service.update_unit(session, ADMIN_BOOTSTRAP, COMMUNE, UnitPatch(parent=AGENCY), NOW)
    assert seen == [
        UnitsMoved(
            paths_before={COMMUNE: f"/{PROVINCE}/{COMMUNE}/", "X": f"/{PROVINCE}/{COMMUNE}/X/"},
            paths_after={COMMUNE: f"/{PROVINCE}/{AGENCY}/{COMMUNE}/",
                         "X": f"/{PROVINCE}/{AGENCY}/{COMMUNE}/X/"}),
        UnitsChanged(frozenset({COMMUNE, "X"})),
    ]


# Each kind of row that refers to a unit, made through the API: the unit it blocks.
REFERENCES: dict[str, Callable[[Api], str]] = {
    "sub-unit": lambda api: PROVINCE,
    "merged unit": lambda api: (api.client.patch(f"/api/v1/units/{OTHER_COMMUNE}",
                                                 json={"merged_into": COMMUNE}), COMMUNE)[1],
    "dossier received": lambda api: (api.receive("2026-03-02 08:00"), COMMUNE)[1],
    "dossier handled": lambda api: (api.receive("2026-03-02 08:00", handling_unit=AGENCY),
                                    AGENCY)[1],
    "key": lambda api: (api.key("counter", AGENCY), AGENCY)[1],
}


@pytest.mark.parametrize("reference", sorted(REFERENCES))
def test_a_unit_referred_to_is_not_deleted(api: Api, reference: str) -> None:
    api.province()
    code = REFERENCES[reference](api)
    r = api.client.delete(f"/api/v1/units/{code}")
    assert (r.status_code, r.json()["code"]) == (409, "unit_in_use")
    assert api.client.get(f"/api/v1/units/{code}").status_code == 200
    trail = api.client.get("/api/v1/audit", params={"entity": "unit", "entity_id": code})
    actions = {e["action"] for e in trail.json()["items"]}
    assert "create" in actions and "delete" not in actions


def test_a_refused_delete_leaves_the_transaction_usable(api: Api, database_url: str) -> None:
    api.province()
    api.receive("2026-03-02 08:00")
    # The app's own engine: on SQLite, foreign keys hold only on connections that enable them.
    db = Database.from_urls(database_url)
    try:
        with db.transaction() as session:
            with pytest.raises(Conflict, match="has dossiers"):
                service.delete_procedure(session, ADMIN_BOOTSTRAP, PROCEDURE, NOW)
            with pytest.raises(Conflict, match="sub-units"):
                service.delete_unit(session, ADMIN_BOOTSTRAP, COMMUNE, NOW)
            # The savepoint undid each delete: the rows are there, the transaction goes on.
            service.update_unit(session, ADMIN_BOOTSTRAP, AGENCY, UnitPatch(name="Sở Mới"), NOW)
            assert session.get(Unit, COMMUNE) is not None
            assert session.scalars(select(AuditEntry.action).where(
                AuditEntry.entity_id == AGENCY)).all()[-1] == "update"
    finally:
        db.dispose()
