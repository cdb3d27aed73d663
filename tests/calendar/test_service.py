"""Loading calendars: built once per transaction, and never staler than the transaction."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.auth.dependencies import ADMIN_BOOTSTRAP
from app.calendar.models import CacheStamp, CalendarOverride
from app.calendar.schemas import OverrideIn
from app.calendar.service import calendar_for, set_override
from app.catalog.models import Unit
from tests.factories import COMMUNE, Api, vn

MONDAY = date(2026, 3, 2)
START = vn("2026-01-05 08:00")


def _commune(session: Session) -> Unit:
    unit = session.get(Unit, COMMUNE)
    assert unit is not None
    return unit


def test_an_override_set_in_the_transaction_reaches_its_next_calendar(
    api: Api, engine: Engine
) -> None:
    api.province()
    with Session(engine) as session, session.begin():
        assert calendar_for(session, _commune(session), START).is_working_day(MONDAY)
        set_override(session, ADMIN_BOOTSTRAP, MONDAY, COMMUNE, OverrideIn(working=False), START)
        assert not calendar_for(session, _commune(session), START).is_working_day(MONDAY)


# Another request changes an input of the commune's calendar: an override, or working hours.
CHANGES = {
    "override": ("PUT", f"/api/v1/calendar/overrides/{MONDAY}", {"unit": COMMUNE},
                 {"working": False, "note": "nghỉ bù"}),
    "working_hours": ("PATCH", f"/api/v1/units/{COMMUNE}", {}, {"working_hours": {
        "sessions": [["07:30", "11:30"]], "weekdays": [1, 2, 3, 4]}}),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_from_another_request_reaches_the_next_transaction(
    api: Api, engine: Engine, change: str
) -> None:
    api.province()
    method, url, params, body = CHANGES[change]
    with Session(engine) as session:
        assert calendar_for(session, _commune(session), START).is_working_day(MONDAY)
        session.commit()
        r = api.client.request(method, url, params=params, json=body)
        assert r.status_code == 200, r.text
        assert not calendar_for(session, _commune(session), START).is_working_day(MONDAY)


def test_without_a_stamp_calendars_are_built_afresh(api: Api, engine: Engine) -> None:
    api.province()
    with Session(engine) as session, session.begin():
        session.execute(delete(CacheStamp))
    with Session(engine) as session:
        assert calendar_for(session, _commune(session), START).is_working_day(MONDAY)
        session.commit()
        # A change made behind the service's back: nothing could have told the cache.
        session.add(CalendarOverride(scope=COMMUNE, day=MONDAY, working=False))
        session.commit()
        assert not calendar_for(session, _commune(session), START).is_working_day(MONDAY)
