"""aggregate cells for attribution by day: dossiers transferred in and out

Figures by handling unit now count each day for the unit holding the dossier at that day's end:
received, carried over and pending at a period's end where it was held, resolved where it was
resolved, so a transfer changes no figure of a day before it. Until now every day of a dossier
counted for its current handling unit, so a transfer re-filed its whole history. The aggregates
gain the two flows that balance a unit's figures across a transfer: dossiers handed to the unit
from outside it while open, and dossiers it handed on.

The new columns start at 0, and the existing rows still hold every dossier's history at its
current handling unit. Rebuild the aggregates once after the upgrade to move them to per-day
attribution: `python -m app stats rebuild` (then `python -m app stats check` is equal). Figures
by receiving unit are the same before and after.

Revision ID: 3b8f0d2c9a17
Revises: 3b8f2c6d9e41
Create Date: 2026-12-02 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '3b8f0d2c9a17'
down_revision: str | None = '3b8f2c6d9e41'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ('transferred_in', 'transferred_out')
TABLES = ('stat_day', 'stat_month')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in COLUMNS:
                batch_op.add_column(sa.Column(column, sa.Integer(), nullable=False,
                                              server_default='0'))
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in COLUMNS:
                batch_op.alter_column(column, server_default=None)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in COLUMNS:
                batch_op.drop_column(column)
