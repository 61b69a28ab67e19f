"""Routing for intake and dispatchers: the responsibility table plus supervisor rulings saved
as rules (docs/design/domain.md §6.4). Consulted BEFORE dispatch only; nothing re-routes a
dispatched order (docs/design/domain.md §6.6)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hotline.core.db import utcnow
from hotline.dispatch.domain import routing
from hotline.dispatch.orm import RoutingRuleRow
from hotline.workorders import views

RULINGS_KEY = "routing.rulings"
# Saved rulings change a few times a year (an arbitration with save_rule); intake consults
# them for every auto-dispatch, so each process keeps them this long. The process that saves
# one drops its copy at commit (rules.after_action); other processes follow within the TTL.
RULINGS_TTL = 10.0


def ruling_entries(uow) -> list[routing.Entry]:
    rows = uow.rulings.active()
    return [routing.Entry(r.category, r.town or routing.ANY, r.lead, tuple(r.assist or ()),
                          r.valid_from, r.valid_to, "ruling", r.note or "") for r in rows]


def _entries(rt, uow) -> list[routing.Entry]:
    return rt.cached(RULINGS_KEY, RULINGS_TTL, lambda: ruling_entries(uow)) + \
        rt.config.responsibility


def unit_for(rt, category: str | None, town: str | None, at: datetime | None = None,
             uow=None) -> routing.Assignment | None:
    """Lead + assisting units for (category, town) at `at`: rulings, then
    config/responsibility.yaml, then the taxonomy owner. `uow`: the caller's unit of work."""
    at = at or utcnow()
    if uow is None:
        with rt.uow() as own:
            return unit_for(rt, category, town, at, own)
    entries = _entries(rt, uow)
    return routing.unit_for(rt.city, category, town, views.to_local(at), entries)


def suggest(rt, category: str | None, town: str | None) -> dict:
    a = unit_for(rt, category, town)
    if a is None:
        return {"lead": None, "assist": [], "source": None}
    return {"lead": a.lead, "assist": list(a.assist), "source": a.source}


def list_rules(rt) -> list[dict]:
    with rt.uow() as uow:
        rows = uow.session.execute(select(RoutingRuleRow).order_by(RoutingRuleRow.id.desc())
                                   .limit(500)).scalars().all()
        return [{"id": r.id, "category": r.category, "town": r.town, "lead": r.lead,
                 "assist": r.assist or [], "valid_from": r.valid_from.isoformat()
                 if r.valid_from else None, "order_id": r.order_id, "note": r.note,
                 "active": r.active, "created_by": r.created_by,
                 "created_at": views.iso(r.created_at)} for r in rows]


def save_rule(rt, uow, *, category: str, town: str | None, lead: str, assist, at: datetime,
              order_id: int | None, note: str | None, by: str) -> RoutingRuleRow:
    """A binding decision saved as a routing rule (docs/design/domain.md §6.4): a supervisor's
    ruling (裁定, workorders/rules.py) or a 会商 decision (consult/service.py). Intake routes
    the next order of that category and town by it; this process at once (its cached rulings
    are dropped at commit), others within RULINGS_TTL."""
    rule = RoutingRuleRow(category=category, town=town or "*", lead=lead,
                          assist=list(assist or ()), valid_from=at.date(), order_id=order_id,
                          note=note, active=True, created_at=at, created_by=by)
    uow.session.add(rule)
    uow.session.flush()
    uow.after_commit(lambda: rt.forget(RULINGS_KEY))
    return rule
