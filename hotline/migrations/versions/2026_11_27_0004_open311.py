"""open311 keys, self-service, webhooks

Revision ID: 0004_open311
Revises: 0003_survey
Create Date: 2026-11-27
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0004_open311"
down_revision = "0003_survey"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
