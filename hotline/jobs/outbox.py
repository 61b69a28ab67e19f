from hotline.jobs import runtime


def process_outbox_event(event_id: int) -> bool:
    """rq job: run one outbox row (idempotent; see services.outbox.process_event)."""
    from hotline.services.outbox import process_event
    return process_event(runtime(), event_id)


def process_outbox_events(event_ids: list[int]) -> int:
    """rq job: a batch of outbox rows, each in its own transaction (services.outbox)."""
    from hotline.services.outbox import process_events
    return process_events(runtime(), event_ids)
