"""Knowledge-base use cases (issue 16): the store, the index every process serves from, search,
direct answers, the citizens' text service and import/export. The only code of the feature that
commits (through the runtime's unit of work).

Who does what (docs/knowledge_base.md "Store and workflow"):
- a unit (role department) writes and edits the articles of ITS unit only: every edit is a new
  version (draft); it submits a version for review and may withdraw its own published article at
  once (a unit that learns its answer is wrong must be able to stop it being served);
- the centre (supervisor, admin) writes for any unit, and alone publishes or sends back a
  version (the centre reviews: issue 16 build 1, "the centre reviews and publishes");
- agents, dispatchers and leaders read and search.

The index: each process keeps one `KnowledgeIndex` (the pure engine) built from the published
versions at its first search. Every change of what is served (publish, withdraw, import) bumps
the one-row counter `kb_generation` in the same transaction and stamps the article with the new
value; before each search a process reads the counter (one primary-key read) and, when it moved,
re-reads only the articles stamped after the generation it holds and upserts / removes them in
its index. So N web processes serve the same published set within one search of a commit, with
no message bus. Validity (end date, review date) needs no reload: the engine filters by the
as-of date on every search.
"""
from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from hotline.core.db import utcnow
from hotline.core.orm import NoteRow, TransitionRow, WorkOrderRow
from hotline.core.runtime import Runtime
from hotline.workorders.domain.model import Actor, DomainError, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import Role
from hotline.workorders.domain.workflow import Status as OrderStatus

from .domain.article import Article, Status
from .orm import (
    KbArticleRow,
    KbArticleVersionRow,
    KbConversationRow,
    KbGenerationRow,
    KbQueryRow,
    KbReviewTaskRow,
)

TZ = ZoneInfo("Asia/Shanghai")
CENTRE = (Role.SUPERVISOR, Role.ADMIN)
READERS = (Role.AGENT, Role.DISPATCHER, Role.DEPARTMENT, Role.SUPERVISOR, Role.LEADER,
           Role.ADMIN)
DUE_SOON_DAYS = 30          # the to-do list warns this many days before end / review date
CALLBACK_DAYS = 7           # a contact from the same phone this soon after an answer = call-back
BAD_SATISFACTION = ("dissatisfied", "very_dissatisfied")
STATUS_LABELS = {"draft": "草稿", "in_review": "待审核", "published": "已发布",
                 "withdrawn": "已撤回"}


class NotFound(DomainError):
    http_status = 404


def today() -> date:
    return datetime.now(TZ).date()


# ------------------------------------------------------------------ generation / index

def _generation(session) -> int:
    g = session.get(KbGenerationRow, 1)
    return g.generation if g is not None else 0


def _bump(session) -> int:
    """Next generation, taken in the caller's transaction (the row lock on PostgreSQL orders
    concurrent publishes; the value commits with the change it announces)."""
    n = session.execute(update(KbGenerationRow).where(KbGenerationRow.id == 1)
                        .values(generation=KbGenerationRow.generation + 1)).rowcount
    if not n:
        session.add(KbGenerationRow(id=1, generation=1))
        session.flush()
        return 1
    return _generation(session)


def _domain_article(a: KbArticleRow, v: KbArticleVersionRow) -> Article:
    return Article(id=str(a.id), question=v.question, answer=v.answer, unit=a.unit,
                   category=v.category or "", keywords=tuple(v.keywords or ()),
                   alternatives=tuple(v.alternatives or ()), start_date=v.start_date,
                   end_date=v.end_date, review_date=v.review_date, status=Status(v.status),
                   version=v.version, contact_phone=v.contact_phone or "")


@dataclass
class _Cache:
    index: object = None
    generation: int = -1
    lock: threading.Lock = None


def _cache(rt: Runtime) -> _Cache:
    c = rt.__dict__.get("_kb_cache")
    if c is None:
        c = rt.__dict__.setdefault("_kb_cache", _Cache(lock=threading.Lock()))
    return c


def _published(session, since: int | None):
    q = (select(KbArticleRow, KbArticleVersionRow)
         .outerjoin(KbArticleVersionRow,
                    (KbArticleVersionRow.article_id == KbArticleRow.id)
                    & (KbArticleVersionRow.version == KbArticleRow.published_version)))
    if since is not None:
        q = q.where(KbArticleRow.changed_generation > since)
    return session.execute(q).all()


def index_for(rt: Runtime):
    """This process's index, brought up to the stored generation first."""
    from .domain.index import KnowledgeIndex
    c = _cache(rt)
    with rt.sessions() as s:
        gen = _generation(s)
        if c.index is not None and gen == c.generation:
            return c.index
        with c.lock:
            if c.index is None:
                # the counter is read before the rows: a change committed in between is read
                # now and again at the next search (upsert is idempotent), never missed
                arts = [_domain_article(a, v) for a, v in _published(s, None) if v is not None]
                c.index, c.generation = KnowledgeIndex(arts), gen
            elif gen != c.generation:
                for a, v in _published(s, c.generation):
                    if v is not None and a.published_version is not None:
                        c.index.upsert(_domain_article(a, v))
                    else:
                        c.index.remove(str(a.id))
                c.generation = gen
    return c.index


# ------------------------------------------------------------------ views

def _unit_name(rt: Runtime, code: str) -> str:
    u = rt.city.units.get(code)
    return u.name if u is not None else code


def _version_view(v: KbArticleVersionRow) -> dict:
    return {"version": v.version, "question": v.question, "alternatives": list(v.alternatives or []),
            "answer": v.answer, "category": v.category, "keywords": list(v.keywords or []),
            "contact_phone": v.contact_phone,
            "start_date": v.start_date.isoformat() if v.start_date else None,
            "end_date": v.end_date.isoformat() if v.end_date else None,
            "review_date": v.review_date.isoformat() if v.review_date else None,
            "status": v.status, "status_label": STATUS_LABELS.get(v.status, v.status),
            "author": v.author, "created_at": v.created_at.isoformat(),
            "reviewed_by": v.reviewed_by, "review_note": v.review_note}


def _problems(v: KbArticleVersionRow | None, day: date) -> list[str]:
    """Why a published version is not served (or soon will not be)."""
    if v is None:
        return []
    out = []
    if v.end_date and v.end_date < day:
        out.append("expired")
    elif v.end_date and v.end_date <= day + timedelta(days=DUE_SOON_DAYS):
        out.append("expires_soon")
    if v.review_date and v.review_date < day:
        out.append("review_overdue")
    elif v.review_date and v.review_date <= day + timedelta(days=DUE_SOON_DAYS):
        out.append("review_due")
    if v.start_date and v.start_date > day:
        out.append("not_started")
    return out


PROBLEM_LABELS = {"expired": "已过有效期, 不再提供", "expires_soon": "即将到期",
                  "review_overdue": "已过复审日期, 不再提供", "review_due": "即将到复审日期",
                  "not_started": "尚未生效", "in_review": "待中心审核",
                  "sent_back": "中心退回修改", "bad_rating": "直接答复被差评"}


def _article_view(rt, a: KbArticleRow, versions: list[KbArticleVersionRow],
                  full: bool = False) -> dict:
    by_v = {v.version: v for v in versions}
    latest, pub = by_v.get(a.latest_version), by_v.get(a.published_version)
    day = today()
    shown = pub or latest
    out = {"id": a.id, "code": a.code, "unit": a.unit, "unit_name": _unit_name(rt, a.unit),
           "latest_version": a.latest_version, "published_version": a.published_version,
           "question": shown.question if shown else "", "status": latest.status if latest else "",
           "status_label": STATUS_LABELS.get(latest.status, "") if latest else "",
           "served": bool(pub and _domain_article(a, pub).servable(day)),
           "problems": _problems(pub, day), "demo": a.demo,
           "updated_at": a.updated_at.isoformat()}
    out["problem_labels"] = [PROBLEM_LABELS[p] for p in out["problems"]]
    if full:
        out["versions"] = [_version_view(v) for v in sorted(versions, key=lambda v: -v.version)]
    return out


# ------------------------------------------------------------------ permissions

def _can_edit(actor: Actor, unit: str) -> bool:
    if actor.role in CENTRE:
        return True
    return actor.role == Role.DEPARTMENT and actor.unit == unit


def _require_reader(actor: Actor) -> None:
    if actor.role not in READERS:
        raise NotPermitted("当前角色无权查看知识库")


def _load(session, article_id: int) -> KbArticleRow:
    a = session.get(KbArticleRow, article_id)
    if a is None:
        raise NotFound("知识条目不存在", field="article_id")
    return a


def _visible(actor: Actor, a: KbArticleRow) -> bool:
    """A unit sees its own articles in the store (all versions); the centre, agents and leaders
    see all. Published answers are searchable by every staff member regardless."""
    return actor.role != Role.DEPARTMENT or actor.unit == a.unit


def _versions(session, article_id: int) -> list[KbArticleVersionRow]:
    return list(session.execute(select(KbArticleVersionRow).where(
        KbArticleVersionRow.article_id == article_id)).scalars())


# ------------------------------------------------------------------ store use cases

def _check_dates(data: dict) -> None:
    s, e = data.get("start_date"), data.get("end_date")
    if s and e and e < s:
        raise RuleViolation("有效期结束日期早于开始日期", field="end_date")


def _new_version(session, a: KbArticleRow, actor: Actor, data: dict, status: str,
                 base: KbArticleVersionRow | None = None) -> KbArticleVersionRow:
    """A new version: the fields given, the others carried over from `base`."""
    def pick(name, default):
        if name in data and data[name] is not None:
            return data[name]
        return getattr(base, name) if base is not None else default
    now = utcnow()
    a.latest_version += 1
    a.updated_at = now
    v = KbArticleVersionRow(
        article_id=a.id, version=a.latest_version, question=pick("question", ""),
        alternatives=list(pick("alternatives", [])), answer=pick("answer", ""),
        category=pick("category", ""), keywords=list(pick("keywords", [])),
        contact_phone=pick("contact_phone", ""), start_date=pick("start_date", None),
        end_date=pick("end_date", None), review_date=pick("review_date", None),
        status=status, author=actor.username, created_at=now)
    if not v.question.strip() or not v.answer.strip():
        raise RuleViolation("问题和答复内容不能为空", field="question" if not v.question.strip()
                            else "answer")
    if v.start_date and v.end_date and v.end_date < v.start_date:
        raise RuleViolation("有效期结束日期早于开始日期", field="end_date")
    session.add(v)
    return v


def create_article(rt: Runtime, actor: Actor, data: dict) -> dict:
    unit = data.get("unit") or actor.unit
    if actor.role == Role.DEPARTMENT:
        if data.get("unit") not in (None, actor.unit):
            raise NotPermitted("承办单位只能维护本单位的知识条目", field="unit")
        unit = actor.unit
    elif actor.role not in CENTRE:
        raise NotPermitted("当前角色不能编写知识条目")
    if not unit or unit not in rt.city.units:
        raise RuleViolation("请选择正确的所属单位", field="unit")
    _check_dates(data)
    with rt.uow() as uow:
        s = uow.session
        code = (data.get("code") or "").strip() or f"KB-{secrets.token_hex(4).upper()}"
        if s.execute(select(KbArticleRow.id).where(KbArticleRow.code == code)).first():
            raise RuleViolation(f"编号 {code} 已存在", field="code")
        now = utcnow()
        a = KbArticleRow(code=code, unit=unit, latest_version=0, published_version=None,
                         changed_generation=0, demo=False, created_at=now, updated_at=now)
        s.add(a)
        s.flush()
        _new_version(s, a, actor, data, "in_review" if data.get("submit") else "draft")
        uow.commit()
        return _article_view(rt, a, _versions(s, a.id), full=True)


def edit_article(rt: Runtime, actor: Actor, article_id: int, data: dict) -> dict:
    """Every edit is a new version (draft, or in review with `submit`); nothing is
    overwritten, and the published version keeps being served until the centre publishes
    the new one."""
    _check_dates(data)
    with rt.uow() as uow:
        s = uow.session
        a = _editable(s, actor, article_id)
        _new_version(s, a, actor, data, "in_review" if data.get("submit") else "draft",
                     _latest(s, a))
        uow.commit()
        return _article_view(rt, a, _versions(s, a.id), full=True)


def _editable(s, actor: Actor, article_id: int):
    """The article, if the actor may see it (else 404) and maintain it (a unit: its own)."""
    a = _load(s, article_id)
    if not _visible(actor, a):
        raise NotFound("知识条目不存在", field="article_id")
    if not _can_edit(actor, a.unit):
        raise NotPermitted("承办单位只能维护本单位的知识条目")
    return a


def _latest(s, a) -> KbArticleVersionRow:
    return s.execute(select(KbArticleVersionRow).where(
        KbArticleVersionRow.article_id == a.id,
        KbArticleVersionRow.version == a.latest_version)).scalar_one()


def submit(rt: Runtime, actor: Actor, article_id: int) -> dict:
    with rt.uow() as uow:
        s = uow.session
        a = _editable(s, actor, article_id)
        v = _latest(s, a)
        if v.status != "draft":
            raise RuleViolation("只有草稿可以提交审核", field="status")
        v.status = "in_review"
        a.updated_at = utcnow()
        uow.commit()
        return _article_view(rt, a, _versions(s, a.id), full=True)


def review(rt: Runtime, actor: Actor, article_id: int, decision: str, version: int | None,
           note: str | None) -> dict:
    """The centre publishes (decision publish) or sends back (decision reject) the version in
    review. Publishing makes it the served version; the previously published one becomes
    withdrawn (kept, never deleted)."""
    if actor.role not in CENTRE:
        raise NotPermitted("只有中心 (督办、管理员) 可以审核发布知识条目")
    with rt.uow() as uow:
        s = uow.session
        a = _load(s, article_id)
        v = _latest(s, a) if version is None else s.execute(select(KbArticleVersionRow).where(
            KbArticleVersionRow.article_id == a.id,
            KbArticleVersionRow.version == version)).scalar_one_or_none()
        if v is None:
            raise NotFound("没有这个版本", field="version")
        if v.status not in ("in_review", "draft"):
            raise RuleViolation("该版本不在待审核状态", field="version")
        now = utcnow()
        v.reviewed_by, v.reviewed_at, v.review_note = actor.username, now, note
        if decision == "reject":
            v.status = "draft"
        else:
            if a.published_version is not None and a.published_version != v.version:
                old = s.execute(select(KbArticleVersionRow).where(
                    KbArticleVersionRow.article_id == a.id,
                    KbArticleVersionRow.version == a.published_version)).scalar_one()
                old.status = "withdrawn"
            v.status = "published"
            a.published_version = v.version
            a.changed_generation = _bump(s)
        a.updated_at = now
        uow.commit()
        return _article_view(rt, a, _versions(s, a.id), full=True)


def withdraw(rt: Runtime, actor: Actor, article_id: int, note: str | None = None) -> dict:
    with rt.uow() as uow:
        s = uow.session
        a = _editable(s, actor, article_id)
        if a.published_version is None:
            raise RuleViolation("该条目没有已发布的版本", field="article_id")
        v = s.execute(select(KbArticleVersionRow).where(
            KbArticleVersionRow.article_id == a.id,
            KbArticleVersionRow.version == a.published_version)).scalar_one()
        v.status, v.review_note = "withdrawn", note or v.review_note
        a.published_version = None
        a.changed_generation = _bump(s)
        a.updated_at = utcnow()
        uow.commit()
        return _article_view(rt, a, _versions(s, a.id), full=True)


def list_articles(rt: Runtime, actor: Actor, filters: dict) -> dict:
    _require_reader(actor)
    with rt.sessions() as s:
        q = select(KbArticleRow).order_by(KbArticleRow.updated_at.desc(), KbArticleRow.id.desc())
        unit = filters.get("unit")
        if actor.role == Role.DEPARTMENT:
            unit = actor.unit
        if unit:
            q = q.where(KbArticleRow.unit == unit)
        rows = list(s.execute(q).scalars())
        vs: dict[int, list] = {}
        if rows:
            ids = [r.id for r in rows]
            for v in s.execute(select(KbArticleVersionRow).where(
                    KbArticleVersionRow.article_id.in_(ids))).scalars():
                vs.setdefault(v.article_id, []).append(v)
        items = [_article_view(rt, a, vs.get(a.id, [])) for a in rows]
        status = filters.get("status")
        if status == "in_review":   # the centre's review queue: any version waiting
            items = [i for i in items if any(v.status == "in_review" for v in vs.get(i["id"], []))]
        elif status:
            items = [i for i in items if i["status"] == status]
        if filters.get("q"):
            items = [i for i in items if filters["q"] in i["question"] or filters["q"] in i["code"]]
        per = filters.get("per_page") or 50
        page = filters.get("page") or 1
        return {"items": items[(page - 1) * per: page * per], "total": len(items), "page": page,
                "per_page": per}


def get_article(rt: Runtime, actor: Actor, article_id: int) -> dict:
    _require_reader(actor)
    with rt.sessions() as s:
        a = _load(s, article_id)
        if not _visible(actor, a):
            raise NotFound("知识条目不存在", field="article_id")
        return _article_view(rt, a, _versions(s, a.id), full=True)


def todo(rt: Runtime, actor: Actor, unit: str | None = None) -> dict:
    """The unit's to-do list: published articles past (or near) their end or review date (not
    served once past), versions sent back or waiting for the centre, review tasks from bad
    ratings of direct answers."""
    if actor.role == Role.DEPARTMENT:
        unit = actor.unit
    elif actor.role not in CENTRE + (Role.LEADER,):
        raise NotPermitted("当前角色没有知识库待办")
    day = today()
    items = []
    with rt.sessions() as s:
        q = select(KbArticleRow, KbArticleVersionRow).join(
            KbArticleVersionRow, KbArticleVersionRow.article_id == KbArticleRow.id)
        if unit:
            q = q.where(KbArticleRow.unit == unit)
        for a, v in s.execute(q):
            kinds = []
            if v.version == a.published_version and v.status == "published":
                # One row per article: the most pressing problem only (an article both
                # expired and past its review date is one piece of work for the unit).
                kinds = [k for k in _problems(v, day) if k != "not_started"][:1]
            elif v.version == a.latest_version and v.status == "in_review":
                kinds = ["in_review"]
            elif v.version == a.latest_version and v.status == "draft" and v.reviewed_by:
                kinds = ["sent_back"]
            for k in kinds:
                items.append({"article_id": a.id, "code": a.code, "unit": a.unit,
                              "unit_name": _unit_name(rt, a.unit), "version": v.version,
                              "question": v.question, "kind": k, "label": PROBLEM_LABELS[k],
                              "end_date": v.end_date.isoformat() if v.end_date else None,
                              "review_date": v.review_date.isoformat() if v.review_date
                              else None, "note": v.review_note})
        tq = select(KbReviewTaskRow, KbArticleRow).join(
            KbArticleRow, KbArticleRow.id == KbReviewTaskRow.article_id).where(
            KbReviewTaskRow.done.is_(False))
        if unit:
            tq = tq.where(KbReviewTaskRow.unit == unit)
        for t, a in s.execute(tq):
            items.append({"article_id": a.id, "code": a.code, "unit": a.unit,
                          "unit_name": _unit_name(rt, a.unit), "version": t.version,
                          "question": "", "kind": t.kind, "label": PROBLEM_LABELS[t.kind],
                          "end_date": None, "review_date": None, "note": t.detail})
    order = {"expired": 0, "review_overdue": 0, "bad_rating": 1, "sent_back": 2,
             "expires_soon": 3, "review_due": 3, "in_review": 4}
    items.sort(key=lambda i: (order.get(i["kind"], 9), i["article_id"]))
    return {"items": items, "total": len(items), "unit": unit}


# ------------------------------------------------------------------ search

def _hit_view(rt, index, hit, versions: dict) -> dict | None:
    art = index.get(hit.article_id)
    if art is None:
        return None
    meta = versions.get(int(hit.article_id))
    day = (art.start_date or (meta[1] if meta else None))
    return {"article_id": int(art.id), "code": meta[0] if meta else art.id,
            "version": art.version, "question": art.question, "answer": art.answer,
            "unit": art.unit, "unit_name": _unit_name(rt, art.unit), "category": art.category,
            "date": day.isoformat() if day else None, "contact_phone": art.contact_phone,
            "score": hit.score}


def search(rt: Runtime, actor: Actor | None, query: str, channel: str = "staff",
           ref: str | None = None, log: bool = True, limit: int = 5) -> dict:
    """Only published versions valid today are served (the engine's as-of filter). Each search
    is logged for the hit-rate and knowledge-gap reports; `ref` (one intake contact) keeps one
    row per contact however often the panel searches while the agent types."""
    if actor is not None:
        _require_reader(actor)
    query = (query or "").strip()
    index = index_for(rt)
    result = index.search(query, today(), k=limit) if query else None
    hits = list(result.top) if result else []
    with rt.uow() as uow:
        s = uow.session
        meta = {}
        if hits:
            for aid, code, upd in s.execute(select(KbArticleRow.id, KbArticleRow.code,
                                                   KbArticleRow.updated_at).where(
                    KbArticleRow.id.in_([int(h.article_id) for h in hits]))):
                meta[aid] = (code, upd.astimezone(TZ).date() if upd else None)
        items = [x for x in (_hit_view(rt, index, h, meta) for h in hits) if x is not None]
        answer = None
        if result is not None and result.answer is not None:
            answer = next((i for i in items if str(i["article_id"]) == result.answer.article_id),
                          None)
        if log and query:
            row = None
            if ref:
                row = s.execute(select(KbQueryRow).where(KbQueryRow.ref == ref)).scalar_one_or_none()
            if row is None:
                row = KbQueryRow(channel=channel, ref=ref)
                s.add(row)
            row.text, row.answered = query[:2000], answer is not None
            row.article_id = answer["article_id"] if answer else None
            row.version = answer["version"] if answer else None
            row.score = items[0]["score"] if items else None
            row.actor, row.at = (actor.username if actor else None), utcnow()
            uow.commit()
    return {"query": query, "answer": answer, "abstained": answer is None, "items": items}


# ------------------------------------------------------------------ direct answers

def answer_hook(rt, uow, order, row) -> None:
    """After an order is saved: an `answer` (直接答复) must carry the answer text, and a
    referenced article must be the version published now; the answer text becomes the
    order's reply to the citizen (NoteRow citizen_reply). Runs in the order's transaction
    (wired in core/bootstrap.py), so a refused answer leaves the order as it was."""
    if not order.history or order.history[-1].action != "answer":
        return
    s = uow.session
    if s.execute(select(NoteRow.id).where(NoteRow.order_id == order.id,
                                          NoteRow.kind == "citizen_reply")).first():
        return   # recorded when the answer was saved
    t = order.history[-1]
    data = t.data or {}
    reply = (data.get("reply") or "").strip()
    if not reply:
        raise RuleViolation("直接答复须填写答复内容", field="data.reply")
    aid, ver = data.get("article_id"), data.get("article_version")
    if aid is not None:
        a = s.get(KbArticleRow, aid)
        if a is None:
            raise RuleViolation("知识条目不存在", field="data.article_id")
        if ver is None or ver != a.published_version:
            raise RuleViolation("该知识条目版本未发布或已更新, 请重新选择", field="data.article_version")
        v = s.execute(select(KbArticleVersionRow).where(
            KbArticleVersionRow.article_id == a.id,
            KbArticleVersionRow.version == ver)).scalar_one()
        if not _domain_article(a, v).servable(today()):   # never served past its dates
            raise RuleViolation("该知识条目已过有效期或复审日期, 不能用于答复", field="data.article_id")
    elif ver is not None:
        raise RuleViolation("须同时给出知识条目编号", field="data.article_id")
    s.add(NoteRow(order_id=order.id, kind="citizen_reply", author=t.actor, unit=t.unit,
                  body=reply, at=t.at))



def on_bad_rating(rt: Runtime, uow, order_id: int, satisfaction: str | None) -> None:
    """A bad rating of a direct answer from an article goes to the article's unit as a review
    task (issue 16 item 4). Called in the survey's transaction."""
    if satisfaction not in BAD_SATISFACTION:
        return
    s = uow.session
    t = s.execute(select(TransitionRow).where(TransitionRow.order_id == order_id,
                                              TransitionRow.action == "answer")).scalars().first()
    aid = (t.data or {}).get("article_id") if t is not None else None
    if aid is None:
        return
    a = s.get(KbArticleRow, aid)
    if a is None:
        return
    s.add(KbReviewTaskRow(article_id=a.id, version=(t.data or {}).get("article_version") or 0,
                          unit=a.unit, kind="bad_rating", order_id=order_id,
                          detail="市民对依据本条目的直接答复不满意", done=False,
                          created_at=utcnow()))


# ------------------------------------------------------------------ text service (citizens)

def ask(rt: Runtime, key: str | None, question: str) -> dict:
    """One question of a citizen's conversation: answered from a published article (with its
    unit and date) or an honest "no answer". The conversation is kept with its outcome."""
    question = (question or "").strip()
    if not 2 <= len(question) <= 500:
        raise RuleViolation("请输入 2 至 500 字的问题", field="q")
    res = search(rt, None, question, channel="citizen")
    now = utcnow()
    with rt.uow() as uow:
        s = uow.session
        conv = None
        if key:
            conv = s.execute(select(KbConversationRow).where(
                KbConversationRow.key == key)).scalar_one_or_none()
            if conv is not None and conv.outcome == "filed":
                conv = None   # a filed conversation is closed: a new question starts anew
        if conv is None:
            conv = KbConversationRow(key=secrets.token_urlsafe(24), outcome="abandoned",
                                     messages=[], started_at=now)
            s.add(conv)
        msgs = list(conv.messages or [])
        msgs.append({"role": "citizen", "text": question, "at": now.isoformat()})
        a = res["answer"]
        if len(msgs) > 40:
            raise RuleViolation("本次对话问题过多, 请提交诉求或拨打 12345", field="q")
        if a:
            msgs.append({"role": "service", "text": a["answer"], "article_id": a["article_id"],
                         "version": a["version"], "unit_name": a["unit_name"],
                         "date": a["date"], "at": now.isoformat()})
        else:
            msgs.append({"role": "service", "text": None, "at": now.isoformat()})
        conv.messages = msgs
        # answered until the citizen says it did not help (then abandoned until filed)
        conv.outcome = "answered" if a else "abandoned"
        conv.updated_at = now
        uow.commit()
        return {"key": conv.key, "answer": _public_answer(a), "messages": _public(msgs)}


def _public_answer(a: dict | None) -> dict | None:
    if a is None:
        return None
    return {"text": a["answer"], "question": a["question"], "unit_name": a["unit_name"],
            "date": a["date"], "contact_phone": a["contact_phone"]}


def _public(msgs):
    return [{"role": m["role"], "text": m.get("text"), "unit_name": m.get("unit_name"),
             "date": m.get("date")} for m in msgs]


def unresolved(rt: Runtime, key: str) -> dict:
    """"没解决": the conversation becomes a pre-filled appeal. Returns the text the appeal form
    is filled with; the outcome stays `abandoned` until the appeal is filed."""
    with rt.uow() as uow:
        conv = uow.session.execute(select(KbConversationRow).where(
            KbConversationRow.key == key)).scalar_one_or_none()
        if conv is None or conv.outcome == "filed":
            raise NotFound("对话不存在或已提交", field="key")
        conv.outcome, conv.updated_at = "abandoned", utcnow()
        uow.commit()
        return {"key": conv.key, "content": transcript(conv.messages)}


def transcript(msgs) -> str:
    questions = [m["text"] for m in msgs if m["role"] == "citizen"]
    lines = ["（来自智能文本客服, 未解决）"] + [f"问: {q}" for q in questions]
    return "\n".join(lines)[:1900]


def conversation_filed(rt: Runtime, key: str | None, number: str) -> None:
    """The appeal filed from a conversation: the conversation is kept with outcome `filed` and
    the order number, and the whole conversation is attached to the order as an internal note
    (the handling unit sees what the citizen was already told)."""
    if not key:
        return
    with rt.uow() as uow:
        s = uow.session
        conv = s.execute(select(KbConversationRow).where(
            KbConversationRow.key == key[:64])).scalar_one_or_none()
        order = s.execute(select(WorkOrderRow).where(WorkOrderRow.number == number)
                          ).scalar_one_or_none()
        if conv is None or order is None or conv.outcome == "filed":
            return
        conv.outcome, conv.order_number, conv.updated_at = "filed", number, utcnow()
        lines = []
        for m in conv.messages or []:
            if m["role"] == "citizen":
                lines.append(f"市民: {m['text']}")
            elif m.get("text"):
                lines.append(f"知识库答复 ({m.get('unit_name')}, {m.get('date') or ''}): "
                             f"{m['text']}")
            else:
                lines.append("知识库: 未找到答案")
        s.add(NoteRow(order_id=order.id, kind="internal", author="kb_text_service",
                      unit=None, body="智能文本客服对话记录\n" + "\n".join(lines)[:4000],
                      at=utcnow()))
        uow.commit()


def get_conversation(rt: Runtime, key: str) -> dict:
    with rt.sessions() as s:
        conv = s.execute(select(KbConversationRow).where(
            KbConversationRow.key == key)).scalar_one_or_none()
        if conv is None:
            raise NotFound("对话不存在", field="key")
        return {"key": conv.key, "outcome": conv.outcome, "messages": _public(conv.messages)}


def list_conversations(rt: Runtime, actor: Actor, order_number: str | None = None) -> dict:
    if actor.role not in CENTRE + (Role.LEADER, Role.AGENT, Role.DISPATCHER):
        raise NotPermitted("当前角色无权查看对话记录")
    with rt.sessions() as s:
        q = select(KbConversationRow).order_by(KbConversationRow.id.desc()).limit(200)
        if order_number:
            q = q.where(KbConversationRow.order_number == order_number)
        items = [{"id": c.id, "outcome": c.outcome, "order_number": c.order_number,
                  "started_at": c.started_at.isoformat(), "messages": _public(c.messages)}
                 for c in s.execute(q).scalars()]
    return {"items": items, "total": len(items)}


# ------------------------------------------------------------------ import / export

def _resolve_unit(rt: Runtime, raw: str, names: dict) -> str:
    raw = (raw or "").strip()
    if raw in rt.city.units:
        return raw
    return names.get(raw, raw or "centre")


def import_articles(rt: Runtime, articles: list[Article], author: str = "import",
                    demo: bool = False) -> dict:
    """Store articles as published (issue 16 build 7). The unit comes from the dept/unit
    column: a unit code, or a unit's name; anything else is kept as given (a unit the city
    configuration does not know, e.g. the Taipei test data). An id already stored gets a new
    version when its content differs, so re-importing a file is idempotent."""
    names = {u.name: c for c, u in rt.city.units.items()}
    created = updated = unchanged = 0
    actor = Actor(author, Role.SYSTEM)
    with rt.uow() as uow:
        s = uow.session
        gen = _bump(s)
        existing = {a.code: a for a in s.execute(select(KbArticleRow).where(
            KbArticleRow.code.in_([x.id for x in articles]))).scalars()} if articles else {}
        now = utcnow()
        for art in articles:
            data = {"question": art.question, "answer": art.answer,
                    "alternatives": list(art.alternatives), "category": art.category,
                    "keywords": list(art.keywords), "contact_phone": art.contact_phone,
                    "start_date": art.start_date, "end_date": art.end_date,
                    "review_date": art.review_date}
            a = existing.get(art.id)
            status = art.status.value
            if a is None:
                a = KbArticleRow(code=art.id, unit=_resolve_unit(rt, art.unit, names),
                                 latest_version=0, published_version=None,
                                 changed_generation=gen, demo=demo, created_at=now,
                                 updated_at=now)
                s.add(a)
                s.flush()
                created += 1
            else:
                base = _latest(s, a)
                if all(getattr(base, k) == (list(v) if isinstance(v, list) else v)
                       for k, v in data.items()) and base.status == status:
                    unchanged += 1
                    continue
                updated += 1
            v = _new_version(s, a, actor, data, status)
            if status == "published":
                if a.published_version is not None:
                    s.execute(update(KbArticleVersionRow).where(
                        KbArticleVersionRow.article_id == a.id,
                        KbArticleVersionRow.version == a.published_version).values(
                        status="withdrawn"))
                a.published_version = v.version
            a.changed_generation = gen
        uow.commit()
    return {"created": created, "updated": updated, "unchanged": unchanged}


def export_articles(rt: Runtime, published_only: bool = False) -> list[Article]:
    """The latest version of every article (or the published one), in the import format."""
    out = []
    with rt.sessions() as s:
        rows = s.execute(select(KbArticleRow).order_by(KbArticleRow.code)).scalars().all()
        for a in rows:
            ver = a.published_version if published_only else a.latest_version
            if ver is None:
                continue
            v = s.execute(select(KbArticleVersionRow).where(
                KbArticleVersionRow.article_id == a.id,
                KbArticleVersionRow.version == ver)).scalar_one()
            art = _domain_article(a, v)
            out.append(Article(**{**art.__dict__, "id": a.code}))
    return out


def seed_demo(rt: Runtime, path) -> int:
    """`make run`'s demo content: config/knowledge/dongguan_seed.csv, marked demo."""
    from .domain.article import load_articles
    res = import_articles(rt, load_articles(path), author="seed-demo", demo=True)
    return res["created"] + res["updated"]


# ------------------------------------------------------------------ reports

def _bucket(dt: datetime, group: str) -> str:
    d = dt.astimezone(TZ)
    return d.strftime("%Y-%m") if group == "month" else d.date().isoformat()


def _range(frm: date, to: date):
    start = datetime(frm.year, frm.month, frm.day, tzinfo=TZ)
    end = datetime(to.year, to.month, to.day, tzinfo=TZ) + timedelta(days=1)
    return start, end


def report(rt: Runtime, frm: date, to: date, group: str = "month") -> dict:
    """直接答复率 = contacts answered directly / all contacts logged (orders received in the
    period; an answered-directly order never leaves that state), and the knowledge-base hit
    rate = searches the service answered / all searches (staff intake contacts and citizen
    questions), per period."""
    start, end = _range(frm, to)
    buckets: dict[str, dict] = {}

    def b(key):
        return buckets.setdefault(key, {"period": key, "contacts": 0, "direct_answers": 0,
                                         "direct_from_article": 0, "searches": 0,
                                         "searches_answered": 0, "citizen_questions": 0,
                                         "citizen_answered": 0})
    with rt.sessions() as s:
        for received, status in s.execute(select(WorkOrderRow.received_at, WorkOrderRow.status)
                                          .where(WorkOrderRow.received_at >= start,
                                                 WorkOrderRow.received_at < end)):
            x = b(_bucket(received, group))
            x["contacts"] += 1
            x["direct_answers"] += status == OrderStatus.ANSWERED_DIRECTLY
        for at, data in s.execute(select(WorkOrderRow.received_at, TransitionRow.data).join(
                TransitionRow, TransitionRow.order_id == WorkOrderRow.id).where(
                TransitionRow.action == "answer", WorkOrderRow.received_at >= start,
                WorkOrderRow.received_at < end)):
            if (data or {}).get("article_id") is not None:
                b(_bucket(at, group))["direct_from_article"] += 1
        for at, channel, answered in s.execute(select(KbQueryRow.at, KbQueryRow.channel,
                                                      KbQueryRow.answered).where(
                KbQueryRow.at >= start, KbQueryRow.at < end)):
            x = b(_bucket(at, group))
            x["searches"] += 1
            x["searches_answered"] += bool(answered)
            if channel == "citizen":
                x["citizen_questions"] += 1
                x["citizen_answered"] += bool(answered)
        conv = dict(s.execute(select(KbConversationRow.outcome, func.count()).where(
            KbConversationRow.started_at >= start, KbConversationRow.started_at < end)
            .group_by(KbConversationRow.outcome)).all())
    rows = [buckets[k] for k in sorted(buckets)]
    tot = _total(rows)
    for x in rows + [tot]:
        x["direct_answer_rate"] = round(x["direct_answers"] / x["contacts"], 4) \
            if x["contacts"] else None
        x["hit_rate"] = round(x["searches_answered"] / x["searches"], 4) \
            if x["searches"] else None
    return {"from": frm.isoformat(), "to": to.isoformat(), "group": group, "periods": rows,
            "total": tot, "conversations": {k: int(conv.get(k, 0))
                                            for k in ("answered", "filed", "abandoned")}}


def _total(rows):
    keys = ("contacts", "direct_answers", "direct_from_article", "searches",
            "searches_answered", "citizen_questions", "citizen_answered")
    return {"period": "合计", **{k: sum(r[k] for r in rows) for k in keys}}


def gaps(rt: Runtime, frm: date, to: date, limit: int = 50) -> dict:
    """The knowledge-gap report: consultations answered without an article, queries with no
    answer, articles whose answers were followed by a bad rating or a call-back (the same
    phone again within CALLBACK_DAYS), and articles due for review."""
    from hotline.survey.orm import SurveyRow
    start, end = _range(frm, to)
    with rt.sessions() as s:
        answers = s.execute(select(WorkOrderRow.id, WorkOrderRow.number, WorkOrderRow.content,
                                   WorkOrderRow.caller_phone, TransitionRow.at,
                                   TransitionRow.data).join(
            TransitionRow, TransitionRow.order_id == WorkOrderRow.id).where(
            TransitionRow.action == "answer", TransitionRow.at >= start,
            TransitionRow.at < end).order_by(TransitionRow.at.desc())).all()
        without = [{"order_id": oid, "number": num, "content": (content or "")[:120],
                    "answered_at": at.isoformat()}
                   for oid, num, content, _p, at, data in answers
                   if (data or {}).get("article_id") is None]
        unanswered: dict[str, int] = {}
        for (text,) in s.execute(select(KbQueryRow.text).where(
                KbQueryRow.answered.is_(False), KbQueryRow.at >= start, KbQueryRow.at < end)):
            unanswered[text] = unanswered.get(text, 0) + 1
        followed: dict[int, dict] = {}
        with_article = [(oid, p, at, data) for oid, _n, _c, p, at, data in answers
                        if (data or {}).get("article_id") is not None]
        bad = {oid for (oid,) in s.execute(select(SurveyRow.order_id).where(
            SurveyRow.order_id.in_([w[0] for w in with_article]),
            SurveyRow.satisfaction.in_(BAD_SATISFACTION)))} if with_article else set()
        for oid, phone, at, data in with_article:
            callback = False
            if phone:
                callback = s.execute(select(WorkOrderRow.id).where(
                    WorkOrderRow.caller_phone == phone, WorkOrderRow.id != oid,
                    WorkOrderRow.received_at > at,
                    WorkOrderRow.received_at <= at + timedelta(days=CALLBACK_DAYS))).first() \
                    is not None
            if oid in bad or callback:
                f = followed.setdefault(data["article_id"], {
                    "article_id": data["article_id"], "bad_ratings": 0, "call_backs": 0,
                    "orders": []})
                f["bad_ratings"] += oid in bad
                f["call_backs"] += callback
                f["orders"].append(oid)
        for f in followed.values():
            a = s.get(KbArticleRow, f["article_id"])
            f["code"] = a.code if a else None
            f["unit_name"] = _unit_name(rt, a.unit) if a else None
    due = [i for i in todo(rt, Actor("report", Role.SUPERVISOR))["items"]
           if i["kind"] in ("expired", "review_overdue", "expires_soon", "review_due")]
    return {"from": frm.isoformat(), "to": to.isoformat(),
            "answered_without_article": without[:limit],
            "answered_without_article_total": len(without),
            "unanswered_queries": [{"text": t, "count": n} for t, n in sorted(
                unanswered.items(), key=lambda kv: -kv[1])[:limit]],
            "unanswered_total": sum(unanswered.values()),
            "articles_followed_by_complaint": sorted(followed.values(),
                                                     key=lambda f: -(f["bad_ratings"]
                                                                     + f["call_backs"])),
            "articles_due_for_review": due[:limit]}
