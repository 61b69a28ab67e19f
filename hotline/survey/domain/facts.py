"""Per (order, unit) facts for scoring, derived from the append-only history
(docs/design/architecture.md §3.2). Pure: give the order, its history, its deadlines (hotline.sla)
and its survey outcomes; get one `UnitFacts` per unit that ever owned the order. The service stores
them in a rollup table so reports over a year of orders are one GROUP BY
(docs/design/architecture.md §9.5).
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from hotline.workorders.domain.workflow import OWNER_ACTIONS, REOPEN_ACTIONS


@dataclass
class UnitFacts:
    order_id: int
    unit: str
    assigned_at: datetime
    category: str | None = None
    town: str | None = None
    status: str = ""
    anonymous: bool = False
    returned_away: bool = False   # approved 退单 moved it away: counts against nobody (docs/design/domain.md §8.4)
    unreasonable: bool = False    # 最终答复办结: excluded from scoring (docs/design/domain.md §8.4)
    returns_req: int = 0
    returns_ok: int = 0           # 合理退单 (approved)
    returns_bad: int = 0          # 不当退单 (rejected)
    sign_due_at: datetime | None = None
    signed_at: datetime | None = None
    contact_req: bool = False
    contact_due_at: datetime | None = None
    contacted_at: datetime | None = None
    reply_due_at: datetime | None = None
    replied_at: datetime | None = None
    replies: int = 0
    send_backs: int = 0
    extensions: int = 0
    reopens: int = 0
    closed: bool = False
    visits: int = 0               # answered + unreachable (回访核实)
    answers: int = 0              # valid answers (not excluded by an overturned appeal)
    res_yes: int = 0
    res_partial: int = 0
    res_no: int = 0
    sat_yes: int = 0
    sat_basic: int = 0
    sat_no: int = 0
    unreachable: int = 0
    excluded_ratings: int = 0
    # the return visit's "did the unit contact you" (issue 18 item 2: 响应率 as the citizen
    # confirms it), valid answers only
    visit_contacted: int = 0
    visit_not_contacted: int = 0
    # 协办 (issue 18 item 3): an assisting unit's task deadline and its first input; a unit
    # that only assisted has a row of its own, never counted as assigned
    assist_only: bool = False
    assist_due_at: datetime | None = None
    assist_done_at: datetime | None = None

    @property
    def sign_ok(self) -> bool:
        return _on_time(self.signed_at, self.sign_due_at)

    @property
    def contact_ok(self) -> bool:
        return self.contact_req and _on_time(self.contacted_at, self.contact_due_at)

    @property
    def reply_ok(self) -> bool:
        return _on_time(self.replied_at, self.reply_due_at)

    @property
    def first_time(self) -> bool:
        """一次办结: closed with no 回退, no 重办, no 延期 (docs/design/domain.md §8.5)."""
        return self.closed and not (self.send_backs or self.reopens or self.extensions)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _on_time(done: datetime | None, due: datetime | None) -> bool:
    if done is None:
        return False
    return due is None or done <= due


def _get(obj, name, default=None):
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def derive(order, history, deadlines=(), surveys=()) -> list[UnitFacts]:
    """One UnitFacts per owner. `deadlines` are hotline.sla Deadline objects (legal target);
    `surveys` are dicts with unit, status, resolved, satisfaction, excluded."""
    out: dict[str, UnitFacts] = {}
    assists: dict[str, UnitFacts] = {}
    owner: str | None = None
    village: str | None = None       # 二级派单: the village holding the order (issue 17)
    accepted: list[str] = []         # villages whose report the town accepted
    for t in history:
        action, at, data = _get(t, "action"), _get(t, "at"), _get(t, "data") or {}
        _assist(order, assists, action, at, data, _get(t, "unit"))
        # --- 二级派单 (issue 17; docs/design/domain.md §6.8): the village is scored on its own
        # row for the part it handled, the town (still the owner) on the whole order ---
        if action == "subdispatch" and data.get("unit"):
            village = data["unit"]
            vf = out.setdefault(village, UnitFacts(_get(order, "id"), village, at,
                                                   _get(order, "category"), _get(order, "town")))
            vf.returned_away = False
            continue
        if village and _get(t, "unit") == village and village in out:
            vf = out[village]
            if action == "sign" and vf.signed_at is None:
                vf.signed_at = at
            elif action in ("contact", "onsite") and vf.contacted_at is None:
                vf.contacted_at = at
            elif action == "village_report":
                vf.replies += 1
                vf.replied_at = vf.replied_at or at
            elif action == "village_return":   # handed back with a reason: not scored on it
                vf.returns_req += 1
                vf.returns_ok += 1
                vf.returned_away = True
                village = None
            if action not in ("contact", "onsite"):   # the citizen was contacted for the town too
                continue
        elif village and action == "reject_village_report":
            out[village].send_backs += 1
        elif village and action == "accept_village_report":
            accepted.append(village)
        # --- end 二级派单 ---
        if action in OWNER_ACTIONS and data.get("unit"):
            if owner in out and data["unit"] != owner:
                # a later owner change is a 合理退单 (approved, or a supervisor's 裁定改派;
                # a dispatch only ever starts the first owner): the returning unit is
                # not scored on this order (docs/design/domain.md §8.4) but the return counts
                # in its 退单率
                out[owner].returned_away = True
                out[owner].returns_ok += 1
            owner = data["unit"]
            if owner not in out:
                out[owner] = UnitFacts(_get(order, "id"), owner, at,
                                       _get(order, "category"), _get(order, "town"))
            else:   # back to a unit that returned it before: it owns it again
                out[owner].returned_away = False
            continue
        f = out.get(owner) if owner else None
        if f is None:
            continue
        if action == "request_return":
            f.returns_req += 1
        elif action in ("reject_return", "arbitrate_keep"):
            f.returns_bad += 1
        elif action == "sign" and f.signed_at is None:
            f.signed_at = at
        elif action in ("contact", "onsite") and f.contacted_at is None:
            f.contacted_at = at
        elif action == "reply":
            f.replies += 1
            f.replied_at = f.replied_at or at
        elif action == "send_back":
            f.send_backs += 1
        elif action == "approve_extension":
            f.extensions += 1
        elif action in REOPEN_ACTIONS:
            f.reopens += 1
    status = _get(order, "status")
    caller = _get(order, "caller")
    anonymous = bool(_get(caller, "anonymous")) if caller is not None else False
    for f in out.values():
        f.status, f.anonymous = status, anonymous
    final = out.get(owner) if owner else None
    if final is not None:
        final.closed = status == "closed"
        final.unreasonable = status == "closed_unreasonable"
    for v in set(accepted):   # 二级派单: the village's work ends with the order (issue 17)
        out[v].closed, out[v].unreasonable = final.closed if final else False, \
            final.unreasonable if final else False
    _apply_deadlines(out, deadlines, final, anonymous)
    for s in surveys:
        f = out.get(_get(s, "unit"))
        if f is not None:
            _count_survey(f, s)
            if f is final:   # the return visit scores the village whose report was used too
                for v in dict.fromkeys(accepted):
                    _count_survey(out[v], s)
    for unit, a in assists.items():
        f = out.get(unit)
        if f is None:   # assisted only: a row of its own (issue 18 item 3)
            a.status = status
            out[unit] = a
        else:           # it owned the order at some time too: the task joins its row
            f.assist_due_at, f.assist_done_at = a.assist_due_at, a.assist_done_at
    return list(out.values())


def _assist(order, assists: dict, action, at, data, unit) -> None:
    """协办 tasks from dispatch/add_assist and the first input of each
    (docs/design/domain.md §6.5): on time when the first input is at or before its due time."""
    tasks = (data.get("assist") or []) if action == "dispatch" else \
        [data] if action == "add_assist" else []
    for task in tasks:
        code, due = (task or {}).get("unit"), _when((task or {}).get("due"))
        if code and due is not None and code not in assists:
            assists[code] = UnitFacts(_get(order, "id"), code, at, _get(order, "category"),
                                      _get(order, "town"), assist_only=True, assist_due_at=due)
    if action == "assist_input" and unit in assists and assists[unit].assist_done_at is None:
        assists[unit].assist_done_at = at


def _when(v):
    if isinstance(v, datetime):
        return v
    try:
        return datetime.fromisoformat(v) if v else None
    except (TypeError, ValueError):
        return None


def _apply_deadlines(out, deadlines, final, anonymous) -> None:
    for d in deadlines:
        if _get(d, "target") != "legal":
            continue
        clock, unit = _get(d, "clock"), _get(d, "owner")
        if clock == "reply" and unit is None and final is not None:
            # the citizen clock (from receipt, extended by approved extensions); the first
            # one is the one a unit is measured on (按时办结率, docs/design/domain.md §8.5)
            final.reply_due_at = final.reply_due_at or _get(d, "due")
            continue
        f = out.get(unit)
        if f is None:
            continue
        # 二级派单: the village's own clocks (issue 17; config/sla.yaml village)
        if clock == "village_sign" and f.sign_due_at is None:
            f.sign_due_at = _get(d, "due")
        elif clock == "village_report" and f.reply_due_at is None:
            f.reply_due_at = _get(d, "due")
        if clock == "sign" and f.sign_due_at is None:
            f.sign_due_at = _get(d, "due")
        elif clock == "contact" and f.contact_due_at is None:
            # anonymous callers are exempt from first contact (吕梁, docs/design/domain.md §8.5 响应率)
            f.contact_req = not anonymous
            f.contact_due_at = _get(d, "due")


def _count_survey(f: UnitFacts, s) -> None:
    status = _get(s, "status")
    if status == "unreachable":
        f.unreachable += 1
        f.visits += 1
        return
    if status != "answered":
        return
    f.visits += 1
    if _get(s, "excluded"):
        f.excluded_ratings += 1   # overturned on appeal: not scored (docs/design/domain.md §8.7)
        return
    f.answers += 1
    contacted = _get(s, "contacted")
    f.visit_contacted += contacted is True
    f.visit_not_contacted += contacted is False
    res, sat = _get(s, "resolved"), _get(s, "satisfaction")
    f.res_yes += res == "resolved"
    f.res_partial += res == "partial"
    f.res_no += res == "unresolved"
    f.sat_yes += sat == "satisfied"
    f.sat_basic += sat == "basic"
    f.sat_no += sat == "dissatisfied"

