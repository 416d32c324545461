"""registration locale: confirmation and reminder e-mails in the language of the registration

Revision ID: 0500a4b8b36d
Revises: 4a68da4bb9ec
Create Date: 2026-12-08 01:14:37.274806

"""
from alembic import op
import sqlalchemy as sa

import hearings.core.models  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0500a4b8b36d'
down_revision = '4a68da4bb9ec'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=True))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('locale')
