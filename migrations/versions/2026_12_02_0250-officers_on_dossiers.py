"""officers: who received, resolved and returned each dossier

Receipts and events may now name the officer (cán bộ, công chức) who did them: an opaque staff
id and a display name. The event's officer is kept in its payload, as its other fields are;
the dossier gets six nullable columns for the officers' figures: the receiving officer (set by
the receipt), the resolving one (by the `resolved` event) and the returning one (by the
`returned` event). No stored receipt or event named an officer, so every existing dossier has
them null and nothing is backfilled; the stored fingerprints and answers stay as they were.

Revision ID: 9e3a6b1c7d20
Revises: 8d52a0f7c1e4
Create Date: 2026-12-02 02:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '9e3a6b1c7d20'
down_revision: str | None = '8d52a0f7c1e4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTS = ('received_by', 'resolved_by', 'returned_by')


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        for act in ACTS:
            batch_op.add_column(sa.Column(f'{act}_officer_id', sa.String(length=64),
                                          nullable=True))
            batch_op.add_column(sa.Column(f'{act}_officer_name', sa.String(length=255),
                                          nullable=True))


def downgrade() -> None:
    # The officers named on events stay in the events' payloads; only the columns go.
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        for act in reversed(ACTS):
            batch_op.drop_column(f'{act}_officer_name')
            batch_op.drop_column(f'{act}_officer_id')
