"""knowledge base: articles with every version, the index generation counter, searches,
text-service conversations, review tasks (issue 16; hotline/knowledge/orm.py)

Revision ID: 0020_knowledge
Revises: 0011_sms_port
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0020_knowledge"
down_revision = "0011_sms_port"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("changed_generation", sa.Integer(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False))
    op.create_index("ix_kb_articles_unit", "kb_articles", ["unit"])
    op.create_index("ix_kb_articles_changed_generation", "kb_articles", ["changed_generation"])
    op.create_table(
        "kb_article_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("kb_articles.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("alternatives", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("contact_phone", sa.String(64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("reviewed_by", sa.String(64), nullable=True),
        sa.Column("reviewed_at", TS, nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.UniqueConstraint("article_id", "version", name="uq_kb_article_version"))
    op.create_table(
        "kb_generation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("generation", sa.Integer(), nullable=False))
    op.execute("INSERT INTO kb_generation (id, generation) VALUES (1, 0)")
    op.create_table(
        "kb_queries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(64), nullable=True, unique=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("at", TS, nullable=False))
    op.create_index("ix_kb_queries_at", "kb_queries", ["at"])
    op.create_table(
        "kb_conversations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("order_number", sa.String(32), nullable=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False))
    op.create_index("ix_kb_conversations_started_at", "kb_conversations", ["started_at"])
    op.create_table(
        "kb_review_tasks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("kb_articles.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False))
    op.create_index("ix_kb_review_tasks_unit", "kb_review_tasks", ["unit"])


def downgrade() -> None:
    for t in ("kb_review_tasks", "kb_conversations", "kb_queries", "kb_generation",
              "kb_article_versions", "kb_articles"):
        op.drop_table(t)
