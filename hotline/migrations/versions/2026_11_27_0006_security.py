"""security and privacy: login lock-outs, personal-data access log, retention

Revision ID: 0006_security
Revises: 0005_sla
Create Date: 2026-11-27
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0006_security"
down_revision = "0005_sla"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
