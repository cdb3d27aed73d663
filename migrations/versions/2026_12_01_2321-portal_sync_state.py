"""portal sync state: the dossier version the national portal acknowledged

One row per dossier, created by the sync worker on its first pass (existing dossiers need
nothing here: they are queued then). The index on events by (dossier_id, id) lets the pass
find each dossier's latest event from the index alone.

Revision ID: aff60f669ab0
Revises: 5e1d7a0c2f66
Create Date: 2026-12-01 23:21:09.479695
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = 'aff60f669ab0'
down_revision: str | None = '5e1d7a0c2f66'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('portal_sync',
    sa.Column('dossier_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('acked_version', sa.BigInteger(), nullable=True),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('ack', sa.JSON(), nullable=True),
    sa.Column('acked_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'acked', 'dead')", name=op.f('ck_portal_sync_state')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_portal_sync_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dossier_id', name=op.f('pk_portal_sync'))
    )
    with op.batch_alter_table('portal_sync', schema=None) as batch_op:
        batch_op.create_index('ix_portal_sync_state_next_attempt_at', ['state', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_events_dossier_id_id', ['dossier_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_events_dossier_id_id')

    with op.batch_alter_table('portal_sync', schema=None) as batch_op:
        batch_op.drop_index('ix_portal_sync_state_next_attempt_at')

    op.drop_table('portal_sync')
