"""Outbox handlers of the knowledge base (好差评 一次一评): a direct answer gets
the same SMS rating link as a handled order, and a bad rating of an answer given from an article
becomes a review task of the article's unit (it shows in that unit's to-do list)."""
from __future__ import annotations

from sqlalchemy import select

from hotline.core.db import aware, utcnow
from hotline.survey import service as survey

from .service import on_bad_rating


def on_answer(rt, uow, event_id: int, ev) -> None:
    """OrderAnsweredDirectly -> the closure's survey (the survey policy's sampling and delay apply as
    for any closure), its SMS queued in this transaction when due now."""
    made = survey.create_for_closure(rt, uow, ev.order_id, int(ev.seq or 0))
    now = utcnow()
    for s in made:
        if s.status == "pending" and s.phone and aware(s.send_after) <= now:
            survey.send_sms(rt, uow, s)


def on_needs_review(rt, uow, event_id: int, ev) -> None:
    from hotline.survey.orm import SurveyRow
    sat = uow.session.execute(select(SurveyRow.satisfaction).where(
        SurveyRow.id == ev.survey_id)).scalar_one_or_none()
    on_bad_rating(rt, uow, ev.order_id, sat)
