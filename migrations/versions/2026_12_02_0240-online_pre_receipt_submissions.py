"""online pre-receipt: submissions filed online, waiting for an officer's check

A new table, `submissions`: an online filing (its receipt body as JSON), its check deadline,
and the officer's decision (accepted, with the dossier code the receipt gave it, or not
accepted, with a reason code and text). Nothing else changes: existing dossiers, their events
and the statistics are untouched, and no submission exists before this revision.

Revision ID: 8d52a0f7c1e4
Revises: 7c41d9e2a5b3
Create Date: 2026-12-02 02:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = '8d52a0f7c1e4'
down_revision: str | None = '7c41d9e2a5b3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('submissions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('province_code', sa.String(length=40), nullable=False),
    sa.Column('receiving_unit', sa.String(length=40), nullable=False),
    sa.Column('procedure_code', sa.String(length=40), nullable=False),
    sa.Column('client_ref', sa.String(length=100), nullable=True),
    sa.Column('submitted_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('check_due_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('checked_late', sa.Boolean(), nullable=True),
    sa.Column('reason_code', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.String(length=1000), nullable=True),
    sa.Column('dossier_code', sa.String(length=64), nullable=True),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'accepted') = (dossier_code IS NOT NULL)", name=op.f('ck_submissions_dossier_iff_accepted')),
    sa.CheckConstraint("(status = 'not_accepted') = (reason_code IS NOT NULL)", name=op.f('ck_submissions_reason_iff_not_accepted')),
    sa.CheckConstraint("(status = 'waiting') = (decided_at IS NULL)", name=op.f('ck_submissions_decided_iff_not_waiting')),
    sa.CheckConstraint("reason_code IS NULL OR reason_code IN ('incomplete', 'wrong_procedure', 'not_competent', 'invalid_documents', 'other')", name=op.f('ck_submissions_reason_code')),
    sa.CheckConstraint("status IN ('waiting', 'accepted', 'not_accepted')", name=op.f('ck_submissions_status')),
    sa.ForeignKeyConstraint(['procedure_code'], ['procedures.code'], name=op.f('fk_submissions_procedure_code_procedures'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['receiving_unit'], ['units.code'], name=op.f('fk_submissions_receiving_unit_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
    sa.UniqueConstraint('dossier_code', name=op.f('uq_submissions_dossier_code')),
    sa.UniqueConstraint('receiving_unit', 'client_ref', name=op.f('uq_submissions_receiving_unit_client_ref'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_receiving_unit_submitted_at', ['receiving_unit', 'submitted_at'], unique=False)
        batch_op.create_index('ix_submissions_status_check_due_at', ['status', 'check_due_at'], unique=False)


def downgrade() -> None:
    # The submissions go with their table; the dossiers received from accepted ones stay.
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_status_check_due_at')
        batch_op.drop_index('ix_submissions_receiving_unit_submitted_at')

    op.drop_table('submissions')
