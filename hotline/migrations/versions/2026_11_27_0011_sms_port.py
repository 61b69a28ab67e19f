"""sms_outbox: one table for every SMS with its delivery status (issue 13 item 8)

The return-visit SMS table is kept and extended, so its rows (and the retention job's
anonymised phones) stay where they are: the embedded channel wrote them and that was their
send, so they become `sent` by `embedded` at their creation time, 1 attempt. The SLA SMS
rows of sla_deliveries (channel sms) move here as kind `sla` (recipient = the unit code;
sent or still pending with their quiet-hours time as send_after); the webhook rows stay.

Revision ID: 0011_sms_port
Revises: 0010_revoked_tokens
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_sms_port"
down_revision = "0010_revoked_tokens"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)


def _json_literal() -> str:
    # an INSERT ... SELECT literal is text on PostgreSQL; SQLite has no JSON type to cast to
    return "CAST('{}' AS JSON)" if op.get_bind().dialect.name == "postgresql" else "'{}'"


def upgrade() -> None:
    with op.batch_alter_table("sms_outbox") as b:
        b.alter_column("dedupe_key", type_=sa.String(200), existing_nullable=False)
        b.alter_column("phone", existing_type=sa.String(32), nullable=True)
        b.add_column(sa.Column("kind", sa.String(16), nullable=True))
        b.add_column(sa.Column("order_id", sa.Integer(), nullable=True))
        b.add_column(sa.Column("recipient", sa.String(64), nullable=True))
        b.add_column(sa.Column("params", sa.JSON(), nullable=True))
        b.add_column(sa.Column("status", sa.String(16), nullable=True))
        b.add_column(sa.Column("attempts", sa.Integer(), nullable=True))
        b.add_column(sa.Column("send_after", TS, nullable=True))
        b.add_column(sa.Column("claimed_at", TS, nullable=True))
        b.add_column(sa.Column("gateway", sa.String(16), nullable=True))
        b.add_column(sa.Column("request_id", sa.String(128), nullable=True))
        b.add_column(sa.Column("sent_at", TS, nullable=True))
        b.add_column(sa.Column("delivered_at", TS, nullable=True))
        b.add_column(sa.Column("last_error", sa.Text(), nullable=True))
    j = _json_literal()
    op.execute(f"UPDATE sms_outbox SET kind = 'survey', status = 'sent', attempts = 1, "
               f"gateway = 'embedded', sent_at = created_at, send_after = created_at, "
               f"params = {j}, order_id = (SELECT surveys.order_id FROM surveys "
               f"WHERE surveys.id = sms_outbox.survey_id)")
    op.execute(f"INSERT INTO sms_outbox (dedupe_key, kind, order_id, recipient, phone, body, "
               f"params, created_at, status, attempts, send_after, gateway, sent_at, "
               f"last_error) SELECT key, 'sla', order_id, address, NULL, message, {j}, "
               f"created_at, CASE WHEN sent_at IS NULL THEN 'pending' ELSE 'sent' END, "
               f"attempts, deliver_at, CASE WHEN sent_at IS NULL THEN NULL ELSE 'embedded' "
               f"END, sent_at, last_error FROM sla_deliveries WHERE channel = 'sms'")
    op.execute("DELETE FROM sla_deliveries WHERE channel = 'sms'")
    with op.batch_alter_table("sms_outbox") as b:
        for name, type_ in (("kind", sa.String(16)), ("params", sa.JSON()),
                            ("status", sa.String(16)), ("attempts", sa.Integer())):
            b.alter_column(name, existing_type=type_, nullable=False)
        b.create_index("ix_sms_outbox_status_send_after", ["status", "send_after"])
        b.create_index("ix_sms_outbox_request_id", ["request_id"])
        b.create_index("ix_sms_outbox_survey", ["survey_id"])


def downgrade() -> None:
    op.execute("INSERT INTO sla_deliveries (key, channel, address, order_id, message, "
               "deliver_at, sent_at, attempts, last_error, created_at) SELECT dedupe_key, "
               "'sms', recipient, order_id, body, COALESCE(send_after, created_at), sent_at, "
               "attempts, last_error, created_at FROM sms_outbox WHERE kind = 'sla'")
    op.execute("DELETE FROM sms_outbox WHERE kind = 'sla'")
    with op.batch_alter_table("sms_outbox") as b:
        b.drop_index("ix_sms_outbox_survey")
        b.drop_index("ix_sms_outbox_request_id")
        b.drop_index("ix_sms_outbox_status_send_after")
        for name in ("last_error", "delivered_at", "sent_at", "request_id", "gateway",
                     "claimed_at", "send_after", "attempts", "status", "params", "recipient",
                     "order_id", "kind"):
            b.drop_column(name)
        b.alter_column("phone", existing_type=sa.String(32), nullable=False)
        b.alter_column("dedupe_key", type_=sa.String(64), existing_nullable=False)
