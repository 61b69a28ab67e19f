"""Work-order use cases. The service layer is the only code that commits.

Each function has the same shape (ckan's habit): check access, validate, apply the domain,
save, write the outbox, commit, return a plain dict.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from hotline.core import hooks
from hotline.core.access import visible
from hotline.core.db import row_to_dict, utcnow
from hotline.core.orm import LabelledExampleRow, NoteRow, UnitRow
from hotline.core.runtime import Runtime
from hotline.intake import service as intake
from hotline.intake.service import Conflict  # noqa: F401  (raised by act; callers catch orders.Conflict)
from hotline.workorders import views
from hotline.workorders.domain.model import Actor, DomainError
from hotline.workorders.domain.workflow import Role, allowed_actions


class NotFound(DomainError):
    http_status = 404


def create_order(rt: Runtime, actor: Actor, data: dict, also=None) -> dict:
    """Log a new appeal (受理) from the agent API's body: the one intake path
    (intake/service.py) classifies it, dispatches it directly when the agent named a unit or
    a category, or the classifier is confident (工单直派), otherwise queues it for a
    dispatcher. `also`: see intake.submit."""
    return intake.submit(rt, actor, intake.IntakeRequest.from_dict(data), also=also)


def act(rt: Runtime, actor: Actor, order_id: int, action: str, payload: dict,
        at: datetime | None = None) -> dict:
    """Apply one workflow action. A lost race on the version column is a 409. `at`: when it
    happened (the demo data's history, seed.py); now by default."""
    with rt.uow() as uow:
        order = uow.orders.get(order_id)
        if order is None or not visible(uow.orders.row(order_id), actor):
            raise NotFound("工单不存在")
        # The optimistic lock the README promises (issue 12, finding 8): a client that sends
        # the `version` it read acts only on that version. The UPDATE then checks the version
        # read here (version_id_col), so a change in between is a 409 as well.
        expected = payload.get("version")
        if expected is not None and expected != uow.orders.row(order_id).version:
            raise Conflict("工单已被他人修改, 请刷新后重试 (version conflict)", field="version")
        known = len(order.history)
        t = step(rt, uow, order, actor, action, payload, at)
        try:
            save_steps(rt, uow, order, known, [t])
            uow.commit()
        except (StaleDataError, IntegrityError) as exc:
            raise Conflict("工单已被他人修改, 请刷新后重试 (version conflict)") from exc
    return get_order(rt, actor, order_id)


def act_many(rt: Runtime, order_id: int, steps) -> list:
    """Several actions on one order in one unit of work: `steps` are (actor, action, payload,
    at) applied in turn through `step` (every rule, every transition recorded, append-only),
    saved once. The demo history (workorders/seed.py) walks each order this way: one load, one
    facts refresh and one commit per order instead of per step. Returns the transitions."""
    with rt.uow() as uow:
        order = uow.orders.get(order_id)
        if order is None:
            raise NotFound("工单不存在")
        known = len(order.history)
        done = [step(rt, uow, order, actor, action, payload, at)
                for actor, action, payload, at in steps]
        save_steps(rt, uow, order, known, done)
        uow.commit()
    return done


def step(rt: Runtime, uow, order, actor: Actor, action: str, payload: dict,
         at: datetime | None = None):
    """One action on a loaded aggregate, with every rule `act` runs around it, inside the
    caller's unit of work; returns the Transition. A use case that records several actions at
    once (a 会商 decision and the dispatch it decides, issue 17) calls it once per action and
    then `save_steps` once."""
    from hotline.workorders import rules
    before_unit, before_category = order.unit, order.category
    when = at or utcnow()
    rules.before_action(rt, uow, order, actor, action, payload, when)
    _change_category(rt, order, action, payload)
    t = order.apply(action, actor, when, reason=payload.get("reason"),
                    data=payload.get("data") or {},
                    return_window_end=rules.return_window_end(rt))
    rules.after_action(rt, uow, order, actor, t, payload)
    _record_notes(uow, order, actor, action, payload, t.at)
    _learn(uow, order, actor, action, before_unit, before_category)
    return t


def save_steps(rt: Runtime, uow, order, known: int, transitions) -> None:
    """Write the aggregate and its new transitions, run the after-save hooks and raise each
    transition's event (no commit: the caller's unit of work commits)."""
    uow.orders.save(order, known)
    hooks.after_save(rt, uow, order, uow.orders.row(order.id))
    for t in transitions:
        uow.emit_transition(order, t)


def _record_notes(uow, order, actor, action, payload, at=None):
    kinds = {"note": "internal", "reply": "unit_report"}
    text = (payload.get("data") or {}).get("reply") if action == "reply" else \
        (payload.get("data") or {}).get("note") if action == "note" else None
    if text:
        uow.session.add(NoteRow(order_id=order.id, kind=kinds[action], author=actor.username,
                                unit=actor.unit, body=text, at=at or utcnow()))
        if action == "reply":   # the reply to the citizen, kept apart from the unit report
            uow.session.add(NoteRow(order_id=order.id, kind="citizen_reply",
                                    author=actor.username, unit=actor.unit,
                                    body=(payload.get("data") or {}).get("citizen_reply") or text,
                                    at=at or utcnow()))


def _learn(uow, order, actor, action, before_unit, before_category):
    """Centre corrections become labelled examples for the classifier's learning loop
    (docs/design/decisions/0005-classifier-jieba-sklearn.md): a dispatcher's dispatch (override
    of the queue or of the classifier), an
    approved return, an arbitration result, and any category change."""
    human = actor.role in (Role.DISPATCHER, Role.SUPERVISOR)
    if not order.category:
        return
    source = None
    if action in ("approve_return", "arbitrate"):
        source = action
    elif order.category != before_category:
        source = "category_change"
    elif action == "dispatch" and human:
        source = "dispatcher_override"
    if source:
        uow.session.add(LabelledExampleRow(order_id=order.id, text=order.content,
                                           label=order.category, source=source,
                                           created_at=utcnow()))


def _change_category(rt, order, action, payload) -> None:
    """Dispatch, approved return and arbitration may correct the category (data.category);
    the old one is kept in the transition data."""
    data = payload.setdefault("data", {}) if payload.get("data") is not None else None
    if data is None or "category" not in data or action not in (
            "dispatch", "approve_return", "arbitrate"):
        return
    from hotline.workorders.domain.model import RuleViolation
    if data["category"] not in rt.city.categories:
        raise RuleViolation(f"未知分类代码 {data['category']}", field="data.category")
    data["category_from"] = order.category
    order.category = data["category"]


def get_order(rt: Runtime, actor: Actor, order_id: int, log_access: bool = True) -> dict:
    view = _get_order(rt, actor, order_id)
    if log_access:   # PIPL access log (docs/design/domain.md §10.2)
        from hotline.privacy import service as privacy
        privacy.record_access(rt, actor, "detail", [order_id])
    return view


def _get_order(rt: Runtime, actor: Actor, order_id: int) -> dict:
    with rt.uow() as uow:
        found = uow.orders.detail(order_id)
        if found is None or not visible(found[0], actor):
            raise NotFound("工单不存在")
        row, trs, notes = found
        d = row_to_dict(row)
        view = views.order_view(rt, d, actor)
        view["history"] = [views.transition_view(t) for t in trs]
        view["notes"] = [views.note_view(n) for n in notes
                         if actor.role != Role.DEPARTMENT or n.kind != "internal"
                         or n.unit == actor.unit]
        # 二级派单 (issue 17): the village holding the order gets the village's rows only
        as_village = actor.role == Role.DEPARTMENT and bool(actor.unit) and \
            row.village == actor.unit and row.unit != actor.unit
        allowed = allowed_actions(row.status, actor.role, as_village) \
            if visible(row, actor) else []
        # 二级派单 goes to one of the owner's villages (rules._check_village): an owner without
        # villages (a department) is not offered it (docs/design/domain.md §6.8)
        if not rt.city.villages_of(row.unit):
            allowed = [a for a in allowed if a != "subdispatch"]
        view["allowed_actions"] = allowed
        return view


def list_orders(rt: Runtime, actor: Actor, filters: dict, log_access: bool = True) -> dict:
    """The search and the staff list: filters, sorting, paging (issue 15, Build 3), with the
    PIPL access log of the page read (docs/design/domain.md §10.2) in the same transaction."""
    from hotline.workorders import search
    return search.list_orders(rt, actor, filters, log_access=log_access)


def list_units(rt: Runtime) -> list[dict]:
    with rt.uow() as uow:
        rows = uow.session.execute(select(UnitRow).order_by(UnitRow.kind, UnitRow.code)).scalars()
        # villages carry their town (`parent`): one response, no paging (issue 17)
        return [{"code": u.code, "name": u.name, "kind": u.kind, "parent": u.parent}
                for u in rows]

