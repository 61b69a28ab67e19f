"""会商 use cases (issue 17, Build 3): open, answer, decide, list. The service layer commits.

Opening and deciding are recorded on the order as transitions of the one transition table
(`consult_open`, `consult_decide`: hotline/workorders/domain/workflow.py); the decision then
routes the order in the same transaction (a dispatch from the queue, or a ruling on a pending
return) and is saved as a routing rule for the order's category and town by the same function
as a supervisor's ruling (hotline/dispatch/routing.py `save_rule`)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from hotline.core.access import visible
from hotline.core.db import aware, utcnow
from hotline.core.events import ConsultationDecided, ConsultationOpened
from hotline.workorders import views
from hotline.workorders.commands import NotFound, save_steps, step
from hotline.workorders.domain.model import Actor, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import STATUS_LABELS, Role, Status

from .domain.consultation import (
    ANSWERS,
    Answer,
    ConsultError,
    check_answer,
    check_deadline,
    check_decision,
    check_units,
    standing,
)
from .orm import ConsultationAnswerRow, ConsultationDecisionRow, ConsultationRow

OPENERS = (Role.DISPATCHER, Role.SUPERVISOR)


def _err(exc: ConsultError) -> RuleViolation:
    return RuleViolation(exc.message, field=exc.field)


def _known_units(rt, units, field):
    for u in units:
        if u not in rt.city.units:
            raise RuleViolation(f"未知单位代码 {u}", field=field)


def open_consultation(rt, actor: Actor, order_id: int, units: list[str], deadline: datetime,
                      topic: str | None = None, now: datetime | None = None) -> dict:
    if actor.role not in OPENERS:
        raise NotPermitted("只有派单员或督办人员可以发起会商")
    cfg = rt.config.cases["consult"]
    now = now or utcnow()
    try:
        units = check_units(list(units), cfg["min_units"], cfg["max_units"])
        check_deadline(deadline, now)
    except ConsultError as exc:
        raise _err(exc) from None
    _known_units(rt, units, "units")
    with rt.uow() as uow:
        order = uow.orders.get(order_id)
        if order is None:
            raise NotFound("工单不存在")
        if _undecided(uow, order_id) is not None:
            raise RuleViolation("该工单已有进行中的会商", field="order_id")
        row = ConsultationRow(order_id=order_id, category=order.category, town=order.town,
                              units=units, deadline=deadline.astimezone(timezone.utc),
                              topic=topic, opened_by=actor.username, opened_at=now)
        uow.session.add(row)
        uow.session.flush()
        known = len(order.history)
        t = step(rt, uow, order, actor, "consult_open",
                 {"reason": topic, "data": {"consultation_id": row.id, "units": units,
                                            "deadline": deadline.isoformat()}}, now)
        save_steps(rt, uow, order, known, [t])
        uow.emit(ConsultationOpened(consultation_id=row.id, order_id=order_id))
        uow.commit()
        cid = row.id
    return get(rt, actor, cid)


def _undecided(uow, order_id: int):
    return uow.session.execute(
        select(ConsultationRow.id).where(ConsultationRow.order_id == order_id)
        .where(~ConsultationRow.id.in_(select(ConsultationDecisionRow.consultation_id)))
    ).scalar_one_or_none()


def _load(uow, actor: Actor, consultation_id: int) -> ConsultationRow:
    row = uow.session.get(ConsultationRow, consultation_id)
    # a unit sees the consultations it is asked in (and nothing else): 404 like an order
    if row is None or (actor.role == Role.DEPARTMENT and actor.unit not in (row.units or [])):
        raise NotFound("会商不存在")
    return row


def _decision(uow, consultation_id: int):
    return uow.session.execute(select(ConsultationDecisionRow).where(
        ConsultationDecisionRow.consultation_id == consultation_id)).scalar_one_or_none()


def answer(rt, actor: Actor, consultation_id: int, answer: str, legal_basis: str | None,
           note: str | None, now: datetime | None = None) -> dict:
    if actor.role != Role.DEPARTMENT or not actor.unit:
        raise NotPermitted("只有参加会商的单位可以答复")
    try:
        check_answer(answer, legal_basis)
    except ConsultError as exc:
        raise _err(exc) from None
    with rt.uow() as uow:
        row = _load(uow, actor, consultation_id)
        if _decision(uow, consultation_id) is not None:
            raise RuleViolation("会商已作出决定, 不能再答复", field="answer")
        uow.session.add(ConsultationAnswerRow(
            consultation_id=row.id, unit=actor.unit, answer=answer,
            legal_basis=(legal_basis or "").strip() or None, note=(note or "").strip() or None,
            answered_by=actor.username, answered_at=now or utcnow()))
        uow.commit()
    return get(rt, actor, consultation_id)


def decide(rt, actor: Actor, consultation_id: int, lead: str, assist: list[str], reason: str,
           category: str | None = None, now: datetime | None = None) -> dict:
    """The supervisor's binding decision: recorded on the order, applied to it when it is
    still unrouted (dispatch) or returned (ruling), and saved as the routing rule of its
    category and town (docs/design/domain.md §6.4)."""
    if actor.role != Role.SUPERVISOR:
        raise NotPermitted("只有督办人员可以作出会商决定")
    if not (reason or "").strip():
        raise RuleViolation("会商决定须写明理由", field="reason")
    now = now or utcnow()
    with rt.uow() as uow:
        row = _load(uow, actor, consultation_id)
        if _decision(uow, consultation_id) is not None:
            raise RuleViolation("会商已作出决定", field="lead")
        try:
            assist = check_decision(list(row.units), lead, list(assist or []))
        except ConsultError as exc:
            raise _err(exc) from None
        order = uow.orders.get(row.order_id)
        data = {"consultation_id": row.id, "lead": lead, "assist": assist}
        if category is not None and category != order.category:
            # the decision may settle the category too (the rule is keyed on it), recorded
            # with the old one like a dispatcher's correction
            if category not in rt.city.categories:
                raise RuleViolation(f"未知分类代码 {category}", field="category")
            data["category"], data["category_from"] = category, order.category
            order.category = category
        if not order.category:
            raise RuleViolation("工单无分类, 会商决定不能成为派单规则; 请先更正分类",
                                field="lead")
        known = len(order.history)
        steps = [step(rt, uow, order, actor, "consult_decide",
                      {"reason": reason, "data": data}, now)]
        tasks = [{"unit": u, "task": "按会商决定协助办理"} for u in assist]
        applied = "recorded"
        if order.status in (Status.REGISTERED, Status.PENDING_DISPATCH):
            # the dispatcher's move, made by the decision (the supervisor is named)
            by = Actor(actor.username, Role.SYSTEM)
            steps.append(step(rt, uow, order, by, "dispatch", {"data": {
                "unit": lead, "by": "consult", **({"assist": tasks} if tasks else {})}}, now))
            applied = "dispatched"
        elif order.status == Status.RETURN_REQUESTED:
            if lead != order.unit:
                steps.append(step(rt, uow, order, actor, "arbitrate", {"reason": reason, "data": {
                    "unit": lead, "attributed_to": "none"}}, now))
            else:
                steps.append(step(rt, uow, order, actor, "arbitrate_keep",
                                  {"reason": reason, "data": {}}, now))
            for task in tasks:
                if task["unit"] not in order.assist_units:
                    steps.append(step(rt, uow, order, actor, "add_assist",
                                      {"data": dict(task)}, now))
            applied = "arbitrated"
        from hotline.dispatch.routing import save_rule
        rule = save_rule(rt, uow, category=order.category, town=order.town, lead=lead,
                         assist=assist, at=now, order_id=order.id,
                         note=f"会商决定: {reason}", by=actor.username)
        steps[0].data["routing_rule_id"] = rule.id
        save_steps(rt, uow, order, known, steps)
        uow.session.add(ConsultationDecisionRow(
            consultation_id=row.id, lead=lead, assist=assist, reason=reason,
            routing_rule_id=rule.id, applied=applied, decided_by=actor.username,
            decided_at=now))
        uow.emit(ConsultationDecided(consultation_id=row.id, order_id=order.id))
        uow.commit()
    return get(rt, actor, consultation_id)


def get(rt, actor: Actor, consultation_id: int) -> dict:
    with rt.uow() as uow:
        row = _load(uow, actor, consultation_id)
        return _view(rt, uow, actor, row)


def list_consultations(rt, actor: Actor, order_id: int | None = None,
                       pending_only: bool = False) -> dict:
    with rt.uow() as uow:
        q = select(ConsultationRow).order_by(ConsultationRow.id.desc()).limit(500)
        if order_id is not None:
            q = q.where(ConsultationRow.order_id == order_id)
        rows = [r for r in uow.session.execute(q).scalars()
                if actor.role != Role.DEPARTMENT or actor.unit in (r.units or [])]
        items = [_view(rt, uow, actor, r) for r in rows]
    if pending_only:
        items = [i for i in items if i["decision"] is None]
    return {"items": items, "total": len(items)}


def _view(rt, uow, actor: Actor, row: ConsultationRow) -> dict:
    now = utcnow()
    order = uow.orders.get_row(row.order_id)
    answers = [Answer(a.unit, a.answer, a.legal_basis, a.note, a.answered_by,
                      aware(a.answered_at)) for a in uow.session.execute(
        select(ConsultationAnswerRow).where(
            ConsultationAnswerRow.consultation_id == row.id)).scalars()]
    latest = standing(answers)
    deadline = aware(row.deadline)
    d = _decision(uow, row.id)
    city = rt.city

    def unit_name(code):
        u = city.units.get(code)
        return u.name if u else "未知单位"

    units = []
    for code in row.units or []:
        a = latest.get(code)
        units.append({"unit": code, "unit_name": unit_name(code),
                      "answer": a.answer if a else None,
                      "answer_label": ANSWERS[a.answer] if a else "尚未答复",
                      "legal_basis": a.legal_basis if a else None,
                      "note": a.note if a else None,
                      "answered_at": views.iso(a.at) if a else None,
                      "late": bool(a and a.at > deadline)})
    cat = city.categories.get(row.category) if row.category else None
    town = city.units.get(row.town) if row.town else None
    may_see_order = order is not None and visible(order, actor)
    return {
        "id": row.id, "order_id": row.order_id,
        "order_number": order.number if order else None,
        "order_status_label": STATUS_LABELS.get(order.status, "") if order else "",
        # the consulted units read the appeal to answer (they are asked about it)
        "content": order.content if order else None, "order_visible": may_see_order,
        "category": row.category, "category_name": cat.name if cat else "",
        "town": row.town, "town_name": town.name if town else "",
        "topic": row.topic, "deadline": views.iso(deadline),
        "overdue": d is None and now > deadline,
        "opened_by": row.opened_by, "opened_at": views.iso(aware(row.opened_at)),
        "units": units,
        "my_unit": actor.unit if actor.role == Role.DEPARTMENT else None,
        "decision": None if d is None else {
            "lead": d.lead, "lead_name": unit_name(d.lead), "assist": list(d.assist or []),
            "assist_names": [unit_name(u) for u in d.assist or []], "reason": d.reason,
            "routing_rule_id": d.routing_rule_id, "applied": d.applied,
            "applied_label": {"dispatched": "已按决定派单", "arbitrated": "已按决定裁定",
                              "recorded": "已记录 (工单已在办理, 规则用于后续工单)"}[d.applied],
            "decided_by": d.decided_by, "decided_at": views.iso(aware(d.decided_at))},
    }
