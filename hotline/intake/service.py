"""The one intake path (docs/design/architecture.md §8.1): every channel logs an appeal here.

A channel (the agent API and page, Open311, the self-service form, and any channel to come)
is a thin adapter: it checks its own input and anti-abuse rules, builds an `IntakeRequest`
and calls `submit`. Everything else is shared, so an appeal gets the same result whatever the
door it came through:

1. `triage`: hotline.classify.triage, once, with the published model (issue 14): the appeal
   type (every order gets one, so every order has its legal reply deadline), the
   rapid-response item (its pledge clocks and its own unit), the emergency line (the order is
   not dispatched: the agent transfers the caller), the vague reading and the auto-dispatch
   decision with its Chinese reasons (shown in the dispatcher queue);
2. duplicates among open orders (docs/design/domain.md §2.4);
3. `route`: the responsibility table with saved rulings and assisting units
   (docs/design/domain.md §6.6). A category named by the channel (the agent's choice, an
   Open311 service_code) routes through the table whatever the classifier's confidence; a
   category the classifier found routes only when the triage says auto; a rapid-response
   item goes to the item's own unit; a unit named by the agent is taken as it is; otherwise
   the order waits in the dispatcher queue with the triage's reasons;
4. the dispatch runs the same rules as a dispatcher's (assist deadlines, 协办 tasks), and the
   after-save hooks set the deadlines (SLA clocks) and the scoring facts.

A new channel, e.g. WeChat: `Channel("wechat", "wechat").submit(rt, content=..., ...)`.
"""
from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy.exc import IntegrityError

from hotline.core import hooks
from hotline.core.db import new_row, row_to_dict, utcnow
from hotline.core.events import OrderCreated
from hotline.core.runtime import Runtime
from hotline.learning.classification import triage_text
from hotline.workorders import views
from hotline.workorders.domain.model import (
    Actor,
    Caller,
    DomainError,
    NotPermitted,
    RuleViolation,
    WorkOrder,
)
from hotline.workorders.domain.workflow import Role, Status

# Who may log an appeal: the centre's intake roles and channel accounts (Role.SYSTEM).
INTAKE_ROLES = (Role.AGENT, Role.DISPATCHER, Role.ADMIN, Role.SYSTEM)


class Conflict(DomainError):
    """Lost a race on the order's version column (docs/design/architecture.md §4.3)."""
    http_status = 409


@dataclass(frozen=True)
class IntakeRequest:
    """One appeal as a channel hands it over. `category` and `unit` are what the channel
    itself named (an agent's choice, an Open311 service_code), never a guess."""
    content: str
    channel: str = "phone"
    title: str | None = None
    appeal_type: str | None = None
    urgency: str = "normal"
    caller: Caller = field(default_factory=Caller)
    town: str | None = None
    address: str | None = None
    category: str | None = None
    unit: str | None = None            # a lead unit named by the agent (派单 at intake)
    queue: bool = True                 # False: the agent keeps the order to close it at intake
    not_emergency: bool = False        # the agent overrode the triage's emergency reading
    received_at: datetime | None = None
    idempotency_key: str | None = None

    @classmethod
    def from_dict(cls, data: dict) -> "IntakeRequest":
        """The agent API's body (validated by web.schemas) or a plain dict."""
        caller = data.get("caller") or {}
        return cls(content=data["content"], channel=data.get("channel") or "phone",
                   title=data.get("title"), appeal_type=data.get("appeal_type"),
                   urgency=data.get("urgency") or "normal",
                   caller=Caller(caller.get("name"), caller.get("phone"),
                                 bool(caller.get("anonymous")),
                                 bool(caller.get("confidential"))),
                   town=data.get("town"), address=data.get("address"),
                   category=data.get("category"), unit=data.get("unit"),
                   queue=data.get("queue", True), received_at=data.get("received_at"),
                   not_emergency=bool(data.get("not_emergency")),
                   idempotency_key=data.get("idempotency_key"))


@dataclass(frozen=True)
class Channel:
    """A door citizens' appeals come through without an agent: its code (stored in
    work_orders.channel) and the account its orders are logged under."""
    code: str
    account: str

    @property
    def actor(self) -> Actor:
        return Actor(self.account, Role.SYSTEM)

    def submit(self, rt: Runtime, also=None, **fields) -> dict:
        return submit(rt, self.actor, IntakeRequest(channel=self.code, **fields), also=also)


@dataclass(frozen=True)
class Triage:
    """What intake learns from the text (hotline.classify.triage): `answer` is the API's view
    of every decision; `classification` the same when a model is published (None: no model,
    kept for the clients that read it); `category` a category the triage may route on its
    own (auto), `unit` the rapid item's own unit, `why` the dispatcher queue's reason code."""
    answer: dict
    classification: dict | None
    appeal_type: str
    category: str | None
    unit: str | None
    rapid_item: str | None
    rapid_category: str | None
    emergency_line: str | None
    why: str
    reasons: tuple[str, ...]


def triage(rt: Runtime, req: IntakeRequest) -> Triage:
    """The one place intake asks for the triage (docs/design/architecture.md §8.1)."""
    t, answer = triage_text(rt, req.content, req.town)
    has_model = answer["model_version"] is not None
    if t.emergency is not None and req.not_emergency:
        # the agent's judgement stands, but a human dispatcher decides the unit (never auto)
        return Triage(answer=answer, classification=answer if has_model else None,
                      appeal_type=t.appeal_type.code, category=None, unit=None,
                      rapid_item=None, rapid_category=None, emergency_line=None,
                      why="emergency_waived",
                      reasons=(f"话务员判断不是紧急警情（系统提示：{t.emergency.reason}）",))
    confident = t.category if (t.auto and t.rapid is None and t.emergency is None
                               and t.category in rt.city.categories) else None
    if t.emergency is not None:
        why = "emergency"
    elif t.rapid is not None:
        why = "rapid_no_town"          # a rapid hit that still queues: its town is unknown
    elif t.vague is not None:
        why = "vague"
    else:
        why = "classifier_abstained" if has_model else "no_model"
    return Triage(answer=answer, classification=answer if has_model else None,
                  appeal_type=t.appeal_type.code, category=confident,
                  unit=t.unit if t.rapid is not None else None,
                  rapid_item=t.rapid.code if t.rapid is not None else None,
                  rapid_category=t.rapid.category if t.rapid is not None else None,
                  emergency_line=t.emergency_line, why=why, reasons=tuple(t.reasons))


@dataclass(frozen=True)
class Route:
    lead: str
    assist: list
    by: str          # agent | rapid | category | classifier (recorded in the dispatch transition)


def route(rt: Runtime, uow, order: WorkOrder, req: IntakeRequest, tri: Triage) -> Route | None:
    """Where the new order goes, or None for the dispatcher queue (or the agent's hands)."""
    if req.unit:
        return Route(req.unit, [], "agent")
    if not req.queue or tri.emergency_line:
        return None      # an emergency is transferred to its line, never dispatched (Build 4)
    if tri.rapid_item and tri.unit:
        # 快速响应: the item's own unit (`town` = the town of the place) leads; the table's
        # assisting units for the order's category still help (docs/design/domain.md §6.6)
        lead, assist = responsible(rt, uow, order)
        return Route(tri.unit, [a for a in assist if a["unit"] != tri.unit] if lead else [],
                     "rapid")
    if not order.category:
        return None
    if req.category:
        by = "category"          # named by the channel: the table decides, not the classifier
    elif tri.category:
        by = "classifier"
    else:
        return None
    lead, assist = responsible(rt, uow, order)
    return Route(lead, assist, by) if lead else None


def responsible(rt: Runtime, uow, order: WorkOrder) -> tuple[str | None, list]:
    """工单直派: the responsibility table (saved rulings, config/responsibility.yaml, the
    taxonomy owner) decides the lead unit and any assisting units."""
    from hotline.dispatch.routing import unit_for
    a = unit_for(rt, order.category, order.town, order.received_at, uow)
    if a is None:
        return None, []
    return a.lead, [{"unit": u, "task": "协助办理"} for u in a.assist]


def _dispatcher(actor: Actor, r: Route) -> Actor:
    """Who the dispatch transition names: the agent or dispatcher who chose the unit, else
    the account that logged the order (a channel, or the agent who named the category), or
    the classifier, acting as the system."""
    if r.by == "agent" and actor.role in (Role.AGENT, Role.DISPATCHER):
        return actor
    return Actor("classifier" if r.by in ("classifier", "rapid") else actor.username,
                 Role.SYSTEM)


def submit(rt: Runtime, actor: Actor, req: IntakeRequest, also=None) -> dict:
    """Log a new appeal (受理) from any channel and return the order's view with the
    classification and the duplicate candidates.

    also(uow, order_id): adds the channel's own rows (e.g. the Open311 request) to the same
    transaction, so they are stored with the order or not at all."""
    if actor.role not in INTAKE_ROLES:
        raise NotPermitted("只有话务员或派单员可以登记工单")
    key = req.idempotency_key
    if key:
        replay = _replay(rt, actor, key, req.content)
        if replay is not None:
            return replay
    now = utcnow()
    # stored as UTC on every backend (SQLite keeps no offset)
    received = (req.received_at or now).astimezone(timezone.utc)
    tri = triage(rt, req)
    urgency = req.urgency
    if tri.rapid_item and urgency == "normal":
        # a rapid-response hit runs on the pledge tier (sla.yaml pledge.urgencies): the 5-minute
        # dispatch clock, 即时签收, 30 min contact, 60 min on site (Build 3)
        urgency = "urgent"
    if tri.emergency_line and urgency == "normal":
        urgency = "critical"    # danger now: if it ever waits in a queue, 5 minutes at most
    # every order has an appeal type, so every order has its legal reply deadline
    # (docs/design/domain.md §4.1): the agent's choice, else the triage's prediction (Build 2)
    order = WorkOrder(content=req.content, received_at=received, title=req.title,
                      channel=req.channel, appeal_type=req.appeal_type or tri.appeal_type,
                      urgency=urgency, caller=dataclasses.replace(req.caller), town=req.town,
                      address=req.address, category=req.category)
    order.rapid_item = order.rapid_item or tri.rapid_item
    order.category = order.category or tri.rapid_category or tri.category
    classification = tri.classification
    with rt.uow() as uow:
        # The id is reserved first, so the number, the dispatch, the history and the
        # after-save rows are all known before the one INSERT of the final row (no INSERT +
        # UPDATE number + UPDATE state; every row goes out in the commit's flush).
        order.id = uow.orders.next_id()
        order.number = f"DG{views.to_local(received):%Y%m%d}{order.id:07d}"
        # search before anything is added, so the SELECT has nothing to autoflush
        dups = _duplicates(uow, order, received)
        earlier = _earlier(rt, uow, order, received)   # issue 17: repeat appeals
        r = route(rt, uow, order, req, tri)
        if r is not None:
            from hotline.workorders import rules
            by = _dispatcher(actor, r)
            payload = {"data": {"unit": r.lead, **({"assist": r.assist} if r.assist else {}),
                                "by": r.by}}
            # the same rules as a dispatcher's dispatch: assist deadlines, 协办 task rows
            rules.before_action(rt, uow, order, by, "dispatch", payload)
            t = order.apply("dispatch", by, now, data=payload["data"])
            rules.after_action(rt, uow, order, by, t, payload)
            uow.emit_transition(order, t)   # the rule's event (OrderDispatched)
        elif order.status == Status.REGISTERED and req.queue and not (
                tri.emergency_line and actor.role != Role.SYSTEM):
            # An emergency logged by an agent stays in the agent's hands: the page's banner
            # asks for the transfer (transfer_emergency). One from a channel without an agent
            # (Open311) has nobody to transfer it but the dispatcher: it queues, with why.
            order.apply("queue", Actor(actor.username, Role.SYSTEM), now, reason=None,
                        data={"why": tri.why, "reasons": list(tri.reasons)})
        row = new_row(
            order, query_code=f"{secrets.randbelow(10**6):06d}", created_at=now,
            updated_at=now, created_by=actor.username,
            model_version=(classification or {}).get("model_version"),
            model_score=((classification or {}).get("suggestions") or [{}])[0].get("score"),
            suggestions=(classification or {}).get("suggestions"), idempotency_key=key)
        uow.orders.add_new(order, row)
        try:
            # the hot-spot check reads other orders (issue 17), which flushes this row: a lost
            # race on the idempotency key can surface there as well as at the commit
            hooks.after_save(rt, uow, order, row)    # SLA next check, scoring facts, ...
            uow.emit(OrderCreated(order_id=order.id))
            if also is not None:
                also(uow, order.id)
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
        replay = _replay(rt, actor, key, req.content)
        if replay is None:
            raise Conflict("工单登记冲突, 请重试")
        return replay
    result["classification"] = classification
    result["triage"] = tri.answer
    result["duplicates"] = dups
    result["earlier"] = earlier
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
    result.update(classification=None, triage=None, duplicates=[], earlier=[], replayed=True)
    return result


def _duplicates(uow, order: WorkOrder, received) -> list[dict]:
    from hotline.intake.duplicates import find_duplicates
    return find_duplicates(uow.orders, order.id, order.content, order.town, order.category,
                           order.caller.phone, received)


def _earlier(rt: Runtime, uow, order: WorkOrder, received) -> list[dict]:
    """The caller's and the place's earlier orders, open or closed (issue 17, Build 5)."""
    from hotline.intake.duplicates import earlier_orders
    cfg = rt.config.cases["repeats"]
    return earlier_orders(uow.orders, order.id, order.content, order.town, order.address,
                          order.caller.phone, received, cfg["window_days"], cfg["max_shown"])
