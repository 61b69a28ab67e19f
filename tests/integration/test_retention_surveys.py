"""Retention (个人信息保护法) also clears the return visit's copies of the caller's phone."""
from datetime import timedelta

from sqlalchemy import select

from hotline.core.db import utcnow
from hotline.core.orm import WorkOrderRow
from hotline.privacy.retention import retain
from hotline.survey.orm import SmsOutboxRow, SurveyRow

from .survey_flow import answer, pending_for, to_return_visit

PHONE = "13800000777"


def test_retention_clears_survey_and_sms_phone(api, rt):
    oid = to_return_visit(api, phone=PHONE)
    [survey] = pending_for(api, oid)
    answer(api, survey["token"])                 # satisfied: the order closes as `system`
    with rt.uow() as uow:
        assert uow.session.get(WorkOrderRow, oid).status == "closed"
        assert PHONE in {s.phone for s in uow.session.execute(select(SurveyRow)).scalars()}
        sms_before = [m.phone for m in uow.session.execute(select(SmsOutboxRow)).scalars()]
    assert retain(rt, now=utcnow() + timedelta(days=400)) == 1
    with rt.uow() as uow:
        surveys = uow.session.execute(select(SurveyRow).where(SurveyRow.order_id == oid)
                                      ).scalars().all()
        assert surveys and all(s.phone is None for s in surveys)
        assert all(s.status == "answered" for s in surveys)        # the answer stays
        sms = [m.phone for m in uow.session.execute(select(SmsOutboxRow)).scalars()]
    assert PHONE in sms_before and PHONE not in sms and "已匿名" in sms
