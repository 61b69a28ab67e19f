"""Read side for supervisors: SQL aggregates over the unit_facts rollup (never loads
aggregates). One GROUP BY gives the sums of hotline.survey.domain.scoring.SUM_KEYS per group; the
pure `rates()` turns them into rates and the composite score."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, case, func, not_, or_, select

from hotline.survey.orm import UnitFactRow as F

POP = and_(not_(F.returned_away), not_(F.unreasonable))


def _n(cond):
    return func.sum(case((cond, 1), else_=0))


def _s(col, cond=POP):
    return func.sum(case((cond, col), else_=0))


def sum_columns(as_of: datetime) -> list:
    """The SQL twin of scoring.aggregate()."""
    due = and_(POP, F.reply_due_at.is_not(None),
               or_(F.replied_at.is_not(None), F.reply_due_at < as_of))
    closed = and_(POP, F.closed)
    return [
        func.count().label("assigned"),
        _n(POP).label("population"),
        func.sum(F.returns_req).label("returns_req"),
        func.sum(F.returns_ok).label("returns_ok"),
        func.sum(F.returns_bad).label("returns_bad"),
        _n(and_(POP, F.signed_at.is_not(None),
                or_(F.sign_due_at.is_(None), F.signed_at <= F.sign_due_at))).label("sign_ok"),
        _n(and_(POP, F.contact_req)).label("contact_req"),
        _n(and_(POP, F.contact_req, F.contacted_at.is_not(None),
                or_(F.contact_due_at.is_(None), F.contacted_at <= F.contact_due_at))
           ).label("contact_ok"),
        _n(due).label("reply_due"),
        _n(and_(due, F.replied_at.is_not(None), F.replied_at <= F.reply_due_at)
           ).label("reply_ok"),
        _s(F.replies).label("replies"),
        _s(F.send_backs).label("send_backs"),
        _n(closed).label("closed"),
        _n(and_(closed, F.reopens > 0)).label("reopened_closed"),
        _n(and_(closed, F.send_backs == 0, F.reopens == 0, F.extensions == 0)
           ).label("first_time"),
        _n(and_(closed, F.visits > 0)).label("visited_closed"),
        _s(F.answers).label("answers"),
        _s(F.res_yes).label("res_yes"),
        _s(F.res_partial).label("res_partial"),
        _s(F.res_no).label("res_no"),
        _s(F.sat_yes).label("sat_yes"),
        _s(F.sat_basic).label("sat_basic"),
        _s(F.sat_no).label("sat_no"),
        _s(F.unreachable).label("unreachable"),
        _s(F.excluded_ratings).label("excluded_ratings"),
        _n(F.unreasonable).label("unreasonable"),
        _n(F.returned_away).label("returned_away"),
    ]


def grouped_sums(session, group_cols: list, start: date, end: date, as_of: datetime,
                 unit: str | None = None) -> list[dict]:
    q = select(*group_cols, *sum_columns(as_of)).where(F.day >= start, F.day <= end)
    if unit:
        q = q.where(F.unit == unit)
    q = q.group_by(*group_cols).order_by(*group_cols)
    out = []
    for row in session.execute(q).mappings():
        out.append({k: (int(v) if k not in {c.key for c in group_cols} and v is not None
                        else (v if v is not None else 0)) for k, v in row.items()})
    return out


def durations(session, start: date, end: date, dialect: str) -> list[dict]:
    """Median and p90 (hours) of assignment -> sign / contact / reply, per unit."""
    spans = {"sign": F.signed_at, "contact": F.contacted_at, "reply": F.replied_at}
    where = and_(F.day >= start, F.day <= end, POP)
    if dialect == "postgresql":
        cols = [F.unit]
        for name, col in spans.items():
            secs = func.extract("epoch", col - F.assigned_at)
            for label, p in (("median", 0.5), ("p90", 0.9)):
                cols.append((func.percentile_cont(p).within_group(secs) / 3600.0)
                            .label(f"{name}_{label}_h"))
            cols.append(func.count(col).label(f"{name}_n"))
        rows = session.execute(select(*cols).where(where).group_by(F.unit)
                               .order_by(F.unit)).mappings()
        return [{k: (round(float(v), 2) if isinstance(v, float) or hasattr(v, "as_tuple")
                     else v) for k, v in r.items()} for r in rows]
    # SQLite (the embedded default, small data): exact percentiles in Python
    data: dict[str, dict[str, list[float]]] = {}
    rows = session.execute(select(F.unit, F.assigned_at, *spans.values()).where(where))
    for unit, assigned, *done in rows:
        d = data.setdefault(unit, {k: [] for k in spans})
        for name, t in zip(spans, done):
            if t is not None:
                d[name].append((t - assigned).total_seconds() / 3600.0)
    out = []
    for unit in sorted(data):
        r = {"unit": unit}
        for name, vals in data[unit].items():
            r[f"{name}_median_h"] = _pct(vals, 0.5)
            r[f"{name}_p90_h"] = _pct(vals, 0.9)
            r[f"{name}_n"] = len(vals)
        out.append(r)
    return out


def _pct(vals: list[float], p: float) -> float | None:
    """percentile_cont: linear interpolation between the closest ranks."""
    if not vals:
        return None
    v = sorted(vals)
    k = (len(v) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return round(v[lo] + (v[hi] - v[lo]) * (k - lo), 2)


def overdue(session, as_of: datetime, limit: int = 500):
    from hotline.core.orm import WorkOrderRow as W
    q = (select(W.id, W.number, W.title, F.unit, W.status, F.reply_due_at)
         .join(W, W.id == F.order_id)
         .where(POP, F.replied_at.is_(None), F.reply_due_at < as_of,
                F.status.not_in(("closed", "closed_unreasonable")))
         .order_by(F.reply_due_at).limit(limit))
    return list(session.execute(q).mappings())


def category_town(session, start: date, end: date):
    q = (select(F.category, F.town, func.count().label("orders"),
                _n(and_(POP, F.closed)).label("closed"),
                _s(F.answers).label("answers"), _s(F.sat_yes).label("sat_yes"),
                _s(F.sat_basic).label("sat_basic"))
         .where(F.day >= start, F.day <= end, not_(F.returned_away))
         .group_by(F.category, F.town).order_by(F.category, F.town))
    return [dict(r) for r in session.execute(q).mappings()]


def hot_spots(session, start: datetime, end: datetime, min_repeats: int = 2, limit: int = 100):
    """Repeat appeals: masters with the most merged duplicates (重复诉求,
    docs/design/domain.md §2.4)."""
    from sqlalchemy.orm import aliased

    from hotline.core.orm import WorkOrderRow as W
    child = aliased(W)
    q = (select(W.id, W.number, W.town, W.category, W.address, W.unit,
                func.count(child.id).label("repeats"))
         .join(child, child.master_id == W.id)
         .where(child.received_at >= start, child.received_at < end)
         .group_by(W.id, W.number, W.town, W.category, W.address, W.unit)
         .having(func.count(child.id) >= min_repeats - 1)
         .order_by(func.count(child.id).desc(), W.id).limit(limit))
    return [dict(r) for r in session.execute(q).mappings()]


def comments(session, start: datetime, end: datetime, limit: int = 500):
    from hotline.core.orm import WorkOrderRow as W
    from hotline.survey.orm import SurveyRow as S
    q = (select(S.id, W.number, S.unit, S.resolved, S.satisfaction, S.comment, S.answered_at,
                S.excluded)
         .join(W, W.id == S.order_id)
         .where(S.status == "answered", S.comment.is_not(None), S.answered_at >= start,
                S.answered_at < end)
         .order_by(S.answered_at.desc()).limit(limit))
    return [dict(r) for r in session.execute(q).mappings()]



# --- 协办 on-time rate per assisting unit (issue 17 item 6; docs/design/domain.md §4.9) ---
def assist_ontime(session, start: datetime, end: datetime, as_of: datetime) -> dict[str, dict]:
    """Per assisting unit: its 协办 tasks due in [start, end), how many are decided (answered,
    or past due at `as_of`) and how many were answered by their deadline (the task's clock is
    met by the unit's first input: assist_tasks.first_input_at)."""
    from hotline.dispatch.orm import AssistTaskRow as A
    decided = or_(A.first_input_at.is_not(None), A.due_at < as_of)
    q = (select(A.unit, func.count().label("assist_tasks"),
                _n(decided).label("assist_due"),
                _n(and_(A.first_input_at.is_not(None), A.first_input_at <= A.due_at))
                .label("assist_ok"))
         .where(A.due_at >= start, A.due_at < end).group_by(A.unit))
    return {r["unit"]: {k: int(r[k] or 0) for k in ("assist_tasks", "assist_due", "assist_ok")}
            for r in session.execute(q).mappings()}
