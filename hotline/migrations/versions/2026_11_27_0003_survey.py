"""return visits, scoring, reports

Revision ID: 0003_survey
Revises: 0002_dispatch
Create Date: 2026-11-27
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0003_survey"
down_revision = "0002_dispatch"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
