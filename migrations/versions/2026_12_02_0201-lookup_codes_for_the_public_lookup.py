"""lookup codes: a random code per dossier, printed on the receipt slip

The public lookup's second factor was the last four digits of the applicant's phone: 10,000
values, so a per-dossier failure limit had to guard it, and a stranger could spend that limit
to lock the applicant out. Each dossier now carries a random lookup code (10 symbols of
Crockford's base32, 50 bits) that only a per-client limit guards. Existing dossiers get one
drawn here; their slips, printed again, show it, and the phone digits keep working for them.

Revision ID: 49cee85c951d
Revises: 3b8f0d2c9a17
Create Date: 2026-12-02 02:01:18.432649
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '49cee85c951d'
down_revision: str | None = '3b8f0d2c9a17'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHUNK = 5000


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lookup_secret', sa.String(length=10), nullable=True))
    conn = op.get_bind()
    dossiers = sa.table('dossiers', sa.column('id', sa.BigInteger),
                        sa.column('lookup_secret', sa.String))
    update = (sa.update(dossiers).where(dossiers.c.id == sa.bindparam('b_id'))
              .values(lookup_secret=sa.bindparam('b_secret')))
    last = 0
    while True:
        ids = conn.execute(sa.select(dossiers.c.id).where(dossiers.c.id > last)
                           .order_by(dossiers.c.id).limit(CHUNK)).scalars().all()
        if not ids:
            break
        conn.execute(update, [{'b_id': i, 'b_secret': ''.join(
            secrets.choice(ALPHABET) for _ in range(10))} for i in ids])
        last = ids[-1]
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.alter_column('lookup_secret', existing_type=sa.String(length=10),
                              nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('lookup_secret')
