"""issue 18 (callcentre helper): switch call events and the per-call rollup (call figures),
差评整改 tasks and their log (好差评), 服务体验官 officers, tasks and evaluations
(hotline/callcentre/orm.py, hotline/rating/orm.py, hotline/experience/orm.py)

Revision ID: 0051_callcentre
Revises: 0050_scoring
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0051_callcentre"
down_revision = "0050_scoring"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "call_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
        sa.Column("callid", sa.String(64), nullable=False),
        sa.Column("event", sa.String(24), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("agent", sa.String(64), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("received_at", TS, nullable=False))
    op.create_index("ix_call_events_callid", "call_events", ["callid"])
    op.create_table(
        "call_stats",
        sa.Column("callid", sa.String(64), primary_key=True),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("entered_at", TS, nullable=True),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("hour", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("wait_seconds", sa.Integer(), nullable=True),
        sa.Column("agent", sa.String(64), nullable=True),
        sa.Column("username", sa.String(64), nullable=True),
        sa.Column("answered_at", TS, nullable=True),
        sa.Column("ended_at", TS, nullable=True),
        sa.Column("talk_seconds", sa.Integer(), nullable=True),
        sa.Column("rings_unanswered", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("work_orders.id"), nullable=True),
        sa.Column("link", sa.String(16), nullable=True))
    op.create_index("ix_call_stats_day_hour", "call_stats", ["day", "hour"])
    op.create_index("ix_call_stats_order", "call_stats", ["order_id"])

    op.create_table(
        "rectifications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("survey_id", sa.Integer(), sa.ForeignKey("surveys.id"), nullable=False,
                  unique=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("work_orders.id"), nullable=False),
        sa.Column("unit", sa.String(64), nullable=True),
        sa.Column("direct_answer", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("deadline", TS, nullable=False),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("first_feedback_at", TS, nullable=True),
        sa.Column("feedback_at", TS, nullable=True),
        sa.Column("feedback_by", sa.String(64), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("rounds", sa.Integer(), nullable=False))
    op.create_index("ix_rectifications_unit_status", "rectifications", ["unit", "status"])
    op.create_index("ix_rectifications_created", "rectifications", ["created_at"])
    op.create_table(
        "rectification_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("rectifications.id"), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False))
    op.create_index("ix_rectification_log_task_id", "rectification_log", ["task_id"])

    op.create_table(
        "experience_officers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("area", sa.String(64), sa.ForeignKey("units.code"), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False))
    op.create_index("ix_experience_officers_phone", "experience_officers", ["phone"])
    op.create_table(
        "experience_tasks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("officer_id", sa.Integer(), sa.ForeignKey("experience_officers.id"),
                  nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(64), sa.ForeignKey("units.code"), nullable=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("work_orders.id"), nullable=True),
        sa.Column("token", sa.String(48), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False))
    op.create_index("ix_experience_tasks_officer_id", "experience_tasks", ["officer_id"])
    op.create_table(
        "experience_evaluations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("experience_tasks.id"), nullable=False,
                  unique=True),
        sa.Column("officer_id", sa.Integer(), sa.ForeignKey("experience_officers.id"),
                  nullable=False),
        sa.Column("unit", sa.String(64), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("work_orders.id"), nullable=True),
        sa.Column("speed", sa.Integer(), nullable=False),
        sa.Column("attitude", sa.Integer(), nullable=False),
        sa.Column("accuracy", sa.Integer(), nullable=False),
        sa.Column("result", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("submitted_at", TS, nullable=False),
        sa.Column("quarter", sa.String(6), nullable=False))
    op.create_index("ix_experience_evaluations_quarter", "experience_evaluations", ["quarter"])


def downgrade() -> None:
    for name in ("experience_evaluations", "experience_tasks", "experience_officers",
                 "rectification_log", "rectifications", "call_stats", "call_events"):
        op.drop_table(name)
