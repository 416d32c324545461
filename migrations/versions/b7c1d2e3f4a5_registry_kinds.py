"""registry kinds: hearing notices and attendance lists issued before 2026-12-08 under the
kinds "hearing_notice" and "attendance_list" join the registry's "notice" and "attendance"

Revision ID: b7c1d2e3f4a5
Revises: 0500a4b8b36d
Create Date: 2026-12-08 01:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7c1d2e3f4a5'
down_revision = '0500a4b8b36d'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE issued_document SET kind = 'notice' WHERE kind = 'hearing_notice'")
    op.execute("UPDATE issued_document SET kind = 'attendance' WHERE kind = 'attendance_list'")


def downgrade():
    pass  # the old kind names were a mistake; nothing to restore
