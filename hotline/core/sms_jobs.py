"""rq job of the SMS port (thin: take the id, call one service)."""
from hotline.core.jobs import runtime


def deliver_sms(message_id: int) -> str:
    """rq job `sms-<id>-<attempt>`: send one message once (core.sms.deliver)."""
    from hotline.core.sms import deliver
    return deliver(runtime(), message_id)
