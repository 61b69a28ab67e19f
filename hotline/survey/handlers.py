"""Outbox handlers of the survey feature (listed in the handler table, core/handlers.py).

order.accept_reply -> create the closure's surveys; queue the SMS now when no delay is set.
The message goes through the SMS port (core/sms.py): written in the handler's transaction
with a dedupe key per survey, sent once after the commit (inline by the embedded drainer, an
rq job in production), so a retried event or job never sends twice."""
from __future__ import annotations

from hotline.core.db import aware, utcnow
from hotline.survey import service as survey


def on_accept_reply(rt, uow, event_id: int, ev) -> None:
    made = survey.create_for_closure(rt, uow, ev.order_id, int(ev.seq or 0))
    now = utcnow()
    for s in made:
        if s.status != "pending" or not s.phone or aware(s.send_after) > now:
            continue   # delayed: the periodic tick queues it when due
        # queued in this transaction, sent after its commit through the SMS port (inline by
        # the embedded drainer, an rq job `sms-<id>-<attempt>` in production)
        survey.send_sms(rt, uow, s)

