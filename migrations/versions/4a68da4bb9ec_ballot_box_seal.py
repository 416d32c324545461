"""ballot box seal: count and SHA-256 of the ballots when voting closed

Revision ID: 4a68da4bb9ec
Revises: 7050593d6a3d
Create Date: 2026-12-08 00:24:02.567721

"""
from alembic import op
import sqlalchemy as sa

import hearings.core.models  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '4a68da4bb9ec'
down_revision = '7050593d6a3d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pb_process', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_at', hearings.core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sealed_ballots', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sealed_digest', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('pb_process', schema=None) as batch_op:
        batch_op.drop_column('sealed_digest')
        batch_op.drop_column('sealed_ballots')
        batch_op.drop_column('sealed_at')
