"""revoked_tokens: logout revokes one token by its jti (issue 12 finding 12)

Revision ID: 0010_revoked_tokens
Revises: 0009_idempotency_key
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_revoked_tokens"
down_revision = "0009_idempotency_key"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("revoked_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("jti"),
    )
    # logout drops the rows whose token has expired anyway
    op.create_index("ix_revoked_tokens_expires_at", "revoked_tokens", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_revoked_tokens_expires_at", table_name="revoked_tokens")
    op.drop_table("revoked_tokens")
