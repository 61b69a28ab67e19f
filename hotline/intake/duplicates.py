"""Duplicate detection at intake (重复诉求原则上并单处理, 国办函〔2025〕66号; docs/design/domain.md §2.4).

Candidates are OPEN orders received within the window (default 7 days) in the same town and
category, or from the same caller phone; they are ranked by text similarity. Nothing is
merged automatically: the agent asks for `merge`, or a dispatcher attaches many callers to
one master order during a surge (`attach_to_master`)."""
from __future__ import annotations

from datetime import timedelta

from hotline.core.db import utcnow
from hotline.core.orm import WorkOrderRow
from hotline.workorders.domain.model import Actor, NotPermitted
from hotline.workorders.domain.workflow import Role

WINDOW = timedelta(days=7)
THRESHOLD = 0.3          # char-bigram cosine among same town+category (a strong filter already)
MAX_CANDIDATES = 100     # most recent first: a surge's callers are recent
TOWN_ONLY_CANDIDATES = 30


def find_duplicates(orders, order_id: int, content: str, town: str | None,
                    category: str | None, phone: str | None, received_at) -> list[dict]:
    """`orders`: the unit of work's work-order repository (its open_candidates query)."""
    from hotline.classify.similarity import rank_candidates
    since = (received_at or utcnow()) - WINDOW
    # no category yet: the town alone is a weaker filter, so look at fewer, more recent orders
    limit = MAX_CANDIDATES if (category or not town) else TOWN_ONLY_CANDIDATES
    rows = orders.open_candidates(order_id, town, category, phone, since, limit)
    by_id = {r.id: r for r in rows}
    scores = dict(rank_candidates(content, [(r.id, r.content) for r in rows], THRESHOLD))
    for r in rows:
        if phone and r.caller_phone == phone:
            scores.setdefault(r.id, 0.0)
    out = [{"id": i, "number": by_id[i].number, "score": s, "status": by_id[i].status,
            "same_caller": bool(phone and by_id[i].caller_phone == phone)}
           for i, s in scores.items()]
    out.sort(key=lambda d: (-d["score"], -d["id"]))
    return out[:10]


def attach_to_master(rt, actor: Actor, master_id: int, order_ids: list[int],
                     reason: str) -> dict:
    """Surge handling (burst outage, typhoon): merge many callers' orders into one master.
    Each merge is an ordinary `merge` transition, so every caller keeps a history and gets
    the master's reply and a return visit of their own."""
    from hotline.workorders.commands import NotFound, act
    if actor.role not in (Role.DISPATCHER, Role.AGENT):
        raise NotPermitted("只有派单员或话务员可以批量并单")
    with rt.uow() as uow:
        if uow.session.get(WorkOrderRow, master_id) is None:
            raise NotFound("主工单不存在")
    merged, failed = [], {}
    for oid in order_ids:
        if oid == master_id:
            continue
        try:
            act(rt, actor, oid, "merge", {"reason": reason, "data": {"master_id": master_id}})
            merged.append(oid)
        except Exception as exc:     # report per order; the others still merge
            failed[str(oid)] = [getattr(exc, "message", str(exc))]
    return {"master_id": master_id, "merged": merged, "failed": failed}


# --- issue 17 (Build 5): repeat appeals (重复诉求) ------------------------------------------
# Beyond the open duplicates above, a new appeal is shown the caller's and the place's earlier
# orders, open or closed, received in the last `window_days` (config/cases.yaml `repeats`),
# with their outcome, so the agent can link it as a repeat, reopen the earlier order, or log
# a new one (hotline/repeats/service.py). "The place" is the same town and address, or the
# same town and a similar text (the duplicates' similarity).
PLACE_CANDIDATES = 200


def earlier_orders(orders, order_id: int | None, content: str, town: str | None,
                   address: str | None, phone: str | None, received_at, window_days: int,
                   limit: int) -> list[dict]:
    """`orders`: the unit of work's work-order repository (related_since, citizen_replies).
    Newest first; each with why it matches (same caller / same place) and its outcome."""
    from hotline.classify.similarity import rank_candidates
    from hotline.core.db import aware
    from hotline.workorders import views
    from hotline.workorders.domain.workflow import CLOSED_STATES, STATUS_LABELS
    since = (received_at or utcnow()) - timedelta(days=window_days)
    rows = orders.related_since(order_id, town, phone, since, PLACE_CANDIDATES)
    place_text = dict(rank_candidates(content, [(r.id, r.content) for r in rows
                                                if town and r.town == town], THRESHOLD))
    hits = []
    for r in rows:
        same_caller = bool(phone and r.caller_phone == phone)
        same_address = bool(town and address and r.town == town
                            and (r.address or "").strip() == address.strip())
        if same_caller or same_address or r.id in place_text:
            hits.append((r, same_caller, same_address or r.id in place_text))
    hits = hits[:limit]
    replies = orders.citizen_replies([r.id for r, _, _ in hits])
    return [{"id": r.id, "number": r.number, "content": r.content,
             "status": r.status, "status_label": STATUS_LABELS.get(r.status, ""),
             "closed": r.status in CLOSED_STATES, "unit": r.unit, "category": r.category,
             "received_at": views.iso(aware(r.received_at)), "same_caller": caller,
             "same_place": place, "outcome": replies.get(r.id)}
            for r, caller, place in hits]
