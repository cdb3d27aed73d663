"""procedure steps and step deadlines: the internal process of interconnected processing

A procedure version may divide its legal time into steps (quy trình nội bộ liên thông), each
with its performer and working-time allotment: `procedure_versions.steps`, a JSON list, [] for
every existing version (none had steps). A dossier at a step keeps its position, its start
and its own deadline: three nullable columns of `dossiers`, null for every existing dossier,
which is what a version without steps gives, so existing dossiers are unchanged and the
statistics need no rebuild (the steps are in no aggregate cell).

Revision ID: 7c41d9e2a5b3
Revises: 50de0c73d452
Create Date: 2026-12-02 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = '7c41d9e2a5b3'
down_revision: str | None = '50de0c73d452'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('procedure_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('steps', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
    with op.batch_alter_table('procedure_versions', schema=None) as batch_op:
        batch_op.alter_column('steps', server_default=None)
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('current_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('step_started_at', app.core.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('step_due_at', app.core.db.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    # The steps and the dossiers' step deadlines go; appointments and timelines stay as they are.
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('step_due_at')
        batch_op.drop_column('step_started_at')
        batch_op.drop_column('current_step')
    with op.batch_alter_table('procedure_versions', schema=None) as batch_op:
        batch_op.drop_column('steps')
