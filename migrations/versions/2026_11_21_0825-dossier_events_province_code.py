"""dossier events carry their dossier's province code (issue 6: scale-out)

The distribution column a Citus cluster needs to keep a dossier and its timeline on one shard.
Added nullable, filled from the dossiers, then made NOT NULL, so existing rows upgrade in place.

Revision ID: f0585c60dfe0
Revises: abd9e3a28333
Create Date: 2026-11-21 08:25:26.244228
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'f0585c60dfe0'
down_revision: str | None = 'abd9e3a28333'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('province_code', sa.String(length=40), nullable=True))
    op.execute(
        "UPDATE dossier_events SET province_code ="
        " (SELECT d.province_code FROM dossiers d WHERE d.id = dossier_events.dossier_id)"
    )
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.alter_column('province_code', existing_type=sa.String(length=40),
                              nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.drop_column('province_code')
