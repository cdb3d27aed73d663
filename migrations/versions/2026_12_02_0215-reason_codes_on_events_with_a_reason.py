"""reason codes: events that carry a reason get a code from a fixed list

Dashboards see a reason code (mã lý do) instead of the clerk's free-text reason. New events
get the code the client sent, or "other"; this gives every existing event of those types
"other" too, the value the API now records for a reason sent without a code, so each such
event has a code and dashboards never meet a missing one. The free-text reason stays. The
stored answers of those events (replayed on a retry) are left as first given.

Revision ID: 50de0c73d452
Revises: 49cee85c951d
Create Date: 2026-12-02 02:15:00
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '50de0c73d452'
down_revision: str | None = '49cee85c951d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TYPES = ('supplement_requested', 'refused', 'stopped', 'withdrawn', 'apology_issued',
         'delivery_failed')
CHUNK = 5000

events = sa.table('dossier_events', sa.column('id', sa.BigInteger), sa.column('type', sa.String),
                  sa.column('payload', sa.JSON))


def _rewrite(change: Callable[[dict[str, Any]], dict[str, Any] | None]) -> None:
    """Apply `change` to the payload of every event of TYPES, in chunks (None: unchanged)."""
    conn = op.get_bind()
    update = (sa.update(events).where(events.c.id == sa.bindparam('b_id'))
              .values(payload=sa.bindparam('b_payload', type_=sa.JSON)))
    last = 0
    while True:
        rows = conn.execute(sa.select(events.c.id, events.c.payload)
                            .where(events.c.type.in_(TYPES), events.c.id > last)
                            .order_by(events.c.id).limit(CHUNK)).all()
        if not rows:
            break
        changed = [{'b_id': i, 'b_payload': new} for i, new in
                   ((i, change(dict(p))) for i, p in rows) if new is not None]
        if changed:
            conn.execute(update, changed)
        last = rows[-1][0]


def _add(payload: dict[str, Any]) -> dict[str, Any] | None:
    return None if 'reason_code' in payload else {**payload, 'reason_code': 'other'}


def _drop(payload: dict[str, Any]) -> dict[str, Any] | None:
    if 'reason_code' not in payload:
        return None
    return {k: v for k, v in payload.items() if k != 'reason_code'}


def upgrade() -> None:
    _rewrite(_add)


def downgrade() -> None:
    _rewrite(_drop)
