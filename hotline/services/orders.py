"""Work-order use cases. The service layer is the only code that commits.

Each function has the same shape (ckan's habit): check access, validate, apply the domain,
save, write the outbox, commit, return a plain dict.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timezone

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from hotline.adapters.db import utcnow
from hotline.adapters.orm import LabelledExampleRow, NoteRow, TransitionRow, UnitRow, WorkOrderRow
from hotline.dispatch.model import (
    Actor,
    Caller,
    DomainError,
    NotPermitted,
    RuleViolation,
    WorkOrder,
)
from hotline.dispatch.workflow import ACTION_LABELS, STATUS_LABELS, Role, Status, allowed_actions

from . import hooks, views
from .classification import classify_text
from .runtime import Runtime


class NotFound(DomainError):
    http_status = 404


class Conflict(DomainError):
    """Lost a race on the order's version column (docs/design/architecture.md §4.3)."""
    http_status = 409


def _visible(order_row, actor: Actor) -> bool:
    if actor.role != Role.DEPARTMENT:
        return True
    return order_row.unit == actor.unit or actor.unit in (order_row.assist_units or [])


def create_order(rt: Runtime, actor: Actor, data: dict, also=None) -> dict:
    """Log a new appeal (受理). Classifies it, dispatches directly when the agent named a unit
    or the classifier is confident (工单直派), otherwise queues it for a dispatcher.

    also(uow, order_id): adds the caller's own rows (e.g. the Open311 request) to the same
    transaction, so they are stored with the order or not at all."""
    if actor.role not in (Role.AGENT, Role.DISPATCHER, Role.ADMIN, Role.SYSTEM):
        raise NotPermitted("只有话务员或派单员可以登记工单")
    key = data.get("idempotency_key")
    if key:
        replay = _replay(rt, actor, key, data["content"])
        if replay is not None:
            return replay
    now = utcnow()
    # stored as UTC on every backend (SQLite keeps no offset)
    received = (data.get("received_at") or now).astimezone(timezone.utc)
    caller = data.get("caller") or {}
    order = WorkOrder(content=data["content"], received_at=received, title=data.get("title"),
                      channel=data.get("channel", "phone"), appeal_type=data.get("appeal_type"),
                      urgency=data.get("urgency", "normal"),
                      caller=Caller(caller.get("name"), caller.get("phone"),
                                    bool(caller.get("anonymous")),
                                    bool(caller.get("confidential"))),
                      town=data.get("town"), address=data.get("address"),
                      category=data.get("category"))
    classification = classify_text(rt, order.content, order.town)
    if classification["model_version"] is None:
        classification = None      # no model published: the order waits for a dispatcher
    if classification:
        rapid = classification.get("rapid_item")
        order.rapid_item = order.rapid_item or (rapid["item_code"] if rapid else None)
        if not order.category and classification["suggestions"]:
            top = classification["suggestions"][0]
            if top["label"] in rt.city.categories and classification["auto"]:
                order.category = top["label"]
    with rt.uow() as uow:
        # The id is reserved first, so the number, the dispatch, the history and the
        # after-save rows are all known before the one INSERT of the final row (no INSERT +
        # UPDATE number + UPDATE state; every row goes out in the commit's flush).
        order.id = uow.orders.next_id()
        order.number = f"DG{views.to_local(received):%Y%m%d}{order.id:07d}"
        # search before anything is added, so the SELECT has nothing to autoflush
        dups = _duplicates(uow, order, order.id, received)
        target, assist = data.get("unit"), []
        # queue=False: the agent keeps the order to close it at intake (直接答复, 不予受理,
        # 转紧急热线, 并单), so nothing routes it automatically.
        routed = data.get("queue", True)
        if not target and routed and classification and classification["auto"] \
                and order.category:
            target, assist = _responsible(rt, uow, order)
        if target:
            by = actor if actor.role in (Role.AGENT, Role.DISPATCHER) and data.get("unit") \
                else Actor("classifier" if not data.get("unit") else actor.username, Role.SYSTEM)
            from hotline.services import rules
            payload = {"data": {"unit": target, **({"assist": assist} if assist else {}),
                                "by": "agent" if data.get("unit") else "classifier"}}
            # the same rules as a dispatcher's dispatch: assist deadlines, 协办 task rows
            rules.before_action(rt, uow, order, by, "dispatch", payload)
            t = order.apply("dispatch", by, now, data=payload["data"])
            rules.after_action(rt, uow, order, by, t, payload)
            uow.emit("order.dispatched", order_id=order.id, unit=target)
        elif order.status == Status.REGISTERED and data.get("queue", True):
            order.apply("queue", Actor(actor.username, Role.SYSTEM), now, reason=None,
                        data={"why": "classifier_abstained" if classification else "no_model"})
        row = WorkOrderRow(
            id=order.id, number=order.number,
            query_code=f"{secrets.randbelow(10**6):06d}",
            status=order.status, title=order.title, content=order.content,
            channel=order.channel, appeal_type=order.appeal_type, urgency=order.urgency,
            caller_name=order.caller.name, caller_phone=order.caller.phone,
            caller_anonymous=order.caller.anonymous,
            caller_confidential=order.caller.confidential, town=order.town,
            address=order.address, category=order.category, rapid_item=order.rapid_item,
            unit=order.unit, first_unit=order.first_unit, handler=order.handler,
            master_id=order.master_id, assist_units=list(order.assist_units),
            sent_back=order.is_sent_back(),
            received_at=received, created_at=now, updated_at=now, created_by=actor.username,
            model_version=(classification or {}).get("model_version"),
            model_score=((classification or {}).get("suggestions") or [{}])[0].get("score"),
            suggestions=(classification or {}).get("suggestions"), idempotency_key=key)
        uow.orders.add_new(order, row)
        hooks.after_save(rt, uow, order, row)    # SLA next check, scoring facts (no reads)
        uow.emit("order.created", order_id=order.id)
        if also is not None:
            also(uow, order.id)
        try:
            uow.commit()
        except IntegrityError:
            # Two tries with one key raced and the other committed first: answer with its order.
            if not key:
                raise
            lost_race = True
        else:
            lost_race = False
            result = views.order_view(rt, row_to_dict(row), actor)
    if lost_race:
        replay = _replay(rt, actor, key, data["content"])
        if replay is None:
            raise Conflict("工单登记冲突, 请重试")
        return replay
    result["classification"] = classification
    result["duplicates"] = dups
    result["replayed"] = False
    return result


def _replay(rt: Runtime, actor: Actor, key: str, content: str) -> dict | None:
    """The order this account already logged under `key`, as it stands now, or None.

    A client that saw no answer (timeout, 503 while PostgreSQL restarted: the COMMIT may have
    landed with its acknowledgement lost) retries with the same Idempotency-Key and gets the
    stored order, so the appeal is logged once. The same key with another appeal is a client
    error (422), as the IETF Idempotency-Key draft asks."""
    with rt.uow() as uow:
        row = uow.orders.by_idempotency_key(actor.username, key)
        if row is None:
            return None
        if row.content != content:
            raise RuleViolation(f"幂等键已用于另一条诉求 (工单 {row.number}), 新诉求请使用新的键",
                                "Idempotency-Key")
        result = views.order_view(rt, row_to_dict(row), actor)
    # classification and duplicates belong to the first answer; the order carries its
    # suggestions and model version
    result.update(classification=None, duplicates=[], replayed=True)
    return result


def _responsible(rt, uow, order) -> tuple[str | None, list]:
    """工单直派: the responsibility table (saved rulings, config/responsibility.yaml, the
    taxonomy owner) decides the lead unit and any assisting units."""
    from .dispatch_routing import unit_for
    a = unit_for(rt, order.category, order.town, order.received_at, uow.session)
    if a is None:
        return None, []
    return a.lead, [{"unit": u, "task": "协助办理"} for u in a.assist]


def _duplicates(uow, order, order_id, received) -> list[dict]:
    from .duplicates import find_duplicates
    return find_duplicates(uow.session, order_id, order.content, order.town, order.category,
                           order.caller.phone, received)


def row_to_dict(row: WorkOrderRow) -> dict:
    return {c.name: getattr(row, c.name) for c in WorkOrderRow.__table__.columns}


def act(rt: Runtime, actor: Actor, order_id: int, action: str, payload: dict,
        at: datetime | None = None) -> dict:
    """Apply one workflow action. A lost race on the version column is a 409. `at`: when it
    happened (the demo data's history, seed.py); now by default."""
    from hotline.services import rules
    with rt.uow() as uow:
        order = uow.orders.get(order_id)
        if order is None or not _visible(uow.orders.row(order_id), actor):
            raise NotFound("工单不存在")
        # The optimistic lock the README promises (issue 12, finding 8): a client that sends
        # the `version` it read acts only on that version. The UPDATE then checks the version
        # read here (version_id_col), so a change in between is a 409 as well.
        expected = payload.get("version")
        if expected is not None and expected != uow.orders.row(order_id).version:
            raise Conflict("工单已被他人修改, 请刷新后重试 (version conflict)", field="version")
        known = len(order.history)
        before_unit, before_category = order.unit, order.category
        rules.before_action(rt, uow, order, actor, action, payload)
        _change_category(rt, order, action, payload)
        t = order.apply(action, actor, at or utcnow(), reason=payload.get("reason"),
                        data=payload.get("data") or {},
                        return_window_end=rules.return_window_end(rt))
        rules.after_action(rt, uow, order, actor, t, payload)
        _record_notes(uow, order, actor, action, payload, t.at)
        _learn(uow, order, actor, action, before_unit, before_category)
        try:
            uow.orders.save(order, known)
            hooks.after_save(rt, uow, order, uow.orders.row(order.id))
            uow.emit(f"order.{action}", order_id=order.id, seq=t.seq, unit=order.unit)
            uow.commit()
        except (StaleDataError, IntegrityError) as exc:
            raise Conflict("工单已被他人修改, 请刷新后重试 (version conflict)") from exc
    return get_order(rt, actor, order_id)


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
    from hotline.dispatch.model import RuleViolation
    if data["category"] not in rt.city.categories:
        raise RuleViolation(f"未知分类代码 {data['category']}", field="data.category")
    data["category_from"] = order.category
    order.category = data["category"]


def get_order(rt: Runtime, actor: Actor, order_id: int, log_access: bool = True) -> dict:
    view = _get_order(rt, actor, order_id)
    if log_access:   # PIPL access log (docs/design/domain.md §10.2)
        from . import privacy
        privacy.record_access(rt, actor, "detail", [order_id])
    return view


def _get_order(rt: Runtime, actor: Actor, order_id: int) -> dict:
    with rt.uow() as uow:
        row = uow.session.get(WorkOrderRow, order_id)
        if row is None or not _visible(row, actor):
            raise NotFound("工单不存在")
        d = row_to_dict(row)
        trs = uow.session.execute(select(TransitionRow).where(TransitionRow.order_id == order_id)
                                  .order_by(TransitionRow.seq)).scalars().all()
        notes = uow.session.execute(select(NoteRow).where(NoteRow.order_id == order_id)
                                    .order_by(NoteRow.id)).scalars().all()
        view = views.order_view(rt, d, actor)
        view["history"] = [views.transition_view(t) for t in trs]
        view["notes"] = [views.note_view(n) for n in notes
                         if actor.role != Role.DEPARTMENT or n.kind != "internal"
                         or n.unit == actor.unit]
        view["allowed_actions"] = allowed_actions(row.status, actor.role) \
            if _visible(row, actor) else []
        return view


def list_orders(rt: Runtime, actor: Actor, filters: dict, log_access: bool = True) -> dict:
    out = _list_orders(rt, actor, filters)
    if log_access:   # PIPL access log (docs/design/domain.md §10.2)
        from . import privacy
        privacy.record_access(rt, actor, "list", [i["id"] for i in out["items"]])
    return out


def _list_orders(rt: Runtime, actor: Actor, filters: dict) -> dict:
    page, per_page = filters.get("page", 1), filters.get("per_page", 20)
    q = select(WorkOrderRow)
    if actor.role == Role.DEPARTMENT:
        q = q.where(WorkOrderRow.unit == actor.unit)
    for key in ("status", "unit", "town", "category"):
        if filters.get(key):
            q = q.where(getattr(WorkOrderRow, key) == filters[key])
    if filters.get("statuses"):
        q = q.where(WorkOrderRow.status.in_(filters["statuses"]))
    if filters.get("q"):
        like = f"%{filters['q']}%"
        q = q.where(or_(WorkOrderRow.content.like(like), WorkOrderRow.number == filters["q"],
                        WorkOrderRow.title.like(like)))
    with rt.uow() as uow:
        total = uow.session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
        rows = uow.session.execute(q.order_by(WorkOrderRow.id.desc())
                                   .limit(per_page).offset((page - 1) * per_page)).scalars()
        items = [views.order_view(rt, row_to_dict(r), actor, brief=True)
                 for r in rows]
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def list_units(rt: Runtime) -> list[dict]:
    with rt.uow() as uow:
        rows = uow.session.execute(select(UnitRow).order_by(UnitRow.kind, UnitRow.code)).scalars()
        return [{"code": u.code, "name": u.name, "kind": u.kind} for u in rows]


def status_labels() -> dict:
    return {"statuses": {str(k): v for k, v in STATUS_LABELS.items()},
            "actions": ACTION_LABELS}
