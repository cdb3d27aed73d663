"""procedure versions and the four kinds of processing time

A procedure's processing rules now change by effective date, and a processing time may be in
working days, working hours, calendar days or same-day with a cut-off, with another time for
online dossiers. The time moves from the procedure row to its versions: each existing
procedure gets version 1, in force since always, with its current time, and every existing
dossier was received under that version 1.

Revision ID: a7c3e91d5b20
Revises: daeecf7de090
Create Date: 2026-12-01 23:16:56.464999
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a7c3e91d5b20'
down_revision: str | None = 'daeecf7de090'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONS = sa.table('procedure_versions', sa.column('procedure_code', sa.String),
                    sa.column('version', sa.Integer), sa.column('effective_from', sa.Date),
                    sa.column('processing_time', sa.JSON))
PROCEDURES = sa.table('procedures', sa.column('code', sa.String),
                      sa.column('processing_days', sa.Integer),
                      sa.column('processing_hours', sa.Integer))


def upgrade() -> None:
    op.create_table('procedure_versions',
    sa.Column('procedure_code', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=True),
    sa.Column('processing_time', sa.JSON(), nullable=False),
    sa.Column('online_processing_time', sa.JSON(), nullable=True),
    sa.CheckConstraint('version > 0', name=op.f('ck_procedure_versions_positive_version')),
    sa.ForeignKeyConstraint(['procedure_code'], ['procedures.code'], name=op.f('fk_procedure_versions_procedure_code_procedures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('procedure_code', 'version', name=op.f('pk_procedure_versions'))
    )
    bind = op.get_bind()
    first = [{'procedure_code': code, 'version': 1, 'effective_from': None,
              'processing_time': ({'working_days': days} if days is not None
                                  else {'working_hours': hours})}
             for code, days, hours in bind.execute(sa.select(
                 PROCEDURES.c.code, PROCEDURES.c.processing_days,
                 PROCEDURES.c.processing_hours)).all()]
    if first:
        bind.execute(VERSIONS.insert(), first)
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('procedure_version', sa.Integer(), nullable=True))
    op.execute('UPDATE dossiers SET procedure_version = 1')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.alter_column('procedure_version', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_dossiers_procedure_code_procedure_versions'), 'procedure_versions', ['procedure_code', 'procedure_version'], ['procedure_code', 'version'], ondelete='RESTRICT')

    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_procedures_one_time_unit'), type_='check')
        batch_op.drop_constraint(op.f('ck_procedures_positive_time'), type_='check')
        batch_op.drop_column('processing_days')
        batch_op.drop_column('processing_hours')


def downgrade() -> None:
    # Only the two working-time kinds of version 1 fit the old columns; other kinds and later
    # versions cannot be expressed there and are dropped (a 1-day placeholder keeps the row valid).
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('processing_hours', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('processing_days', sa.INTEGER(), nullable=True))
    bind = op.get_bind()
    for code, time_ in bind.execute(sa.select(VERSIONS.c.procedure_code,
                                              VERSIONS.c.processing_time)
                                    .where(VERSIONS.c.version == 1)).all():
        hours = time_.get('working_hours')
        days = None if hours is not None else time_.get('working_days', 1)
        bind.execute(PROCEDURES.update().where(PROCEDURES.c.code == code)
                     .values(processing_days=days, processing_hours=hours))
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_procedures_one_time_unit'), '(processing_days IS NULL) <> (processing_hours IS NULL)')
        batch_op.create_check_constraint(
            op.f('ck_procedures_positive_time'), 'COALESCE(processing_days, processing_hours) > 0')

    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dossiers_procedure_code_procedure_versions'), type_='foreignkey')
        batch_op.drop_column('procedure_version')

    op.drop_table('procedure_versions')
