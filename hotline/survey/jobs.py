"""rq job bodies of the survey feature: take ids, build the runtime once, call one service."""
from __future__ import annotations


def send_survey_sms(survey_id: int) -> bool:
    """Job id survey-sms-<id>; the body is idempotent (dedupe key in sms_outbox)."""
    from hotline.core.jobs import runtime
    from hotline.survey.service import send_one
    return send_one(runtime(), survey_id)
