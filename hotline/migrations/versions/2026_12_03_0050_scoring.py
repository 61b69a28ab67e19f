"""scoring by tier (issue 18 items 1-3, 5): the citizen's "contacted" answers and 协办 tasks in
unit_facts (hotline/survey/orm.py), published monthly bulletins (hotline/reports/orm.py)

Existing unit_facts rows read as "not asked / no task" until `hotline reports rebuild-facts`.

Revision ID: 0050_scoring
Revises: 0041_cases
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0050_scoring"
down_revision = "0041_cases"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("unit_facts", schema=None) as b:
        b.add_column(sa.Column("visit_contacted", sa.Integer(), nullable=False,
                               server_default="0"))
        b.add_column(sa.Column("visit_not_contacted", sa.Integer(), nullable=False,
                               server_default="0"))
        b.add_column(sa.Column("assist_only", sa.Boolean(), nullable=False,
                               server_default=sa.false()))
        b.add_column(sa.Column("assist_due_at", TS, nullable=True))
        b.add_column(sa.Column("assist_done_at", TS, nullable=True))
    op.create_table(
        "bulletins",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("edition", sa.Integer(), nullable=False),
        sa.Column("published_at", TS, nullable=False),
        sa.Column("published_by", sa.String(64), nullable=False),
        sa.Column("formula_version", sa.String(32), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("xlsx", sa.LargeBinary(), nullable=False),
        sa.Column("xlsx_sha256", sa.String(64), nullable=False),
        sa.UniqueConstraint("month", "edition", name="uq_bulletins_month_edition"))


def downgrade() -> None:
    op.drop_table("bulletins")
    with op.batch_alter_table("unit_facts", schema=None) as b:
        for col in ("assist_done_at", "assist_due_at", "assist_only", "visit_not_contacted",
                    "visit_contacted"):
            b.drop_column(col)
