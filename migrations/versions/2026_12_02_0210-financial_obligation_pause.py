"""financial-obligation pause: its own status, its own paused time, its own counted cell

A dossier may wait for the applicant to pay financial obligations (nghĩa vụ tài chính, e.g.
land-use fees and taxes). The clock pauses then, as for a supplement, but the pause is kept
apart: the status `awaiting_financial_obligation` (the status column widens to hold it, and its
check admits it), the working seconds of such pauses in `obligation_paused_seconds` (0 for every
existing dossier: none had one), and a flow cell counting the requests per day in the
aggregates (0 everywhere: no existing event is such a request, so no rebuild is needed).

Revision ID: 3b8f2c6d9e41
Revises: d6dcc8a24695
Create Date: 2026-12-02 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '3b8f2c6d9e41'
down_revision: str | None = 'd6dcc8a24695'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("received", "processing", "awaiting_supplement", "resolved", "returned",
                "refused", "stopped", "withdrawn")
NEW_STATUSES = ("received", "processing", "awaiting_supplement", "awaiting_financial_obligation",
                "resolved", "returned", "refused", "stopped", "withdrawn")
TABLES = ('stat_day', 'stat_month')


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('obligation_paused_seconds', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.alter_column('status', existing_type=sa.String(length=24),
                              type_=sa.String(length=32), existing_nullable=False)
        batch_op.drop_constraint(batch_op.f('ck_dossiers_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_dossiers_status'),
                                         f'status IN {NEW_STATUSES!r}')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.alter_column('obligation_paused_seconds', server_default=None)
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('financial_obligations', sa.Integer(), nullable=False,
                                          server_default='0'))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('financial_obligations', server_default=None)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('financial_obligations')
    # A dossier waiting for its obligations goes back to the nearest old state: processing
    # (its clock pause survives in paused_at; its paused time joins the supplement total).
    op.execute("UPDATE dossiers SET status = 'processing' "
               "WHERE status = 'awaiting_financial_obligation'")
    op.execute("UPDATE dossiers SET paused_seconds = paused_seconds + obligation_paused_seconds")
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_dossiers_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_dossiers_status'),
                                         f'status IN {OLD_STATUSES!r}')
        batch_op.alter_column('status', existing_type=sa.String(length=32),
                              type_=sa.String(length=24), existing_nullable=False)
        batch_op.drop_column('obligation_paused_seconds')
