"""aggregate cells for the QĐ 766 progress indicator (2.1) and refusal at receipt

The national progress indicator counts every dossier that ended by its appointment (resolved
early or on time, refused after appraisal, withdrawn or stopped no later than the appointment)
plus pending within the deadline, and never a dossier with more than one supplement request.
The aggregates gain the cells it needs: a flow of dossiers ended by their appointment and the
running counts of pending dossiers with a second supplement request (open and overdue). A
refusal before any processing step (no processing_started, transfer or supplement request before
it) is a refusal at receipt: counted apart in its own column, in no received total.

The new columns start at 0. Existing dossiers get their cells, and existing refusals their
classification (it is derived from each dossier's timeline), by rebuilding the aggregates once
after the upgrade: `python -m app stats rebuild` (then `python -m app stats check` is equal).

Revision ID: 5e1d7a0c2f66
Revises: a7c3e91d5b20
Create Date: 2026-12-01 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5e1d7a0c2f66'
down_revision: str | None = 'a7c3e91d5b20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ('ended_by_appointment', 'multi_open_start', 'multi_open_stop',
           'multi_overdue_start', 'multi_overdue_stop', 'refused_at_receipt')
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
