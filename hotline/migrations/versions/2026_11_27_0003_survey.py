"""return visits, scoring, reports

Revision ID: 0003_survey
Revises: 0002_dispatch
Create Date: 2026-11-27
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0003_survey"
down_revision = "0002_dispatch"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'surveys',
        sa.Column('id', sa.Integer(), primary_key=True, nullable=False),
        sa.Column('token', sa.String(48), nullable=False),
        sa.Column('order_id', sa.Integer(), sa.ForeignKey('work_orders.id'), nullable=False),
        sa.Column('closure_seq', sa.Integer(), nullable=False),
        sa.Column('caller_order_id', sa.Integer(), sa.ForeignKey('work_orders.id'), nullable=False),
        sa.Column('unit', sa.String(64), nullable=True),
        sa.Column('phone', sa.String(32), nullable=True),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('send_after', TS, nullable=False),
        sa.Column('expires_at', TS, nullable=False),
        sa.Column('sent_at', TS, nullable=True),
        sa.Column('attempt_days', sa.JSON(), nullable=False),
        sa.Column('answered_at', TS, nullable=True),
        sa.Column('answered_by', sa.String(64), nullable=True),
        sa.Column('answered_via', sa.String(16), nullable=True),
        sa.Column('contacted', sa.Boolean(), nullable=True),
        sa.Column('resolved', sa.String(16), nullable=True),
        sa.Column('satisfaction', sa.String(16), nullable=True),
        sa.Column('grade5', sa.String(24), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('review', sa.String(16), nullable=True),
        sa.Column('excluded', sa.Boolean(), nullable=False),
        sa.UniqueConstraint('token'),
        sa.UniqueConstraint('order_id', 'closure_seq', 'caller_order_id', name='uq_surveys_closure_caller'),
    )
    op.create_index('ix_surveys_order', 'surveys', ['order_id'], unique=False)
    op.create_index('ix_surveys_status', 'surveys', ['status', 'id'], unique=False)
    op.create_table(
        'survey_audit',
        sa.Column('id', sa.Integer(), primary_key=True, nullable=False),
        sa.Column('survey_id', sa.Integer(), sa.ForeignKey('surveys.id'), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('at', TS, nullable=False),
        sa.Column('actor', sa.String(64), nullable=False),
        sa.Column('role', sa.String(16), nullable=False),
        sa.Column('action', sa.String(24), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
    )
    op.create_index('ix_survey_audit_order_id', 'survey_audit', ['order_id'], unique=False)
    op.create_index('ix_survey_audit_survey_id', 'survey_audit', ['survey_id'], unique=False)
    op.create_table(
        'survey_appeals',
        sa.Column('id', sa.Integer(), primary_key=True, nullable=False),
        sa.Column('survey_id', sa.Integer(), sa.ForeignKey('surveys.id'), nullable=False),
        sa.Column('unit', sa.String(64), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('evidence', sa.Text(), nullable=False),
        sa.Column('created_by', sa.String(64), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('ruled_by', sa.String(64), nullable=True),
        sa.Column('ruled_at', TS, nullable=True),
        sa.Column('ruling', sa.Text(), nullable=True),
        sa.UniqueConstraint('survey_id'),
    )
    op.create_table(
        'sms_outbox',
        sa.Column('id', sa.Integer(), primary_key=True, nullable=False),
        sa.Column('dedupe_key', sa.String(64), nullable=False),
        sa.Column('survey_id', sa.Integer(), sa.ForeignKey('surveys.id'), nullable=True),
        sa.Column('phone', sa.String(32), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.UniqueConstraint('dedupe_key'),
    )
    op.create_table(
        'unit_facts',
        sa.Column('order_id', sa.Integer(), sa.ForeignKey('work_orders.id'), primary_key=True, nullable=False),
        sa.Column('unit', sa.String(64), primary_key=True, nullable=False),
        sa.Column('assigned_at', TS, nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('week', sa.Date(), nullable=False),
        sa.Column('month', sa.String(7), nullable=False),
        sa.Column('category', sa.String(64), nullable=True),
        sa.Column('town', sa.String(64), nullable=True),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('returned_away', sa.Boolean(), nullable=False),
        sa.Column('unreasonable', sa.Boolean(), nullable=False),
        sa.Column('returns_req', sa.Integer(), nullable=False),
        sa.Column('returns_ok', sa.Integer(), nullable=False),
        sa.Column('returns_bad', sa.Integer(), nullable=False),
        sa.Column('sign_due_at', TS, nullable=True),
        sa.Column('signed_at', TS, nullable=True),
        sa.Column('contact_req', sa.Boolean(), nullable=False),
        sa.Column('contact_due_at', TS, nullable=True),
        sa.Column('contacted_at', TS, nullable=True),
        sa.Column('reply_due_at', TS, nullable=True),
        sa.Column('replied_at', TS, nullable=True),
        sa.Column('replies', sa.Integer(), nullable=False),
        sa.Column('send_backs', sa.Integer(), nullable=False),
        sa.Column('extensions', sa.Integer(), nullable=False),
        sa.Column('reopens', sa.Integer(), nullable=False),
        sa.Column('closed', sa.Boolean(), nullable=False),
        sa.Column('visits', sa.Integer(), nullable=False),
        sa.Column('answers', sa.Integer(), nullable=False),
        sa.Column('res_yes', sa.Integer(), nullable=False),
        sa.Column('res_partial', sa.Integer(), nullable=False),
        sa.Column('res_no', sa.Integer(), nullable=False),
        sa.Column('sat_yes', sa.Integer(), nullable=False),
        sa.Column('sat_basic', sa.Integer(), nullable=False),
        sa.Column('sat_no', sa.Integer(), nullable=False),
        sa.Column('unreachable', sa.Integer(), nullable=False),
        sa.Column('excluded_ratings', sa.Integer(), nullable=False),
    )
    op.create_index('ix_unit_facts_day_unit', 'unit_facts', ['day', 'unit'], unique=False)



def downgrade() -> None:
    op.drop_table('unit_facts')
    op.drop_table('sms_outbox')
    op.drop_table('survey_appeals')
    op.drop_table('survey_audit')
    op.drop_table('surveys')

