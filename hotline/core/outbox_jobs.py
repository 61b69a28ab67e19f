from hotline.core.jobs import runtime


def process_outbox_event(event_id: int) -> bool:
    """rq job: run one outbox row (idempotent; see core.outbox.process_event)."""
    from hotline.core.outbox import process_event
    return process_event(runtime(), event_id)


def process_outbox_events(event_ids: list[int]) -> int:
    """rq job: a batch of outbox rows, each in its own transaction (core.outbox)."""
    from hotline.core.outbox import process_events
    return process_events(runtime(), event_ids)
