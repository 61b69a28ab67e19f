"""rq jobs of the outbound webhooks (thin: take ids, call one service)."""
from hotline.core.jobs import runtime


def deliver_webhook(delivery_id: str) -> str:
    """rq job: send one webhook delivery (idempotent; see webhooks.service.deliver)."""
    from hotline.webhooks.service import deliver
    return deliver(runtime(), delivery_id)


def retry_due_webhooks() -> int:
    """rq/cron job: send or enqueue deliveries whose backoff has passed."""
    from hotline.webhooks.service import retry_due
    return retry_due(runtime())
