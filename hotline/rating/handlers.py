"""Outbox handlers of 好差评 (listed in the handler table, core/handlers.py)."""
from __future__ import annotations

from . import service


def on_needs_review(rt, uow, event_id: int, ev) -> None:
    """SurveyNeedsReview: a 不满意 rating opens its 差评整改 task (once per survey)."""
    service.open_for_survey(rt, uow, ev.survey_id)
