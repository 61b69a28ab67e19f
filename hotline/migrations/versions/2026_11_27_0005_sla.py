"""sla clocks, escalation steps

Revision ID: 0005_sla
Revises: 0004_open311
Create Date: 2026-11-27
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0005_sla"
down_revision = "0004_open311"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
