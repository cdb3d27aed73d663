"""cache stamps: process-wide calendar caching (issue 6: ingest speed)

Working calendars were rebuilt in every transaction (two queries and a rebuild per unit). A
process now keeps them across transactions and checks one row per transaction: the token that
every change to the calendar's inputs replaces. The first token is written here; a database
whose row is missing (emptied by hand) builds calendars afresh in every transaction until the
next change writes one.

Revision ID: b476cb2d48d5
Revises: f0585c60dfe0
Create Date: 2026-11-21 10:21:25.933622
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b476cb2d48d5'
down_revision: str | None = 'f0585c60dfe0'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    stamps = op.create_table(
        'cache_stamps',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('stamp', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_stamps')),
    )
    op.bulk_insert(stamps, [{'name': 'calendar', 'stamp': uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table('cache_stamps')
