"""Outbox handlers of the survey feature (listed in the handler table, services/handlers.py).

order.accept_reply -> create the closure's surveys; send the SMS now when no delay is set.
Embedded default: the send step runs inline (idempotent by its dedupe key). With Redis it is
an rq job with the deterministic id `survey-sms-<survey id>`, queued after the commit, so a
retried event or job never sends twice."""
from __future__ import annotations

import logging

from hotline.adapters.db import aware, utcnow

from . import survey

log = logging.getLogger(__name__)


def on_accept_reply(rt, uow, event_id: int, ev) -> None:
    made = survey.create_for_closure(rt, uow, ev.order_id, int(ev.seq or 0))
    now = utcnow()
    for s in made:
        if s.status != "pending" or not s.phone or aware(s.send_after) > now:
            continue   # delayed: the periodic tick sends it when due
        if rt.settings.embedded:
            survey.send_sms(rt, uow, s)
        else:
            uow.after_commit(lambda sid=s.id: enqueue_send(rt, sid))


def enqueue_send(rt, survey_id: int) -> None:
    from rq import Queue
    try:
        q = Queue(rt.settings.queue_name, connection=rt.redis())
        q.enqueue("hotline.services.survey_jobs.send_survey_sms", survey_id,
                  job_id=f"survey-sms-{survey_id}", result_ttl=86400)
    except Exception:   # Redis down: the periodic tick sends it later (dedupe key holds)
        log.warning("could not queue survey sms %s", survey_id)

