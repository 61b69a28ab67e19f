"""issue 17 (cases): 会商 (consultations, answers, decisions), hard cases and their notes,
hot-spot alerts and their member appeals (hotline/consult, hotline/hardcases,
hotline/hotspots orm.py)

Revision ID: 0041_cases
Revises: 0040_villages
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0041_cases"
down_revision = "0040_villages"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("work_orders.id"), nullable=False),
        sa.Column("category", sa.String(64), nullable=True),
        sa.Column("town", sa.String(64), nullable=True),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("deadline", TS, nullable=False),
        sa.Column("topic", sa.Text(), nullable=True),
        sa.Column("opened_by", sa.String(64), nullable=False),
        sa.Column("opened_at", TS, nullable=False))
    op.create_index("ix_consultations_order_id", "consultations", ["order_id"])
    op.create_table(
        "consultation_answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("consultation_id", sa.Integer(), sa.ForeignKey("consultations.id"),
                  nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("answer", sa.String(16), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(64), nullable=False),
        sa.Column("answered_at", TS, nullable=False))
    op.create_index("ix_consultation_answers_consultation", "consultation_answers",
                    ["consultation_id", "unit"])
    op.create_table(
        "consultation_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("consultation_id", sa.Integer(), sa.ForeignKey("consultations.id"),
                  nullable=False, unique=True),
        sa.Column("lead", sa.String(64), nullable=False),
        sa.Column("assist", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("routing_rule_id", sa.Integer(), sa.ForeignKey("routing_rules.id"),
                  nullable=True),
        sa.Column("applied", sa.String(32), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=False),
        sa.Column("decided_at", TS, nullable=False))
    op.create_table(
        "hard_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("work_orders.id"), nullable=False,
                  unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("leader", sa.String(64), nullable=True),
        sa.Column("coordination_due", TS, nullable=True),
        sa.Column("city_level", sa.Boolean(), nullable=False),
        sa.Column("proposed_at", TS, nullable=False),
        sa.Column("opened_at", TS, nullable=True),
        sa.Column("opened_by", sa.String(64), nullable=True),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True))
    op.create_index("ix_hard_cases_status", "hard_cases", ["status", "closed_at"])
    op.create_table(
        "hard_case_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("hard_cases.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("at", TS, nullable=False))
    op.create_index("ix_hard_case_notes_case_id", "hard_case_notes", ["case_id"])
    op.create_table(
        "hotspot_alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("town", sa.String(64), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("category", sa.String(64), nullable=True),
        sa.Column("seed_text", sa.Text(), nullable=False),
        sa.Column("master_order_id", sa.Integer(), sa.ForeignKey("work_orders.id"),
                  nullable=False),
        sa.Column("trigger_order_id", sa.Integer(), sa.ForeignKey("work_orders.id"),
                  nullable=False),
        sa.Column("first_at", TS, nullable=False),
        sa.Column("raised_at", TS, nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("window_minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False))
    op.create_index("ix_hotspot_alerts_town", "hotspot_alerts", ["town", "status", "raised_at"])
    op.create_table(
        "hotspot_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("hotspot_alerts.id"), nullable=False),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("work_orders.id"), nullable=False,
                  unique=True),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False))
    op.create_index("ix_hotspot_members_alert_id", "hotspot_members", ["alert_id"])


def downgrade() -> None:
    for name in ("hotspot_members", "hotspot_alerts", "hard_case_notes", "hard_cases",
                 "consultation_decisions", "consultation_answers", "consultations"):
        op.drop_table(name)
