"""security and privacy: login lock-outs, personal-data access log, retention

Revision ID: 0006_security
Revises: 0005_sla
Create Date: 2026-11-27
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0006_security"
down_revision = "0005_sla"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "login_lockouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", TS, nullable=False),
        sa.Column("last_failure_at", TS, nullable=False),
        sa.Column("locked_until", TS, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username", "client", name="uq_login_lockouts_pair"),
    )
    op.create_table(
        "personal_data_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("fields", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("client", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_personal_data_access_order", "personal_data_access",
                    ["order_id", "at"])
    op.create_index("ix_personal_data_access_actor", "personal_data_access", ["actor", "at"])
    op.create_index("ix_personal_data_access_at", "personal_data_access", ["at"])
    op.create_table(
        "privacy_anonymised",
        sa.Column("order_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("closed_at", TS, nullable=False),
        sa.Column("anonymised_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
    )


def downgrade() -> None:
    op.drop_table("privacy_anonymised")
    op.drop_index("ix_personal_data_access_at", table_name="personal_data_access")
    op.drop_index("ix_personal_data_access_actor", table_name="personal_data_access")
    op.drop_index("ix_personal_data_access_order", table_name="personal_data_access")
    op.drop_table("personal_data_access")
    op.drop_table("login_lockouts")
