"""outbox events remember the appointment of a deadline event

The deadline scanner picked the first 1,000 overdue (or due-soon) dossiers every pass and
skipped those already notified in Python. With more than 1,000 waiting it re-read the same
ones forever, and the rest were never notified. Keeping the appointment on the event lets the
scan exclude notified dossiers in SQL. Existing deadline events get it from their dedupe key
("<type>:<dossier code>:<due_at ISO>"); other events keep NULL.

Revision ID: daeecf7de090
Revises: b476cb2d48d5
Create Date: 2026-11-21 10:35:06.208124
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = 'daeecf7de090'
down_revision: str | None = 'b476cb2d48d5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEADLINE_TYPES = ('dossier.overdue', 'dossier.due_soon')


def upgrade() -> None:
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', app.core.db.UTCDateTime(timezone=True),
                                      nullable=True))
    outbox = sa.table('outbox_events', sa.column('id', sa.BigInteger),
                      sa.column('type', sa.String), sa.column('dedupe_key', sa.String),
                      sa.column('due_at', app.core.db.UTCDateTime(timezone=True)))
    bind = op.get_bind()
    rows = bind.execute(sa.select(outbox.c.id, outbox.c.dedupe_key)
                        .where(outbox.c.type.in_(DEADLINE_TYPES))).all()
    filled = [{'row_id': row_id, 'due': datetime.fromisoformat(key.split(':', 2)[2])}
              for row_id, key in rows]
    if filled:
        bind.execute(outbox.update().where(outbox.c.id == sa.bindparam('row_id'))
                     .values(due_at=sa.bindparam('due')), filled)


def downgrade() -> None:
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.drop_column('due_at')
