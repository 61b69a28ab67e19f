"""Retention job: anonymise the callers of orders closed longer than the configured period
(config/privacy.yaml retention.anonymise_after_days; PIPL 第19条 and 第47条,
docs/design/domain.md §10.3: personal data is kept no longer than the purpose needs, then
deleted or anonymised).

What is anonymised: the caller's name and phone on the order, and the Open311 client's e-mail,
device and account ids. The appeal itself (content, address of the problem, category, history)
stays: it is the public record the reports and the learning loop need. An order is done once
(`privacy_anonymised`), so the job is idempotent and safe to run from several workers.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select, update

from hotline.core.db import utcnow
from hotline.core.orm import TransitionRow, WorkOrderRow
from hotline.core.runtime import Runtime
from hotline.privacy.orm import PrivacyAnonymisedRow
from hotline.workorders.domain.workflow import CLOSED_STATES

log = logging.getLogger(__name__)


def due_orders(rt: Runtime, now=None, days: int | None = None, limit: int = 500) -> list:
    """(order_id, closed_at) of closed orders past retention and not yet anonymised.
    closed_at = the time of the order's last transition (the one that closed it)."""
    cfg = rt.config.privacy
    now = now or utcnow()
    cutoff = now - timedelta(days=cfg["anonymise_after_days"] if days is None else days)
    last = (select(TransitionRow.order_id, func.max(TransitionRow.at).label("closed_at"))
            .group_by(TransitionRow.order_id).subquery())
    q = (select(WorkOrderRow.id, last.c.closed_at)
         .join(last, last.c.order_id == WorkOrderRow.id)
         .where(WorkOrderRow.status.in_([str(s) for s in CLOSED_STATES]))
         .where(last.c.closed_at < cutoff)
         .where(~select(PrivacyAnonymisedRow.order_id)
                .where(PrivacyAnonymisedRow.order_id == WorkOrderRow.id).exists())
         .order_by(WorkOrderRow.id).limit(limit))
    with rt.uow() as uow:
        return [(r[0], r[1]) for r in uow.session.execute(q)]


def retain(rt: Runtime, now=None, days: int | None = None, batch: int | None = None) -> int:
    """Anonymise every due order, in batches (each its own transaction). Returns how many."""
    batch = batch or rt.config.privacy["batch"]
    total = 0
    while True:
        due = due_orders(rt, now, days, batch)
        if not due:
            return total
        ids = [i for i, _ in due]
        stamp = utcnow()
        with rt.uow() as uow:
            s = uow.session
            s.execute(update(WorkOrderRow).where(WorkOrderRow.id.in_(ids))
                      .values(caller_name=None, caller_phone=None,
                              version=WorkOrderRow.version + 1)
                      .execution_options(synchronize_session=False))
            _anonymise_open311(s, ids)
            _anonymise_surveys(s, ids)
            for oid, closed_at in due:
                s.add(PrivacyAnonymisedRow(order_id=oid, closed_at=closed_at,
                                           anonymised_at=stamp))
            uow.commit()
        total += len(ids)
        log.info("retention: anonymised callers of %d orders", len(ids))
        if len(due) < batch:
            return total


def _anonymise_open311(session, ids) -> None:
    from hotline.intake.orm import Open311RequestRow
    session.execute(update(Open311RequestRow).where(Open311RequestRow.order_id.in_(ids))
                    .values(email=None, device_id=None, account_id=None)
                    .execution_options(synchronize_session=False))


def _anonymise_surveys(session, ids) -> None:
    """Return-visit copies of the caller's phone (the survey and the SMS it sent) go with
    the order's caller (个人信息保护法: keep personal data no longer than needed). Answers,
    ratings and comments stay: scoring and audits need them."""
    from hotline.survey.orm import SmsOutboxRow, SurveyRow
    survey_ids = select(SurveyRow.id).where(
        SurveyRow.order_id.in_(ids) | SurveyRow.caller_order_id.in_(ids))
    session.execute(update(SmsOutboxRow).where(SmsOutboxRow.survey_id.in_(survey_ids))
                    .values(phone="已匿名").execution_options(synchronize_session=False))
    session.execute(update(SurveyRow).where(
        SurveyRow.order_id.in_(ids) | SurveyRow.caller_order_id.in_(ids))
        .values(phone=None).execution_options(synchronize_session=False))


def retention_tick(rt: Runtime) -> None:
    """Periodic entry (core/periodic.py)."""
    retain(rt)
