"""dispatch (co-handling, routing rules, two-15% flags)

Revision ID: 0002_dispatch
Revises: 9f8cec3036a2
Create Date: 2026-11-27
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0002_dispatch"
down_revision = "9f8cec3036a2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
